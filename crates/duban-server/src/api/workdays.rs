//! The working-day calendar and the rules in force, for other tools: is a date a working day,
//! the n-th working day after a date, working days between two dates, and importing holiday
//! data.

use super::extract::{Json, Query, Require};
use super::openapi::{Forbidden, Invalid};
use super::{ApiResult, AppState};
use axum::extract::State;
use axum::extract::rejection::StringRejection;
use duban_app::actor::Administer;
use duban_app::rules::CalendarImport;
use duban_domain::Error;
use duban_domain::calendar::CalendarFile;
use duban_domain::policy::Policy;
use duban_domain::task::parse_date;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(workday))
        .routes(routes!(add))
        .routes(routes!(between))
        .routes(routes!(import))
        .routes(routes!(rules))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DateParam {
    /// A date, e.g. 2026-03-31.
    #[param(format = Date)]
    date: String,
}

/// Whether a date is a working day.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct WorkdayAnswer {
    #[schema(value_type = String, format = Date)]
    date: Date,
    result: bool,
    /// True when the answer relies on a year without holiday data.
    provisional: bool,
}

/// The working day `days` working days after `date`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct AddAnswer {
    #[schema(value_type = String, format = Date)]
    date: Date,
    days: i32,
    #[schema(value_type = String, format = Date)]
    result: Date,
    provisional: bool,
}

/// The working days between two dates.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct BetweenAnswer {
    #[schema(value_type = String, format = Date)]
    from: Date,
    #[schema(value_type = String, format = Date)]
    to: Date,
    result: i32,
    provisional: bool,
}

#[utoipa::path(get, path = "/api/v1/calendar/workday", operation_id = "isWorkday", tag = "calendar",
    params(DateParam),
    responses((status = 200, description = "成功", body = WorkdayAnswer), Invalid))]
async fn workday(State(d): State<AppState>, Query(p): Query<DateParam>) -> ApiResult<Json<WorkdayAnswer>> {
    let date = parse_date("date", &p.date)?;
    let r = d.core().calendar().is_workday(date).map_err(Error::from)?;
    Ok(Json(WorkdayAnswer { date, result: r.value, provisional: r.provisional }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct AddParams {
    #[param(format = Date)]
    date: String,
    days: i32,
}

#[utoipa::path(get, path = "/api/v1/calendar/add", operation_id = "addWorkdays", tag = "calendar",
    params(AddParams),
    responses((status = 200, description = "成功", body = AddAnswer), Invalid))]
async fn add(State(d): State<AppState>, Query(p): Query<AddParams>) -> ApiResult<Json<AddAnswer>> {
    let date = parse_date("date", &p.date)?;
    let r = d.core().calendar().add_workdays(date, p.days).map_err(Error::from)?;
    Ok(Json(AddAnswer { date, days: p.days, result: r.value, provisional: r.provisional }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct BetweenParams {
    #[param(format = Date)]
    from: String,
    #[param(format = Date)]
    to: String,
}

#[utoipa::path(get, path = "/api/v1/calendar/between", operation_id = "workdaysBetween", tag = "calendar",
    params(BetweenParams),
    responses((status = 200, description = "成功", body = BetweenAnswer), Invalid))]
async fn between(State(d): State<AppState>, Query(p): Query<BetweenParams>) -> ApiResult<Json<BetweenAnswer>> {
    let (from, to) = (parse_date("from", &p.from)?, parse_date("to", &p.to)?);
    let r = d.core().calendar().workdays_between(from, to).map_err(Error::from)?;
    Ok(Json(BetweenAnswer { from, to, result: r.value, provisional: r.provisional }))
}

#[utoipa::path(post, path = "/api/v1/calendar", operation_id = "importCalendar", tag = "calendar",
    request_body(content = CalendarFile, content_type = "application/json"),
    responses((status = 200, description = "成功", body = CalendarImport), Forbidden, Invalid))]
async fn import(
    State(d): State<AppState>,
    Require(c, _): Require<Administer>,
    body: Result<String, StringRejection>,
) -> ApiResult<Json<CalendarImport>> {
    let file = CalendarFile::parse_json(&body?).map_err(Error::from)?;
    Ok(Json(d.admin().load_calendar_file(&c.actor, file, "API").await?))
}

#[utoipa::path(get, path = "/api/v1/rules", operation_id = "rules", tag = "calendar",
    responses((status = 200, description = "成功", body = Policy)))]
async fn rules(State(d): State<AppState>) -> Json<Policy> {
    Json(Policy::clone(&d.core().policy()))
}
