//! Key enterprises and key projects (重点企业、重点项目; issue 14 §1): the lists with search,
//! filters and paging, one record with its history, create and edit (on the version read),
//! importing a 台账 sheet (a preview with each row's error, then an all-or-nothing commit) and
//! exporting a list as .xlsx. Everyone signed in reads; the office (those who run ledgers)
//! writes. The rules are [`duban_app::enterprises`]' and [`duban_app::registry`]'.

use super::extract::{Json, Path, Query, Require};
use super::openapi::{Conflict, FileBytes, Forbidden, Invalid, NotFound, UploadForm};
use super::{ApiResult, AppState};
use crate::http::session::Signed;
use crate::http::upload::MAX_UPLOAD;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use duban_app::actor::RunLedgers;
use duban_app::registry::{EnterprisePreview, ProjectPreview, VersionView};
use duban_domain::Error;
use duban_domain::enterprise::{Enterprise, EnterpriseInput, Project, ProjectInput, Scale};
use duban_domain::ids::{EnterpriseId, ProjectId, UnitId};
use duban_store::enterprises::{EnterpriseQuery, ImportCounts, ProjectQuery, RecordKind};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(preview_enterprises))
        .routes(routes!(preview_projects))
        .layer(DefaultBodyLimit::max(MAX_UPLOAD));
    OpenApiRouter::new()
        .merge(uploads)
        .routes(routes!(list_enterprises, create_enterprise))
        .routes(routes!(get_enterprise, update_enterprise))
        .routes(routes!(enterprise_history))
        .routes(routes!(commit_enterprises))
        .routes(routes!(export_enterprises))
        .routes(routes!(list_projects, create_project))
        .routes(routes!(get_project, update_project))
        .routes(routes!(project_history))
        .routes(routes!(commit_projects))
        .routes(routes!(export_projects))
}

/// The page sizes a list offers, like the ledger's.
pub const PAGE_SIZES: [i64; 4] = [10, 20, 50, 100];

/// Which enterprises, which page.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct EnterpriseParams {
    /// Part of the name or the credit code.
    q: Option<String>,
    /// `above_scale_industry`, `above_limit_trade` or `other` (or 规上/限上/其他).
    scale: Option<String>,
    unit: Option<i64>,
    /// From 1.
    page: Option<i64>,
    /// 10, 20, 50 or 100 (20 by default).
    per: Option<i64>,
}

fn paging(page: Option<i64>, per: Option<i64>) -> Result<(i64, i64), Error> {
    let per = per.unwrap_or(20);
    if !PAGE_SIZES.contains(&per) {
        return Err(Error::invalid("per", "每页条数只能是 10、20、50 或 100"));
    }
    let page = page.unwrap_or(1).clamp(1, 1_000_000);
    Ok(((page - 1) * per, per))
}

impl EnterpriseParams {
    fn query(&self) -> Result<EnterpriseQuery, Error> {
        let (offset, limit) = paging(self.page, self.per)?;
        Ok(EnterpriseQuery {
            search: self.q.clone().filter(|s| !s.trim().is_empty()),
            scale: self.scale.as_deref().filter(|s| !s.trim().is_empty()).map(str::parse::<Scale>).transpose()?,
            unit_id: self.unit.map(UnitId),
            offset,
            limit,
        })
    }
}

/// One page of enterprises.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct EnterprisePage {
    items: Vec<Enterprise>,
    /// How many match in all.
    total: i64,
    page: i64,
    per: i64,
}

/// One page of projects.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ProjectPage {
    items: Vec<Project>,
    total: i64,
    page: i64,
    per: i64,
}

/// The version an edit is based on.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct VersionParam {
    /// The version read (required).
    version: Option<i64>,
}

impl VersionParam {
    fn get(&self) -> Result<i64, Error> {
        self.version.ok_or_else(|| Error::invalid("version", "修改须提供所依据的版本号（version 参数）"))
    }
}

#[utoipa::path(get, path = "/api/v1/enterprises", operation_id = "listEnterprises", tag = "enterprises",
    params(EnterpriseParams),
    responses((status = 200, description = "重点企业（按名称）", body = EnterprisePage), Invalid))]
async fn list_enterprises(
    State(d): State<AppState>,
    caller: Signed,
    Query(p): Query<EnterpriseParams>,
) -> ApiResult<Json<EnterprisePage>> {
    let q = p.query()?;
    let (items, total) = d.enterprises().enterprises(&caller.actor, &q).await?;
    Ok(Json(EnterprisePage { items, total, page: q.offset / q.limit + 1, per: q.limit }))
}

#[utoipa::path(post, path = "/api/v1/enterprises", operation_id = "createEnterprise", tag = "enterprises",
    request_body(content = EnterpriseInput, content_type = "application/json"),
    responses((status = 201, description = "已添加", body = Enterprise), Forbidden, Conflict, Invalid))]
async fn create_enterprise(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Json(input): Json<EnterpriseInput>,
) -> ApiResult<(StatusCode, Json<Enterprise>)> {
    Ok((StatusCode::CREATED, Json(d.enterprises().create_enterprise(&caller.actor, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/enterprises/{id}", operation_id = "getEnterprise", tag = "enterprises",
    params(("id" = i64, Path, description = "企业编号")),
    responses((status = 200, description = "重点企业", body = Enterprise), NotFound))]
async fn get_enterprise(State(d): State<AppState>, caller: Signed, Path(id): Path<i64>) -> ApiResult<Json<Enterprise>> {
    Ok(Json(d.enterprises().enterprise(&caller.actor, EnterpriseId(id)).await?))
}

#[utoipa::path(put, path = "/api/v1/enterprises/{id}", operation_id = "updateEnterprise", tag = "enterprises",
    params(("id" = i64, Path, description = "企业编号"), VersionParam),
    request_body(content = EnterpriseInput, content_type = "application/json"),
    responses((status = 200, description = "已修改（新版本记入历史）", body = Enterprise), Forbidden, NotFound, Conflict, Invalid))]
async fn update_enterprise(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Path(id): Path<i64>,
    Query(v): Query<VersionParam>,
    Json(input): Json<EnterpriseInput>,
) -> ApiResult<Json<Enterprise>> {
    Ok(Json(d.enterprises().update_enterprise(&caller.actor, EnterpriseId(id), v.get()?, input).await?))
}

#[utoipa::path(get, path = "/api/v1/enterprises/{id}/history", operation_id = "enterpriseHistory", tag = "enterprises",
    params(("id" = i64, Path, description = "企业编号")),
    responses((status = 200, description = "各版本（新的在前）：修改人、时间、改动的字段（改前 → 改后）", body = Vec<VersionView>), NotFound))]
async fn enterprise_history(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<VersionView>>> {
    d.enterprises().enterprise(&caller.actor, EnterpriseId(id)).await?;
    Ok(Json(d.registry().history(&caller.actor, RecordKind::Enterprise, id).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct UploadParams {
    filename: Option<String>,
}

fn file_name(p: &UploadParams, sent: String) -> String {
    p.filename.clone().filter(|f| !f.trim().is_empty()).unwrap_or(if sent.is_empty() {
        "list.xlsx".into()
    } else {
        sent
    })
}

/// Reads a 重点企业 sheet (.xlsx/.xls/.csv: a title row or two, then the header row) and shows
/// each row: what committing it would do (新增, 更新 for a listed credit code, 无变化) or its
/// error. Writes nothing.
#[utoipa::path(post, path = "/api/v1/enterprises/import", operation_id = "previewEnterpriseImport", tag = "enterprises",
    params(UploadParams),
    request_body(content((FileBytes = "application/octet-stream"), (UploadForm = "multipart/form-data")),
        description = "表格：原始字节（文件名见 filename 参数），或表单字段 file"),
    responses((status = 200, description = "预览：每行的内容、将做的操作或错误", body = EnterprisePreview), Forbidden, Invalid))]
async fn preview_enterprises(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Query(p): Query<UploadParams>,
    req: Request,
) -> ApiResult<Json<EnterprisePreview>> {
    let file = crate::http::upload::upload(req, &d, "请选择要导入的表格（表单字段 file）").await?;
    let name = file_name(&p, file.name);
    Ok(Json(d.registry().preview_enterprises(&caller.actor, file.bytes.to_vec(), name).await?))
}

/// The rows to write (a preview's `input`s, possibly corrected).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct EnterpriseRows {
    rows: Vec<EnterpriseInput>,
}

/// The rows to write.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct ProjectRows {
    rows: Vec<ProjectInput>,
}

/// Writes the rows in one transaction, or — when any row is wrong — nothing, with every row's
/// error. A listed credit code is updated (a new version in its history).
#[utoipa::path(post, path = "/api/v1/enterprises/import/commit", operation_id = "commitEnterpriseImport", tag = "enterprises",
    request_body(content = EnterpriseRows, content_type = "application/json"),
    responses((status = 200, description = "已导入：新增、更新、无变化的条数", body = ImportCounts), Forbidden, Conflict, Invalid))]
async fn commit_enterprises(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Json(body): Json<EnterpriseRows>,
) -> ApiResult<Json<ImportCounts>> {
    Ok(Json(d.registry().commit_enterprises(&caller.actor, body.rows).await?))
}

fn xlsx_response(name: &str, bytes: Vec<u8>) -> Response {
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    );
    if let Ok(v) = HeaderValue::from_str(&crate::http::upload::attachment_disposition(name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

#[utoipa::path(get, path = "/api/v1/enterprises/export", operation_id = "exportEnterprises", tag = "enterprises",
    params(EnterpriseParams),
    responses((status = 200, description = "所选企业（全部页）的 .xlsx，版式同导入",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = FileBytes), Invalid))]
async fn export_enterprises(
    State(d): State<AppState>,
    caller: Signed,
    Query(p): Query<EnterpriseParams>,
) -> ApiResult<Response> {
    let q = p.query()?;
    Ok(xlsx_response("重点企业名单.xlsx", d.registry().export_enterprises(&caller.actor, &q).await?))
}

/// Which projects, which page.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ProjectParams {
    /// Part of the name or the investor.
    q: Option<String>,
    enterprise: Option<i64>,
    unit: Option<i64>,
    page: Option<i64>,
    per: Option<i64>,
}

impl ProjectParams {
    fn query(&self) -> Result<ProjectQuery, Error> {
        let (offset, limit) = paging(self.page, self.per)?;
        Ok(ProjectQuery {
            search: self.q.clone().filter(|s| !s.trim().is_empty()),
            enterprise_id: self.enterprise.map(EnterpriseId),
            unit_id: self.unit.map(UnitId),
            offset,
            limit,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/projects", operation_id = "listProjects", tag = "enterprises",
    params(ProjectParams),
    responses((status = 200, description = "重点项目（按名称；总投资以分计，精确）", body = ProjectPage), Invalid))]
async fn list_projects(
    State(d): State<AppState>,
    caller: Signed,
    Query(p): Query<ProjectParams>,
) -> ApiResult<Json<ProjectPage>> {
    let q = p.query()?;
    let (items, total) = d.enterprises().projects(&caller.actor, &q).await?;
    Ok(Json(ProjectPage { items, total, page: q.offset / q.limit + 1, per: q.limit }))
}

/// Adds a project; `total_investment` as ledgers write it ("1.2亿", "5000万元", or yuan).
#[utoipa::path(post, path = "/api/v1/projects", operation_id = "createProject", tag = "enterprises",
    request_body(content = ProjectInput, content_type = "application/json"),
    responses((status = 201, description = "已添加", body = Project), Forbidden, Invalid))]
async fn create_project(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Json(input): Json<ProjectInput>,
) -> ApiResult<(StatusCode, Json<Project>)> {
    Ok((StatusCode::CREATED, Json(d.enterprises().create_project(&caller.actor, input).await?)))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}", operation_id = "getProject", tag = "enterprises",
    params(("id" = i64, Path, description = "项目编号")),
    responses((status = 200, description = "重点项目", body = Project), NotFound))]
async fn get_project(State(d): State<AppState>, caller: Signed, Path(id): Path<i64>) -> ApiResult<Json<Project>> {
    Ok(Json(d.enterprises().project(&caller.actor, ProjectId(id)).await?))
}

#[utoipa::path(put, path = "/api/v1/projects/{id}", operation_id = "updateProject", tag = "enterprises",
    params(("id" = i64, Path, description = "项目编号"), VersionParam),
    request_body(content = ProjectInput, content_type = "application/json"),
    responses((status = 200, description = "已修改（新版本记入历史）", body = Project), Forbidden, NotFound, Conflict, Invalid))]
async fn update_project(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Path(id): Path<i64>,
    Query(v): Query<VersionParam>,
    Json(input): Json<ProjectInput>,
) -> ApiResult<Json<Project>> {
    Ok(Json(d.enterprises().update_project(&caller.actor, ProjectId(id), v.get()?, input).await?))
}

#[utoipa::path(get, path = "/api/v1/projects/{id}/history", operation_id = "projectHistory", tag = "enterprises",
    params(("id" = i64, Path, description = "项目编号")),
    responses((status = 200, description = "各版本（新的在前）", body = Vec<VersionView>), NotFound))]
async fn project_history(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<VersionView>>> {
    d.enterprises().project(&caller.actor, ProjectId(id)).await?;
    Ok(Json(d.registry().history(&caller.actor, RecordKind::Project, id).await?))
}

/// Reads a 重点项目 sheet and shows each row; 总投资 takes the unit its header names
/// (总投资（万元）/总投资（亿元）). Writes nothing.
#[utoipa::path(post, path = "/api/v1/projects/import", operation_id = "previewProjectImport", tag = "enterprises",
    params(UploadParams),
    request_body(content((FileBytes = "application/octet-stream"), (UploadForm = "multipart/form-data")),
        description = "表格：原始字节（文件名见 filename 参数），或表单字段 file"),
    responses((status = 200, description = "预览", body = ProjectPreview), Forbidden, Invalid))]
async fn preview_projects(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Query(p): Query<UploadParams>,
    req: Request,
) -> ApiResult<Json<ProjectPreview>> {
    let file = crate::http::upload::upload(req, &d, "请选择要导入的表格（表单字段 file）").await?;
    let name = file_name(&p, file.name);
    Ok(Json(d.registry().preview_projects(&caller.actor, file.bytes.to_vec(), name).await?))
}

/// Writes the project rows in one transaction, all or nothing; a listed project name is updated.
#[utoipa::path(post, path = "/api/v1/projects/import/commit", operation_id = "commitProjectImport", tag = "enterprises",
    request_body(content = ProjectRows, content_type = "application/json"),
    responses((status = 200, description = "已导入", body = ImportCounts), Forbidden, Conflict, Invalid))]
async fn commit_projects(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Json(body): Json<ProjectRows>,
) -> ApiResult<Json<ImportCounts>> {
    Ok(Json(d.registry().commit_projects(&caller.actor, body.rows).await?))
}

#[utoipa::path(get, path = "/api/v1/projects/export", operation_id = "exportProjects", tag = "enterprises",
    params(ProjectParams),
    responses((status = 200, description = "所选项目的 .xlsx（总投资以万元计，精确）",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = FileBytes), Invalid))]
async fn export_projects(
    State(d): State<AppState>,
    caller: Signed,
    Query(p): Query<ProjectParams>,
) -> ApiResult<Response> {
    let q = p.query()?;
    Ok(xlsx_response("重点项目台账.xlsx", d.registry().export_projects(&caller.actor, &q).await?))
}
