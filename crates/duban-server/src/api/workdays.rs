//! The working-day calendar and the rules in force, for other tools: is a date a working day,
//! the n-th working day after a date, working days between two dates, and importing holiday
//! data.

use super::extract::{Json, Query, Require};
use super::{ApiResult, AppState};
use crate::actor::Administer;
use axum::Router;
use axum::extract::State;
use axum::extract::rejection::StringRejection;
use axum::routing::{get, post};
use duban_app::admin_log::Actor as ChangedBy;
use duban_app::service::CalendarImport;
use duban_domain::Error;
use duban_domain::calendar::CalendarFile;
use duban_domain::policy::Policy;
use duban_domain::task::parse_date;
use serde::{Deserialize, Serialize};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/calendar/workday", get(workday))
        .route("/api/v1/calendar/add", get(add))
        .route("/api/v1/calendar/between", get(between))
        .route("/api/v1/calendar", post(import))
        .route("/api/v1/rules", get(rules))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DateParam {
    date: String,
}

#[derive(Serialize)]
struct Answer<T: Serialize> {
    #[serde(flatten)]
    input: serde_json::Value,
    result: T,
    provisional: bool,
}

async fn workday(State(d): State<AppState>, Query(p): Query<DateParam>) -> ApiResult<Json<Answer<bool>>> {
    let date = parse_date("date", &p.date)?;
    let r = d.calendar().is_workday(date).map_err(Error::from)?;
    Ok(Json(Answer { input: serde_json::json!({"date": date}), result: r.value, provisional: r.provisional }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddParams {
    date: String,
    days: i32,
}

async fn add(State(d): State<AppState>, Query(p): Query<AddParams>) -> ApiResult<Json<Answer<jiff::civil::Date>>> {
    let date = parse_date("date", &p.date)?;
    let r = d.calendar().add_workdays(date, p.days).map_err(Error::from)?;
    Ok(Json(Answer {
        input: serde_json::json!({"date": date, "days": p.days}),
        result: r.value,
        provisional: r.provisional,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BetweenParams {
    from: String,
    to: String,
}

async fn between(State(d): State<AppState>, Query(p): Query<BetweenParams>) -> ApiResult<Json<Answer<i32>>> {
    let (from, to) = (parse_date("from", &p.from)?, parse_date("to", &p.to)?);
    let r = d.calendar().workdays_between(from, to).map_err(Error::from)?;
    Ok(Json(Answer { input: serde_json::json!({"from": from, "to": to}), result: r.value, provisional: r.provisional }))
}

async fn import(
    State(d): State<AppState>,
    Require(c, _): Require<Administer>,
    body: Result<String, StringRejection>,
) -> ApiResult<Json<CalendarImport>> {
    let file = CalendarFile::parse_json(&body?).map_err(Error::from)?;
    Ok(Json(d.admin_load_calendar_file(ChangedBy::Person(&c.person), file, "API").await?))
}

async fn rules(State(d): State<AppState>) -> Json<Policy> {
    Json(Policy::clone(&d.policy()))
}
