//! Units, unit groups, name resolution, people and ledgers.

use super::extract::{Json, Path, Query, Require};
use super::{ApiResult, AppState};
use crate::actor::{Administer, RunLedgers};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use duban_app::admin_log::Actor as ChangedBy;
use duban_domain::Error;
use duban_domain::ids::{GroupId, LedgerId, PersonId, UnitId};
use duban_domain::org::{Person, PersonInput, Unit, UnitGroup, UnitInput};
use duban_domain::task::{Source, parse_date};
use duban_store::{Ledger, NewLedger, PartyRef};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/units", get(list_units).post(create_unit))
        .route("/api/v1/units/{id}", get(get_unit).put(update_unit).delete(delete_unit))
        .route("/api/v1/groups", get(list_groups))
        .route("/api/v1/groups/{id}", get(get_group))
        .route("/api/v1/resolve", get(resolve))
        .route("/api/v1/people", get(list_people).post(create_person))
        .route("/api/v1/people/{id}", get(get_person).put(update_person).delete(deactivate_person))
        .route("/api/v1/ledgers", get(list_ledgers).post(create_ledger))
        .route("/api/v1/ledgers/{id}", get(get_ledger))
}

async fn list_units(State(d): State<AppState>) -> ApiResult<Json<Vec<Unit>>> {
    Ok(Json(d.units().await?))
}

async fn create_unit(
    State(d): State<AppState>,
    Require(c, _): Require<Administer>,
    Json(input): Json<UnitInput>,
) -> ApiResult<(StatusCode, Json<Unit>)> {
    Ok((StatusCode::CREATED, Json(d.admin_add_unit(ChangedBy::Person(&c.person), &input.parse()?).await?)))
}

async fn get_unit(State(d): State<AppState>, Path(id): Path<i64>) -> ApiResult<Json<Unit>> {
    Ok(Json(d.unit(UnitId(id)).await?))
}

async fn update_unit(
    State(d): State<AppState>,
    Require(c, _): Require<Administer>,
    Path(id): Path<i64>,
    Json(input): Json<UnitInput>,
) -> ApiResult<Json<Unit>> {
    Ok(Json(d.admin_edit_unit(ChangedBy::Person(&c.person), UnitId(id), &input.parse()?).await?))
}

async fn delete_unit(
    State(d): State<AppState>,
    Require(c, _): Require<Administer>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    d.admin_delete_unit(ChangedBy::Person(&c.person), UnitId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_groups(State(d): State<AppState>) -> ApiResult<Json<Vec<UnitGroup>>> {
    Ok(Json(d.groups().await?))
}

async fn get_group(State(d): State<AppState>, Path(id): Path<i64>) -> ApiResult<Json<UnitGroup>> {
    Ok(Json(d.group(GroupId(id)).await?))
}

#[derive(Deserialize)]
struct ResolveParams {
    name: String,
}

async fn resolve(State(d): State<AppState>, Query(p): Query<ResolveParams>) -> ApiResult<Json<PartyRef>> {
    match d.resolve_name(&p.name).await? {
        Some(r) => Ok(Json(r)),
        None => Err(Error::not_found(format!("名为“{}”的单位或单位组", p.name.trim())).into()),
    }
}

async fn list_people(State(d): State<AppState>) -> ApiResult<Json<Vec<Person>>> {
    Ok(Json(d.all_people().await?))
}

async fn create_person(
    State(d): State<AppState>,
    Require(c, _): Require<Administer>,
    Json(input): Json<PersonInput>,
) -> ApiResult<(StatusCode, Json<Person>)> {
    Ok((StatusCode::CREATED, Json(d.admin_add_person(ChangedBy::Person(&c.person), &input.parse()?, None).await?)))
}

async fn get_person(State(d): State<AppState>, Path(id): Path<i64>) -> ApiResult<Json<Person>> {
    Ok(Json(d.person(PersonId(id)).await?))
}

async fn update_person(
    State(d): State<AppState>,
    Require(c, _): Require<Administer>,
    Path(id): Path<i64>,
    Json(input): Json<PersonInput>,
) -> ApiResult<Json<Person>> {
    // The last administrator keeps the role (409), as on the pages.
    Ok(Json(d.admin_edit_person(ChangedBy::Person(&c.person), PersonId(id), &input.parse()?).await?))
}

async fn deactivate_person(
    State(d): State<AppState>,
    Require(c, _): Require<Administer>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    d.admin_deactivate(ChangedBy::Person(&c.person), PersonId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A ledger's name and issuer (e.g. 奈曼旗落实通辽市优化营商环境攻坚年行动实施方案).
const MAX_LEDGER_NAME_CHARS: usize = 200;
/// A document number (文号), e.g. 奈政办发〔2025〕3号.
const MAX_DOC_NUMBER_CHARS: usize = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LedgerInput {
    name: String,
    #[serde(default)]
    doc_number: Option<String>,
    #[serde(default)]
    issued: Option<String>,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    source: Option<String>,
}

async fn list_ledgers(State(d): State<AppState>) -> ApiResult<Json<Vec<Ledger>>> {
    Ok(Json(d.ledgers().await?))
}

async fn create_ledger(
    State(d): State<AppState>,
    _: Require<RunLedgers>,
    Json(l): Json<LedgerInput>,
) -> ApiResult<(StatusCode, Json<Ledger>)> {
    use duban_domain::task::check_length;
    check_length("name", "台账名称", l.name.trim(), MAX_LEDGER_NAME_CHARS)?;
    check_length("doc_number", "文号", l.doc_number.as_deref().unwrap_or("").trim(), MAX_DOC_NUMBER_CHARS)?;
    check_length("issuer", "发文单位", l.issuer.trim(), MAX_LEDGER_NAME_CHARS)?;
    let new = NewLedger {
        name: l.name.trim().to_string(),
        doc_number: l.doc_number.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
        issued: l.issued.filter(|s| !s.trim().is_empty()).map(|s| parse_date("issued", &s)).transpose()?,
        issuer: l.issuer.trim().to_string(),
        source: l.source.map(|s| s.parse()).transpose()?.unwrap_or(Source::Document),
    };
    Ok((StatusCode::CREATED, Json(d.create_ledger(&new).await?)))
}

async fn get_ledger(State(d): State<AppState>, Path(id): Path<i64>) -> ApiResult<Json<Ledger>> {
    Ok(Json(d.ledger(LedgerId(id)).await?))
}
