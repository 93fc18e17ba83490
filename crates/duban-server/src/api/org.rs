//! Units, unit groups, name resolution, people and ledgers.

use super::extract::{Json, Path, Query, Require};
use super::openapi::{Conflict, Forbidden, Invalid, NotFound};
use super::{ApiResult, AppState};
use axum::extract::State;
use axum::http::StatusCode;
use duban_app::actor::{Administer, RunLedgers};
use duban_domain::Error;
use duban_domain::ids::{GroupId, LedgerId, PersonId, UnitId};
use duban_domain::org::{Person, PersonInput, Unit, UnitGroup, UnitInput};
use duban_domain::task::{Source, parse_date};
use duban_store::{Ledger, NewLedger, PartyRef};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_units, create_unit))
        .routes(routes!(get_unit, update_unit, delete_unit))
        .routes(routes!(list_groups))
        .routes(routes!(get_group))
        .routes(routes!(resolve))
        .routes(routes!(list_people, create_person))
        .routes(routes!(get_person, update_person, deactivate_person))
        .routes(routes!(list_ledgers, create_ledger))
        .routes(routes!(get_ledger))
}

#[utoipa::path(get, path = "/api/v1/units", operation_id = "listUnits", tag = "org",
    responses((status = 200, description = "成功", body = Vec<Unit>)))]
async fn list_units(State(d): State<AppState>) -> ApiResult<Json<Vec<Unit>>> {
    Ok(Json(d.queries().units().await?))
}

#[utoipa::path(post, path = "/api/v1/units", operation_id = "createUnit", tag = "org",
    request_body(content = UnitInput, content_type = "application/json"),
    responses((status = 201, description = "已创建", body = Unit), Forbidden, Conflict, Invalid))]
async fn create_unit(
    State(d): State<AppState>,
    Require(c, _): Require<Administer>,
    Json(input): Json<UnitInput>,
) -> ApiResult<(StatusCode, Json<Unit>)> {
    Ok((StatusCode::CREATED, Json(d.admin().add_unit(&c.actor, &input.parse()?).await?)))
}

#[utoipa::path(get, path = "/api/v1/units/{id}", operation_id = "getUnit", tag = "org",
    params(("id" = i64, Path, description = "编号")),
    responses((status = 200, description = "成功", body = Unit), NotFound))]
async fn get_unit(State(d): State<AppState>, Path(id): Path<i64>) -> ApiResult<Json<Unit>> {
    Ok(Json(d.queries().unit(UnitId(id)).await?))
}

#[utoipa::path(put, path = "/api/v1/units/{id}", operation_id = "updateUnit", tag = "org",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = UnitInput, content_type = "application/json"),
    responses((status = 200, description = "成功", body = Unit), Forbidden, NotFound, Conflict, Invalid))]
async fn update_unit(
    State(d): State<AppState>,
    Require(c, _): Require<Administer>,
    Path(id): Path<i64>,
    Json(input): Json<UnitInput>,
) -> ApiResult<Json<Unit>> {
    Ok(Json(d.admin().edit_unit(&c.actor, UnitId(id), &input.parse()?).await?))
}

#[utoipa::path(delete, path = "/api/v1/units/{id}", operation_id = "deleteUnit", tag = "org",
    params(("id" = i64, Path, description = "编号")),
    responses((status = 204, description = "已删除"), Forbidden, NotFound, Conflict))]
async fn delete_unit(
    State(d): State<AppState>,
    Require(c, _): Require<Administer>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    d.admin().delete_unit(&c.actor, UnitId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/groups", operation_id = "listGroups", tag = "org",
    responses((status = 200, description = "成功", body = Vec<UnitGroup>)))]
async fn list_groups(State(d): State<AppState>) -> ApiResult<Json<Vec<UnitGroup>>> {
    Ok(Json(d.queries().groups().await?))
}

#[utoipa::path(get, path = "/api/v1/groups/{id}", operation_id = "getGroup", tag = "org",
    params(("id" = i64, Path, description = "编号")),
    responses((status = 200, description = "成功", body = UnitGroup), NotFound))]
async fn get_group(State(d): State<AppState>, Path(id): Path<i64>) -> ApiResult<Json<UnitGroup>> {
    Ok(Json(d.queries().group(GroupId(id)).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ResolveParams {
    name: String,
}

#[utoipa::path(get, path = "/api/v1/resolve", operation_id = "resolveName", tag = "org",
    params(ResolveParams),
    responses((status = 200, description = "成功", body = PartyRef), NotFound))]
async fn resolve(State(d): State<AppState>, Query(p): Query<ResolveParams>) -> ApiResult<Json<PartyRef>> {
    match d.queries().resolve_name(&p.name).await? {
        Some(r) => Ok(Json(r)),
        None => Err(Error::not_found(format!("名为“{}”的单位或单位组", p.name.trim())).into()),
    }
}

#[utoipa::path(get, path = "/api/v1/people", operation_id = "listPeople", tag = "org",
    responses((status = 200, description = "成功", body = Vec<Person>)))]
async fn list_people(State(d): State<AppState>) -> ApiResult<Json<Vec<Person>>> {
    Ok(Json(d.queries().all_people().await?))
}

#[utoipa::path(post, path = "/api/v1/people", operation_id = "createPerson", tag = "org",
    request_body(content = PersonInput, content_type = "application/json"),
    responses((status = 201, description = "已创建", body = Person), Forbidden, Conflict, Invalid))]
async fn create_person(
    State(d): State<AppState>,
    Require(c, _): Require<Administer>,
    Json(input): Json<PersonInput>,
) -> ApiResult<(StatusCode, Json<Person>)> {
    Ok((StatusCode::CREATED, Json(d.admin().add_person(&c.actor, &input.parse()?, None).await?)))
}

#[utoipa::path(get, path = "/api/v1/people/{id}", operation_id = "getPerson", tag = "org",
    params(("id" = i64, Path, description = "编号")),
    responses((status = 200, description = "成功", body = Person), NotFound))]
async fn get_person(State(d): State<AppState>, Path(id): Path<i64>) -> ApiResult<Json<Person>> {
    Ok(Json(d.queries().person(PersonId(id)).await?))
}

#[utoipa::path(put, path = "/api/v1/people/{id}", operation_id = "updatePerson", tag = "org",
    params(("id" = i64, Path, description = "编号")),
    request_body(content = PersonInput, content_type = "application/json"),
    responses((status = 200, description = "成功", body = Person), Forbidden, NotFound, Conflict, Invalid))]
async fn update_person(
    State(d): State<AppState>,
    Require(c, _): Require<Administer>,
    Path(id): Path<i64>,
    Json(input): Json<PersonInput>,
) -> ApiResult<Json<Person>> {
    // The last administrator keeps the role (409), as on the pages.
    Ok(Json(d.admin().edit_person(&c.actor, PersonId(id), &input.parse()?).await?))
}

#[utoipa::path(delete, path = "/api/v1/people/{id}", operation_id = "deactivatePerson", tag = "org",
    params(("id" = i64, Path, description = "编号")),
    responses((status = 204, description = "已停用"), Forbidden, NotFound, Conflict))]
async fn deactivate_person(
    State(d): State<AppState>,
    Require(c, _): Require<Administer>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    d.admin().deactivate(&c.actor, PersonId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A ledger's name and issuer (e.g. 奈曼旗落实通辽市优化营商环境攻坚年行动实施方案).
const MAX_LEDGER_NAME_CHARS: usize = 200;
/// A document number (文号), e.g. 奈政办发〔2025〕3号.
const MAX_DOC_NUMBER_CHARS: usize = 100;

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct LedgerInput {
    name: String,
    #[serde(default)]
    doc_number: Option<String>,
    #[serde(default)]
    #[schema(format = Date)]
    issued: Option<String>,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    #[schema(value_type = Option<Source>)]
    source: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/ledgers", operation_id = "listLedgers", tag = "org",
    responses((status = 200, description = "成功", body = Vec<Ledger>)))]
async fn list_ledgers(State(d): State<AppState>) -> ApiResult<Json<Vec<Ledger>>> {
    Ok(Json(d.queries().ledgers().await?))
}

#[utoipa::path(post, path = "/api/v1/ledgers", operation_id = "createLedger", tag = "org",
    request_body(content = LedgerInput, content_type = "application/json"),
    responses((status = 201, description = "已创建", body = Ledger), Forbidden, Conflict, Invalid))]
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
    Ok((StatusCode::CREATED, Json(d.tasks().create_ledger(&new).await?)))
}

#[utoipa::path(get, path = "/api/v1/ledgers/{id}", operation_id = "getLedger", tag = "org",
    params(("id" = i64, Path, description = "编号")),
    responses((status = 200, description = "成功", body = Ledger), NotFound))]
async fn get_ledger(State(d): State<AppState>, Path(id): Path<i64>) -> ApiResult<Json<Ledger>> {
    Ok(Json(d.queries().ledger(LedgerId(id)).await?))
}
