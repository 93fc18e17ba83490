//! The monthly bulletin (月度通报, issue 13 §5): the office lists bulletins
//! (`GET /api/v1/bulletins`), generates a draft for a month (`POST /api/v1/bulletins`), reads
//! one (`GET /api/v1/bulletins/{id}`), edits a draft's title, 主送 and paragraphs
//! (`PATCH /api/v1/bulletins/{id}`), deletes a draft (`DELETE …`), issues it
//! (`POST /api/v1/bulletins/{id}/issue`) and downloads the issued Word file
//! (`GET /api/v1/bulletins/{id}/docx`); anyone reads the public parts of the issued ones
//! (`GET /api/v1/public/bulletins`). An issued bulletin is immutable: a write answers 409.

use super::extract::{Json, Path, Require};
use super::openapi::{Conflict, FileBytes, Forbidden, Invalid, NotFound};
use super::{ApiResult, AppState};
use crate::http::upload::attachment_disposition;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use duban_app::actor::RunLedgers;
use duban_app::bulletin::{DraftEdit, PublicBulletin};
use duban_domain::bulletin::Body;
use duban_store::bulletins::Bulletin;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, draft))
        .routes(routes!(get, edit, delete))
        .routes(routes!(issue))
        .routes(routes!(docx))
        .routes(routes!(public))
}

/// A bulletin: a draft, or issued with its number.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct BulletinView {
    id: i64,
    /// The month it reports on: `2026-07`.
    month: String,
    /// `draft` or `issued`.
    status: &'static str,
    title: String,
    /// 督通〔2026〕3号, once issued.
    number: Option<String>,
    /// 主送.
    recipients: String,
    body: Body,
    /// When it was issued (RFC 3339), and its 成文日期.
    issued_at: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    issued_on: Option<jiff::civil::Date>,
    updated_at: String,
}

impl From<Bulletin> for BulletinView {
    fn from(b: Bulletin) -> Self {
        Self {
            id: b.id,
            month: b.month,
            status: if b.issued { "issued" } else { "draft" },
            title: b.title,
            number: b.number,
            recipients: b.recipients,
            body: b.body,
            issued_at: b.issued_at.map(|t| t.to_string()),
            issued_on: b.issued_on,
            updated_at: b.updated_at.to_string(),
        }
    }
}

/// The month to draft a bulletin for.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct DraftInput {
    /// `2026-07`.
    month: String,
}

#[utoipa::path(get, path = "/api/v1/bulletins", operation_id = "listBulletins", tag = "assessment",
    responses((status = 200, description = "全部月度通报（草稿和已印发），新的在前", body = Vec<BulletinView>), Forbidden))]
async fn list(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
) -> ApiResult<Json<Vec<BulletinView>>> {
    Ok(Json(d.bulletins().list(&caller.actor).await?.into_iter().map(BulletinView::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/bulletins", operation_id = "draftBulletin", tag = "assessment",
    request_body(content = DraftInput, content_type = "application/json"),
    responses((status = 201, description = "已按该月考核数据生成通报草稿（问题在前）", body = BulletinView), Forbidden, Invalid))]
async fn draft(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Json(input): Json<DraftInput>,
) -> ApiResult<(StatusCode, Json<BulletinView>)> {
    let b = d.draft_bulletin(&caller.actor, &input.month).await?;
    Ok((StatusCode::CREATED, Json(b.into())))
}

#[utoipa::path(get, path = "/api/v1/bulletins/{id}", operation_id = "getBulletin", tag = "assessment",
    params(("id" = i64, Path, description = "通报编号")),
    responses((status = 200, description = "通报", body = BulletinView), Forbidden, NotFound))]
async fn get(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Path(id): Path<i64>,
) -> ApiResult<Json<BulletinView>> {
    Ok(Json(d.bulletins().get(&caller.actor, id).await?.into()))
}

#[utoipa::path(patch, path = "/api/v1/bulletins/{id}", operation_id = "editBulletin", tag = "assessment",
    params(("id" = i64, Path, description = "通报编号")),
    request_body(content = DraftEdit, content_type = "application/json"),
    responses((status = 200, description = "草稿已修改（记入管理日志，含修改前后）", body = BulletinView),
        Forbidden, NotFound, Conflict, Invalid))]
async fn edit(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Path(id): Path<i64>,
    Json(input): Json<DraftEdit>,
) -> ApiResult<Json<BulletinView>> {
    Ok(Json(d.bulletins().edit(&caller.actor, id, &input).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/bulletins/{id}", operation_id = "deleteBulletin", tag = "assessment",
    params(("id" = i64, Path, description = "通报编号")),
    responses((status = 204, description = "草稿已删除"), Forbidden, NotFound, Conflict))]
async fn delete(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    d.bulletins().delete(&caller.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/bulletins/{id}/issue", operation_id = "issueBulletin", tag = "assessment",
    params(("id" = i64, Path, description = "通报编号")),
    responses((status = 200, description = "已印发：编号、正式文件和公开点名均已保存，此后不可修改", body = BulletinView),
        Forbidden, NotFound, Conflict, Invalid))]
async fn issue(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Path(id): Path<i64>,
) -> ApiResult<Json<BulletinView>> {
    Ok(Json(d.bulletins().issue(&caller.actor, id).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/bulletins/{id}/docx", operation_id = "downloadBulletin", tag = "assessment",
    params(("id" = i64, Path, description = "通报编号")),
    responses((status = 200, description = "已印发通报的 Word 文档（GB/T 9704 版式）",
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = FileBytes),
        Forbidden, NotFound))]
async fn docx(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Path(id): Path<i64>,
) -> ApiResult<Response> {
    let (name, bytes) = d.bulletins().docx(&caller.actor, id).await?;
    Ok(docx_response(&name, bytes))
}

fn docx_response(name: &str, bytes: Vec<u8>) -> Response {
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    );
    if let Ok(v) = HeaderValue::from_str(&attachment_disposition(name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

#[utoipa::path(get, path = "/api/v1/public/bulletins", operation_id = "publicBulletins", tag = "assessment",
    security(()),
    responses((status = 200, description = "已印发通报的公开部分（仅标为公开的段落，不含统计表）", body = Vec<PublicBulletin>)))]
async fn public(State(d): State<AppState>) -> ApiResult<Json<Vec<PublicBulletin>>> {
    Ok(Json(d.bulletins().public().await?))
}
