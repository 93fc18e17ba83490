//! Rankings and scoring profiles (issue 13 §2–§4): the live ranking of a period
//! (`GET /api/v1/rankings`), a unit's score line by line (`GET /api/v1/rankings/units/{id}`; a
//! unit's own people, or those who oversee), issuing and revising a frozen ranking
//! (`POST /api/v1/rankings/issued`) and reading the issued ones, the profiles
//! (`GET /api/v1/scoring`, `GET`/`PUT /api/v1/scoring/{name}`), a preview under edited weights
//! (`POST /api/v1/scoring/{name}/preview`) and 容错 on a fact
//! (`POST /api/v1/assessment/facts/tolerance`). Points are strings with at most two decimals
//! ("12.5"), exactly as scored.

use super::extract::{Json, Path, Query, Require};
use super::openapi::{Conflict, Forbidden, Invalid, NotFound};
use super::{ApiResult, AppState};
use crate::http::session::Signed;
use axum::extract::State;
use axum::http::StatusCode;
use duban_app::actor::RunLedgers;
use duban_app::rankings::{Breakdown, ProfileEntry, Rankings};
use duban_domain::Error;
use duban_domain::assessment::{Points, Ranking, ScoringProfile, Span};
use duban_domain::ids::UnitId;
use duban_store::rankings::IssuedRanking;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(live))
        .routes(routes!(unit))
        .routes(routes!(issue, issued_list))
        .routes(routes!(issued_one))
        .routes(routes!(profiles))
        .routes(routes!(profile, save_profile))
        .routes(routes!(preview))
        .routes(routes!(tolerance))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default, deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct RankingParams {
    /// The scoring profile (the default profile when absent).
    profile: Option<String>,
    /// The period: `2026Q1`, `2026-03`, `2026`, `2026-01-01..2026-02-15` (the last closed period
    /// of the profile's kind when absent).
    period: Option<String>,
}

/// The profile and period a request names, with their defaults.
async fn chosen(r: &Rankings, profile: Option<&str>, period: Option<&str>) -> Result<(ScoringProfile, Span), Error> {
    let name = profile.filter(|p| !p.is_empty()).unwrap_or(r.default_profile());
    let p = r.profile(name).await?;
    let span = match period.filter(|p| !p.is_empty()) {
        Some(k) => Span::parse(k)?,
        None => r.last_closed(&p)?,
    };
    Ok((p, span))
}

/// One line's part of a unit's score.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct PartBody {
    line: String,
    label: String,
    /// Occurrences that counted.
    count: i64,
    /// Points, at most two decimals.
    points: String,
    /// The line's cap cut it.
    capped: bool,
}

/// A unit's place in a ranking.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct RowBody {
    unit: i64,
    name: String,
    category: String,
    /// Within its category; equal totals share a rank.
    rank: u32,
    total: String,
    parts: Vec<PartBody>,
    /// Public namings (通报) in the year.
    namings: u32,
    /// Eligible for the top list (not disqualified by namings).
    eligible: bool,
    /// On the top list (先进 / 示范点).
    top: bool,
}

/// A ranking of every unit for a period under a profile.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct RankingBody {
    profile: String,
    title: String,
    /// The period's key (`2026Q1`).
    period: String,
    /// The period as read (2026年第一季度).
    period_label: String,
    #[schema(value_type = String, format = Date)]
    from: jiff::civil::Date,
    #[schema(value_type = String, format = Date)]
    to: jiff::civil::Date,
    categories: Vec<String>,
    rows: Vec<RowBody>,
}

fn ranking_body(r: &Ranking) -> RankingBody {
    RankingBody {
        profile: r.profile.clone(),
        title: r.title.clone(),
        period: r.span.key(),
        period_label: r.span.to_string(),
        from: r.span.from,
        to: r.span.to,
        categories: r.categories.clone(),
        rows: r
            .rows
            .iter()
            .map(|x| RowBody {
                unit: x.unit.0,
                name: x.name.clone(),
                category: x.category.clone(),
                rank: x.rank,
                total: x.total.to_string(),
                parts: x
                    .parts
                    .iter()
                    .map(|p| PartBody {
                        line: p.line.clone(),
                        label: p.label.clone(),
                        count: p.count,
                        points: p.points.to_string(),
                        capped: p.capped,
                    })
                    .collect(),
                namings: x.namings,
                eligible: x.eligible,
                top: x.top,
            })
            .collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/rankings", operation_id = "ranking", tag = "assessment",
    params(RankingParams),
    responses((status = 200, description = "按分类排名（现时计算）", body = RankingBody), NotFound, Invalid))]
async fn live(
    State(d): State<AppState>,
    _caller: Signed,
    Query(q): Query<RankingParams>,
) -> ApiResult<Json<RankingBody>> {
    let r = d.rankings();
    let (p, span) = chosen(r, q.profile.as_deref(), q.period.as_deref()).await?;
    Ok(Json(ranking_body(&r.ranking(&p, span).await?)))
}

/// One line of a unit's score.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct LineBody {
    /// The fact's key (for 容错 and objections); absent for a rate or average line.
    fact: Option<String>,
    /// The task, when the caller may see it.
    task_id: Option<i64>,
    /// The task's number and title, or "涉密事项" / "无权查看的事项"; empty for no task.
    task: String,
    #[schema(value_type = Option<String>, format = Date)]
    day: Option<jiff::civil::Date>,
    /// The indicator's code.
    indicator: String,
    /// The profile's line.
    line: String,
    label: String,
    clause: String,
    points: String,
    note: String,
}

/// A unit's score line by line: base plus the lines is the total.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct BreakdownBody {
    profile: String,
    period: String,
    period_label: String,
    unit: i64,
    name: String,
    category: String,
    rank: u32,
    base: String,
    total: String,
    lines: Vec<LineBody>,
}

fn breakdown_body(b: &Breakdown) -> BreakdownBody {
    BreakdownBody {
        profile: b.profile.clone(),
        period: b.span.key(),
        period_label: b.span.to_string(),
        unit: b.row.unit.0,
        name: b.row.name.clone(),
        category: b.row.category.clone(),
        rank: b.row.rank,
        base: b.base.to_string(),
        total: b.row.total.to_string(),
        lines: b
            .lines
            .iter()
            .map(|l| LineBody {
                fact: l.line.fact.clone(),
                task_id: l.line.task.filter(|_| l.task_visible).map(|t| t.0),
                task: l.task_label.clone(),
                day: l.line.day,
                indicator: l.line.indicator.code().to_string(),
                line: l.line.line.clone(),
                label: l.line.label.clone(),
                clause: l.line.clause.clone(),
                points: l.line.points.to_string(),
                note: l.line.note.clone(),
            })
            .collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/rankings/units/{id}", operation_id = "unitScore", tag = "assessment",
    params(("id" = i64, Path, description = "单位编号"), RankingParams),
    responses((status = 200, description = "单位得分明细（逐项）", body = BreakdownBody), Forbidden, NotFound, Invalid))]
async fn unit(
    State(d): State<AppState>,
    caller: Signed,
    Path(id): Path<i64>,
    Query(q): Query<RankingParams>,
) -> ApiResult<Json<BreakdownBody>> {
    let r = d.rankings();
    if !Rankings::may_read_unit(&caller.actor, UnitId(id)) {
        return Err(Error::Forbidden.into());
    }
    let (p, span) = chosen(r, q.profile.as_deref(), q.period.as_deref()).await?;
    Ok(Json(breakdown_body(&r.breakdown(&caller.actor, &p, span, UnitId(id)).await?)))
}

/// Issue (or revise) the ranking of a closed period.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
struct IssueInput {
    /// The scoring profile (the default when empty).
    profile: String,
    /// The period's key, e.g. `2026Q1`; it must have ended.
    period: String,
    /// Required when the period was issued before (a revision).
    reason: String,
}

/// An issued ranking without its rows.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct IssuedSummary {
    id: i64,
    profile: String,
    period: String,
    period_label: String,
    /// 1, then 2, 3 … for each revision.
    revision: i64,
    /// The issued ranking this one replaces.
    supersedes: Option<i64>,
    reason: String,
    #[schema(value_type = String, format = DateTime)]
    issued_at: jiff::Timestamp,
    issued_by: Option<i64>,
}

/// An issued ranking, frozen as it was issued.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct IssuedBody {
    #[serde(flatten)]
    summary: IssuedSummary,
    /// The profile's TOML as it was when issued.
    profile_toml: String,
    ranking: RankingBody,
}

fn summary(i: &IssuedRanking) -> IssuedSummary {
    IssuedSummary {
        id: i.id,
        profile: i.fields.profile.clone(),
        period: i.fields.period.clone(),
        period_label: i.fields.ranking.span.to_string(),
        revision: i.fields.revision,
        supersedes: i.fields.supersedes,
        reason: i.fields.reason.clone(),
        issued_at: i.fields.issued_at,
        issued_by: i.fields.issued_by.map(|p| p.0),
    }
}

fn issued_body(i: &IssuedRanking) -> IssuedBody {
    IssuedBody {
        summary: summary(i),
        profile_toml: i.fields.profile_toml.clone(),
        ranking: ranking_body(&i.fields.ranking),
    }
}

#[utoipa::path(post, path = "/api/v1/rankings/issued", operation_id = "issueRanking", tag = "assessment",
    request_body(content = IssueInput, content_type = "application/json"),
    responses((status = 201, description = "已发布（冻结）；同一期间再次发布为修订，须写明理由", body = IssuedBody),
        Forbidden, NotFound, Conflict, Invalid))]
async fn issue(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Json(input): Json<IssueInput>,
) -> ApiResult<(StatusCode, Json<IssuedBody>)> {
    if input.period.trim().is_empty() {
        return Err(Error::invalid("period", "请指定考核期间").into());
    }
    let r = d.rankings();
    let (p, span) = chosen(r, Some(&input.profile), Some(&input.period)).await?;
    let i = r.issue(&caller.actor, &p.name, span, &input.reason).await?;
    Ok((StatusCode::CREATED, Json(issued_body(&i))))
}

#[utoipa::path(get, path = "/api/v1/rankings/issued", operation_id = "issuedRankings", tag = "assessment",
    params(RankingParams),
    responses((status = 200, description = "已发布的排名（新的在前）", body = Vec<IssuedSummary>), Invalid))]
async fn issued_list(
    State(d): State<AppState>,
    _caller: Signed,
    Query(q): Query<RankingParams>,
) -> ApiResult<Json<Vec<IssuedSummary>>> {
    let period = q.period.as_deref().filter(|p| !p.is_empty()).map(Span::parse).transpose()?.map(|s| s.key());
    let list = d.rankings().issued(q.profile.as_deref().filter(|p| !p.is_empty()), period.as_deref()).await?;
    Ok(Json(list.iter().map(summary).collect()))
}

#[utoipa::path(get, path = "/api/v1/rankings/issued/{id}", operation_id = "issuedRanking", tag = "assessment",
    params(("id" = i64, Path, description = "已发布排名的编号")),
    responses((status = 200, description = "已发布的排名（冻结的副本）", body = IssuedBody), NotFound))]
async fn issued_one(State(d): State<AppState>, _caller: Signed, Path(id): Path<i64>) -> ApiResult<Json<IssuedBody>> {
    Ok(Json(issued_body(&d.rankings().issued_one(id).await?)))
}

#[utoipa::path(get, path = "/api/v1/scoring", operation_id = "scoringProfiles", tag = "assessment",
    responses((status = 200, description = "评分规则（内置的与办公室保存的）", body = Vec<ProfileEntry>)))]
async fn profiles(State(d): State<AppState>, _caller: Signed) -> ApiResult<Json<Vec<ProfileEntry>>> {
    Ok(Json(d.rankings().profiles().await?))
}

/// One line of a profile.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct LineSpec {
    id: String,
    label: String,
    indicator: String,
    /// lead / cooperating / unit; every role when absent.
    role: Option<String>,
    points: String,
    weight: String,
    cap: Option<String>,
    clause: String,
}

/// A profile as in force, with its lines.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ProfileBody {
    #[serde(flatten)]
    entry: ProfileEntry,
    base: String,
    lines: Vec<LineSpec>,
}

async fn profile_body(r: &Rankings, name: &str) -> Result<ProfileBody, Error> {
    let entry = r.profile_entry(name).await?;
    let p = ScoringProfile::parse(&entry.toml)?;
    Ok(ProfileBody {
        entry,
        base: p.base.to_string(),
        lines: p
            .lines
            .iter()
            .map(|l| LineSpec {
                id: l.id.clone(),
                label: ScoringProfile::line_label(l),
                indicator: l.indicator.code().to_string(),
                role: l.role.map(|r| r.code().to_string()),
                points: l.points.to_string(),
                weight: l.weight.to_string(),
                cap: l.cap.map(|c| c.to_string()),
                clause: l.clause.clone(),
            })
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/scoring/{name}", operation_id = "scoringProfile", tag = "assessment",
    params(("name" = String, Path, description = "评分规则名称")),
    responses((status = 200, description = "评分规则", body = ProfileBody), NotFound))]
async fn profile(State(d): State<AppState>, _caller: Signed, Path(name): Path<String>) -> ApiResult<Json<ProfileBody>> {
    Ok(Json(profile_body(d.rankings(), &name).await?))
}

/// New weights (line id → weight, a number with at most two decimals), a whole profile as TOML,
/// or a reset to the built-in; exactly one.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
struct ProfileInput {
    #[schema(value_type = Option<BTreeMap<String, f64>>)]
    weights: Option<BTreeMap<String, Points>>,
    toml: Option<String>,
    /// Delete the office's saved version (the built-in is in force again).
    reset: bool,
}

fn weights(w: BTreeMap<String, Points>) -> Vec<(String, Points)> {
    w.into_iter().collect()
}

#[utoipa::path(put, path = "/api/v1/scoring/{name}", operation_id = "saveScoringProfile", tag = "assessment",
    params(("name" = String, Path, description = "评分规则名称")),
    request_body(content = ProfileInput, content_type = "application/json"),
    responses((status = 200, description = "已保存，记入管理日志", body = ProfileBody), Forbidden, NotFound, Invalid))]
async fn save_profile(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Path(name): Path<String>,
    Json(input): Json<ProfileInput>,
) -> ApiResult<Json<ProfileBody>> {
    let r = d.rankings();
    match (input.weights, input.toml, input.reset) {
        (Some(w), None, false) => {
            r.save_weights(&caller.actor, &name, &weights(w)).await?;
        }
        (None, Some(t), false) => {
            r.save_toml(&caller.actor, &name, &t).await?;
        }
        (None, None, true) => r.reset(&caller.actor, &name).await?,
        _ => return Err(Error::invalid("weights", "请给出 weights、toml 或 reset 之一").into()),
    }
    Ok(Json(profile_body(r, &name).await?))
}

/// Weights to try and the period to rank.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
struct PreviewInput {
    #[schema(value_type = BTreeMap<String, f64>)]
    weights: BTreeMap<String, Points>,
    /// The period (the last closed one when empty).
    period: String,
}

#[utoipa::path(post, path = "/api/v1/scoring/{name}/preview", operation_id = "previewScoring", tag = "assessment",
    params(("name" = String, Path, description = "评分规则名称")),
    request_body(content = PreviewInput, content_type = "application/json"),
    responses((status = 200, description = "按新权重计算的排名（未保存）", body = RankingBody), Forbidden, NotFound, Invalid))]
async fn preview(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Path(name): Path<String>,
    Json(input): Json<PreviewInput>,
) -> ApiResult<Json<RankingBody>> {
    let r = d.rankings();
    let (p, span) = chosen(r, Some(&name), Some(&input.period)).await?;
    let (_, ranking) = r.preview(&caller.actor, &p.name, &weights(input.weights), span).await?;
    Ok(Json(ranking_body(&ranking)))
}

/// 容错: excuse a fact with a reason, or withdraw the excuse.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
struct ToleranceInput {
    /// The fact's key (from a unit's score lines).
    fact: String,
    /// Why the office accepts the delay (required unless withdrawing).
    reason: String,
    withdraw: bool,
}

/// What the fact is now.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ToleranceResult {
    fact: String,
    excused: bool,
}

#[utoipa::path(post, path = "/api/v1/assessment/facts/tolerance", operation_id = "tolerateFact", tag = "assessment",
    request_body(content = ToleranceInput, content_type = "application/json"),
    responses((status = 200, description = "已容错或已撤销容错，记入管理日志", body = ToleranceResult), Forbidden, NotFound, Conflict, Invalid))]
async fn tolerance(
    State(d): State<AppState>,
    Require(caller, _): Require<RunLedgers>,
    Json(input): Json<ToleranceInput>,
) -> ApiResult<Json<ToleranceResult>> {
    // An overdue-days line's key is its completion fact's with ":d": the excuse is the fact's.
    let key = input.fact.trim().trim_end_matches(":d");
    if key.is_empty() {
        return Err(Error::invalid("fact", "请指定考核事实").into());
    }
    let reason = if input.withdraw { None } else { Some(input.reason.as_str()) };
    d.assessment().excuse(&caller.actor, key, reason).await?;
    Ok(Json(ToleranceResult { fact: key.to_string(), excused: !input.withdraw }))
}
