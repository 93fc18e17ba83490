//! 考核排名 pages (issue 13 §2–§4): `/rankings` (a profile and period chosen; by category: rank,
//! unit, total, each line's points, the top list, namings, the ineligible; charts drawn here as
//! SVG; the trend against earlier periods; 约谈 candidates; the .xlsx; issuing and revising a
//! closed period; the issued rankings), `/rankings/units/{id}` (a unit's score line by line, each
//! task shown only as the viewer may see it; 容错 for the office, 申诉 links for the unit),
//! `/rankings.xlsx`, `/rankings/issued/{id}` (a frozen copy) and `/scoring` (the office edits a
//! profile's weights and sees the ranking under them before saving).
//!
//! Everyone signed in sees the ranking tables (rankings are circulated); a unit's breakdown is
//! its own people's and those who oversee.

use super::charts::esc;
use super::errors::render;
use super::{AppState, Fields, Nav, Viewer, WebError, see_other};
use crate::http::percent_encode;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use duban_app::actor::RunLedgers;
use duban_app::rankings::{self, Candidate, Rankings, TrendSource};
use duban_domain::Error;
use duban_domain::assessment::span::SpanKind;
use duban_domain::assessment::{Points, Ranking, ScoringProfile, Span};
use duban_domain::ids::UnitId;
use serde::Deserialize;
use std::fmt::Write;

type PageResult = Result<Response, WebError>;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Params {
    profile: String,
    period: String,
    /// A message after a form: issued, revised, saved, reset, excused, withdrawn.
    done: String,
}

/// The profile and period asked for, with their defaults.
async fn chosen(r: &Rankings, p: &Params) -> Result<(ScoringProfile, Span), Error> {
    let name = if p.profile.is_empty() { r.default_profile() } else { p.profile.as_str() };
    let profile = r.profile(name).await?;
    let span = if p.period.trim().is_empty() { r.last_closed(&profile)? } else { Span::parse(&p.period)? };
    Ok((profile, span))
}

fn query_of(profile: &str, span: &Span) -> String {
    format!("profile={}&period={}", percent_encode(profile), percent_encode(&span.key()))
}

/// Periods offered: the last months, quarters and years around today, and the one shown.
fn period_choices(today: jiff::civil::Date, shown: &Span) -> Vec<(String, String, bool)> {
    let mut spans: Vec<Span> = Vec::new();
    for kind in [SpanKind::Quarter, SpanKind::Year, SpanKind::Month] {
        let mut s = Span::holding(kind, today);
        let n = match kind {
            SpanKind::Month => 6,
            SpanKind::Quarter => 6,
            _ => 3,
        };
        for _ in 0..n {
            let Some(x) = s else { break };
            spans.push(x);
            s = x.previous();
        }
    }
    if !spans.contains(shown) {
        spans.insert(0, *shown);
    }
    spans.iter().map(|s| (s.key(), s.to_string(), s == shown)).collect()
}

/// A row of a category's table.
pub struct RowView {
    pub rank: u32,
    pub unit: i64,
    pub name: String,
    pub total: String,
    pub parts: Vec<String>,
    pub top: bool,
    pub eligible: bool,
    pub namings: u32,
    /// The viewer may open this unit's breakdown.
    pub link: bool,
}

/// One category: its chart and its table.
pub struct CategoryView {
    pub name: String,
    pub svg: String,
    pub rows: Vec<RowView>,
}

fn categories(r: &Ranking, base: Points, v: &Viewer) -> Vec<CategoryView> {
    r.categories
        .iter()
        .filter_map(|c| {
            let rows: Vec<_> = r.rows.iter().filter(|x| &x.category == c).collect();
            if rows.is_empty() {
                return None;
            }
            let bars: Vec<(String, Points, bool)> = rows.iter().map(|x| (x.name.clone(), x.total, x.top)).collect();
            Some(CategoryView {
                name: c.clone(),
                svg: total_bars(c, base, &bars),
                rows: rows
                    .iter()
                    .map(|x| RowView {
                        rank: x.rank,
                        unit: x.unit.0,
                        name: x.name.clone(),
                        total: x.total.to_string(),
                        parts: x.parts.iter().map(|p| p.points.to_string()).collect(),
                        top: x.top,
                        eligible: x.eligible,
                        namings: x.namings,
                        link: Rankings::may_read_unit(&v.actor, x.unit),
                    })
                    .collect(),
            })
        })
        .collect()
}

fn line_labels(r: &Ranking, p: &ScoringProfile) -> Vec<String> {
    match r.rows.first() {
        Some(x) => x.parts.iter().map(|p| p.label.clone()).collect(),
        None => p.lines.iter().map(ScoringProfile::line_label).collect(),
    }
}

const BLUE: &str = "#0550ae";
const GREEN: &str = "#1a7f37";
const RED: &str = "#cf222e";
const PALETTE: [&str; 8] = ["#0550ae", "#1a7f37", "#cf222e", "#8250df", "#d4a72c", "#0a7c86", "#bc4c00", "#57606a"];

/// Horizontal bars of each unit's total in a category, drawn from the profile's base score (so
/// a bar is what the unit gained or lost: the top list in green, a loss in red); the label is
/// the total.
pub fn total_bars(category: &str, base: Points, rows: &[(String, Points, bool)]) -> String {
    let (label_w, bar_w, row_h, top) = (200.0, 460.0, 24.0, 10.0);
    let rows: Vec<(String, Points, Points, bool)> =
        rows.iter().map(|(n, t, top)| (n.clone(), Points(t.0 - base.0), *t, *top)).collect();
    let lo = rows.iter().map(|r| r.1.0).min().unwrap_or(0).min(0) as f64;
    let hi = rows.iter().map(|r| r.1.0).max().unwrap_or(0).max(0) as f64;
    let span = (hi - lo).max(1.0);
    let x = |v: f64| label_w + bar_w * (v - lo) / span;
    let height = top + row_h * rows.len() as f64 + 10.0;
    let width = label_w + bar_w + 70.0;
    let mut s = format!(
        r#"<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="{}各单位总分" xmlns="http://www.w3.org/2000/svg">"#,
        esc(category)
    );
    let zero = x(0.0);
    for (i, (name, delta, total, is_top)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let v = delta.0 as f64;
        let (a, b) = if v >= 0.0 { (zero, x(v)) } else { (x(v), zero) };
        let color = if *is_top {
            GREEN
        } else if v < 0.0 {
            RED
        } else {
            BLUE
        };
        let _ = write!(
            s,
            r#"<text x="{}" y="{:.1}" font-size="12" text-anchor="end">{}</text><rect x="{a:.1}" y="{:.1}" width="{:.1}" height="14" fill="{color}"><title>{} {}</title></rect><text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
            label_w - 8.0,
            y + 15.0,
            esc(name),
            y + 4.0,
            (b - a).max(1.0),
            esc(name),
            total,
            b.max(zero).max(a) + 4.0,
            y + 15.0,
            total
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{zero:.1}" x2="{zero:.1}" y1="{top}" y2="{:.1}" stroke="#57606a"/></svg>"##,
        height - 10.0
    );
    s
}

/// A small line chart of totals over periods, one line per unit (at most eight).
pub fn trend_lines(periods: &[String], series: &[(String, Vec<Option<Points>>)]) -> String {
    let (w, h, left, bottom, top, legend_w) = (560.0, 220.0, 50.0, 36.0, 14.0, 190.0);
    let vals: Vec<i64> = series.iter().flat_map(|(_, v)| v.iter().flatten().map(|p| p.0)).collect();
    let lo = vals.iter().copied().min().unwrap_or(0) as f64;
    let hi = vals.iter().copied().max().unwrap_or(100) as f64;
    let (lo, hi) = if (hi - lo).abs() < 1.0 { (lo - 100.0, hi + 100.0) } else { (lo, hi) };
    let step = if periods.len() > 1 { (w - left - 20.0) / (periods.len() - 1) as f64 } else { 0.0 };
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (v - lo) / (hi - lo));
    let total_w = w + legend_w;
    let mut s = format!(
        r#"<svg class="chart" width="{total_w}" height="{h}" viewBox="0 0 {total_w} {h}" role="img" aria-label="总分变化趋势" xmlns="http://www.w3.org/2000/svg">"#
    );
    for k in 0..=4 {
        let v = lo + (hi - lo) * f64::from(k) / 4.0;
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#d1d9e0"/><text x="{}" y="{:.1}" font-size="11" text-anchor="end">{}</text>"##,
            w - 10.0,
            left - 6.0,
            y(v) + 4.0,
            Points((v.round()) as i64),
            yy = y(v)
        );
    }
    for (i, label) in periods.iter().enumerate() {
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{}" font-size="11" text-anchor="middle">{}</text>"#,
            left + step * i as f64,
            h - bottom + 18.0,
            esc(label)
        );
    }
    for (n, (name, values)) in series.iter().take(PALETTE.len()).enumerate() {
        let color = PALETTE[n];
        let pts: Vec<String> = values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|p| format!("{:.1},{:.1}", left + step * i as f64, y(p.0 as f64))))
            .collect();
        let _ = write!(s, r#"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"/>"#, pts.join(" "));
        for (i, v) in values.iter().enumerate() {
            if let Some(p) = v {
                let _ = write!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{color}"><title>{} {} {p}</title></circle>"#,
                    left + step * i as f64,
                    y(p.0 as f64),
                    esc(name),
                    esc(periods.get(i).map(String::as_str).unwrap_or_default())
                );
            }
        }
        let ly = top + 18.0 * n as f64;
        let _ = write!(
            s,
            r#"<rect x="{}" y="{ly:.1}" width="12" height="12" fill="{color}"/><text x="{}" y="{:.1}" font-size="12">{}</text>"#,
            w + 4.0,
            w + 22.0,
            ly + 11.0,
            esc(name)
        );
    }
    s.push_str("</svg>");
    s
}

/// The trend table's row.
pub struct TrendRowView {
    pub name: String,
    pub category: String,
    pub cells: Vec<String>,
}

/// An issued ranking in the list.
pub struct IssuedView {
    pub id: i64,
    pub period: String,
    pub revision: i64,
    pub supersedes: Option<i64>,
    pub reason: String,
    pub issued_at: String,
}

fn issued_views(d: &AppState, list: &[duban_store::rankings::IssuedRanking]) -> Vec<IssuedView> {
    let tz = d.core().policy().timezone();
    list.iter()
        .map(|i| IssuedView {
            id: i.id,
            period: i.fields.ranking.span.to_string(),
            revision: i.fields.revision,
            supersedes: i.fields.supersedes,
            reason: i.fields.reason.clone(),
            issued_at: i.fields.issued_at.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "rankings.html")]
struct RankingsPage {
    nav: Nav,
    csrf: String,
    profile: String,
    title: String,
    period: String,
    period_label: String,
    query: String,
    profiles: Vec<(String, String, bool)>,
    periods: Vec<(String, String, bool)>,
    labels: Vec<String>,
    categories: Vec<CategoryView>,
    top_n: u32,
    trend_heads: Vec<String>,
    trend_rows: Vec<TrendRowView>,
    trend_svg: String,
    candidates: Vec<Candidate>,
    may_issue: bool,
    closed: bool,
    issued_this: Vec<IssuedView>,
    issued_all: Vec<IssuedView>,
    own_unit: Option<i64>,
}

fn done_text(done: &str) -> Option<&'static str> {
    Some(match done {
        "issued" => "排名已发布（冻结）。",
        "saved" => "评分规则已保存，排名按新权重计算。",
        "reset" => "已恢复内置评分规则。",
        "excused" => "已容错：该项不计分（按容错的评分规则）。",
        "withdrawn" => "已撤销容错。",
        _ => return None,
    })
}

pub async fn page(State(d): State<AppState>, v: Viewer, Query(q): Query<Params>) -> PageResult {
    let r = d.rankings();
    let (profile, span) = chosen(r, &q).await?;
    let history = r.history(&profile, span, rankings::TREND_PERIODS).await?;
    let ranking = history.last().map(|(_, x)| x.clone()).ok_or(Error::Internal)?;
    let trend = Rankings::trend(&history);
    let trend_heads: Vec<String> = trend
        .periods
        .iter()
        .map(|p| match p.source {
            TrendSource::Issued => format!("{}（已发布）", p.label),
            TrendSource::Live => p.label.clone(),
        })
        .collect();
    let series: Vec<(String, Vec<Option<Points>>)> = trend
        .rows
        .iter()
        .map(|row| (row.name.clone(), row.points.iter().map(|x| x.map(|(p, _)| p)).collect()))
        .collect();
    let trend_svg = trend_lines(&trend.periods.iter().map(|p| p.key.clone()).collect::<Vec<_>>(), &series);
    let all_profiles = r.profiles().await?;
    let issued_all = r.issued(Some(&profile.name), None).await?;
    let key = span.key();
    let issued_this: Vec<_> = issued_all.iter().filter(|i| i.fields.period == key).cloned().collect();
    let mut nav = Nav::new(Some(&v), "/rankings");
    if let Some(t) = done_text(&q.done) {
        nav = nav.flash("ok", t);
    }
    let page = RankingsPage {
        nav,
        csrf: v.csrf.clone(),
        profile: profile.name.clone(),
        title: if profile.title.is_empty() { profile.name.clone() } else { profile.title.clone() },
        period: span.key(),
        period_label: span.to_string(),
        query: query_of(&profile.name, &span),
        profiles: all_profiles
            .iter()
            .map(|e| {
                (
                    e.name.clone(),
                    if e.title.is_empty() { e.name.clone() } else { e.title.clone() },
                    e.name == profile.name,
                )
            })
            .collect(),
        periods: period_choices(r.today(), &span),
        labels: line_labels(&ranking, &profile),
        categories: categories(&ranking, profile.base, &v),
        top_n: profile.top,
        trend_heads,
        trend_rows: trend
            .rows
            .iter()
            .map(|row| TrendRowView {
                name: row.name.clone(),
                category: row.category.clone(),
                cells: row
                    .points
                    .iter()
                    .map(|x| x.map_or_else(|| "—".to_string(), |(p, rank)| format!("{p}（第{rank}名）")))
                    .collect(),
            })
            .collect(),
        trend_svg,
        candidates: Rankings::candidates(&history),
        may_issue: v.may::<RunLedgers>(),
        closed: span.to < r.today(),
        issued_this: issued_views(&d, &issued_this),
        issued_all: issued_views(&d, &issued_all),
        own_unit: v.person.fields.unit_id.map(|u| u.0),
    };
    Ok(render(&page, StatusCode::OK))
}

/// A line of a unit's breakdown as shown.
pub struct LineView {
    pub fact: String,
    /// The fact's key, percent-encoded for a link.
    pub fact_q: String,
    pub event: String,
    pub task: String,
    pub task_id: Option<i64>,
    pub day: String,
    pub points: String,
    pub negative: bool,
    pub label: String,
    pub clause: String,
    pub note: String,
    pub excused: bool,
}

#[derive(Template)]
#[template(path = "ranking_unit.html")]
struct UnitPage {
    nav: Nav,
    csrf: String,
    profile: String,
    period: String,
    period_label: String,
    query: String,
    unit: i64,
    name: String,
    category: String,
    rank: u32,
    total: String,
    base: String,
    lines: Vec<LineView>,
    may_excuse: bool,
    may_object: bool,
}

pub async fn unit(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<Params>) -> PageResult {
    if !Rankings::may_read_unit(&v.actor, UnitId(id)) {
        return Err(Error::Forbidden.into());
    }
    let r = d.rankings();
    let (profile, span) = chosen(r, &q).await?;
    let b = r.breakdown(&v.actor, &profile, span, UnitId(id)).await?;
    let mut nav = Nav::new(Some(&v), "/rankings");
    if let Some(t) = done_text(&q.done) {
        nav = nav.flash("ok", t);
    }
    let page = UnitPage {
        nav,
        csrf: v.csrf.clone(),
        profile: profile.name.clone(),
        period: span.key(),
        period_label: span.to_string(),
        query: query_of(&profile.name, &span),
        unit: id,
        name: b.row.name.clone(),
        category: b.row.category.clone(),
        rank: b.row.rank,
        total: b.row.total.to_string(),
        base: b.base.to_string(),
        lines: b
            .lines
            .iter()
            .map(|l| LineView {
                fact: l.line.fact.clone().unwrap_or_default(),
                fact_q: percent_encode(l.line.fact.as_deref().unwrap_or_default()),
                event: l.line.indicator.label().to_string(),
                task: l.task_label.clone(),
                task_id: l.line.task.filter(|_| l.task_visible).map(|t| t.0),
                day: l.line.day.map(|d| d.to_string()).unwrap_or_default(),
                points: l.line.points.to_string(),
                negative: l.line.points < Points::ZERO,
                label: l.line.label.clone(),
                clause: l.line.clause.clone(),
                excused: l.line.note.starts_with("容错"),
                note: l.line.note.clone(),
            })
            .collect(),
        may_excuse: v.may::<RunLedgers>(),
        may_object: v.person.fields.unit_id == Some(UnitId(id)),
    };
    Ok(render(&page, StatusCode::OK))
}

/// 容错 on a line (the office), then back to the unit's breakdown.
pub async fn tolerance(
    State(d): State<AppState>,
    v: Viewer,
    axum::extract::Form(form): axum::extract::Form<Fields>,
) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    let fact = form.get("fact").trim().trim_end_matches(":d").to_string();
    let withdraw = form.get("withdraw") == "1";
    let reason = if withdraw { None } else { Some(form.get("reason")) };
    d.assessment().excuse(&v.actor, &fact, reason).await?;
    let unit: i64 = form.get("unit").parse().map_err(|_| Error::invalid("unit", "单位编号无效"))?;
    Ok(see_other(&format!(
        "/rankings/units/{unit}?profile={}&period={}&done={}",
        percent_encode(form.get("profile")),
        percent_encode(form.get("period")),
        if withdraw { "withdrawn" } else { "excused" }
    )))
}

/// Issues (or revises) the ranking of a closed period, then shows the frozen copy.
pub async fn issue(
    State(d): State<AppState>,
    v: Viewer,
    axum::extract::Form(form): axum::extract::Form<Fields>,
) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    let span = Span::parse(form.get("period"))?;
    let i = d.rankings().issue(&v.actor, form.get("profile"), span, form.get("reason")).await?;
    Ok(see_other(&format!("/rankings/issued/{}?done=issued", i.id)))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct XlsxParams {
    profile: String,
    period: String,
    /// An issued ranking's id: its frozen copy.
    issued: Option<i64>,
}

pub async fn xlsx(State(d): State<AppState>, _v: Viewer, Query(q): Query<XlsxParams>) -> PageResult {
    let r = d.rankings();
    let (ranking, note) = match q.issued {
        Some(id) => {
            let i = r.issued_one(id).await?;
            let note = format!("第{}版，已发布", i.fields.revision);
            (i.fields.ranking, Some(note))
        }
        None => {
            let (p, span) = chosen(r, &Params { profile: q.profile, period: q.period, done: String::new() }).await?;
            (r.ranking(&p, span).await?, None)
        }
    };
    let bytes = rankings::xlsx(&ranking, note.as_deref())?;
    let name = percent_encode(&rankings::file_name(&ranking));
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename*=UTF-8''{name}")),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "ranking_issued.html")]
struct IssuedPage {
    nav: Nav,
    id: i64,
    title: String,
    profile: String,
    period_label: String,
    query: String,
    this: IssuedView,
    labels: Vec<String>,
    categories: Vec<CategoryView>,
    revisions: Vec<IssuedView>,
}

pub async fn issued(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>, Query(q): Query<Params>) -> PageResult {
    let r = d.rankings();
    let i = r.issued_one(id).await?;
    let revisions = r.issued(Some(&i.fields.profile), Some(&i.fields.period)).await?;
    let profile = ScoringProfile::parse(&i.fields.profile_toml)?;
    let mut nav = Nav::new(Some(&v), "/rankings");
    if let Some(t) = done_text(&q.done) {
        nav = nav.flash("ok", t);
    }
    let ranking = &i.fields.ranking;
    let page = IssuedPage {
        nav,
        id,
        title: if ranking.title.is_empty() { ranking.profile.clone() } else { ranking.title.clone() },
        profile: i.fields.profile.clone(),
        period_label: ranking.span.to_string(),
        query: query_of(&i.fields.profile, &ranking.span),
        this: issued_views(&d, std::slice::from_ref(&i)).remove(0),
        labels: line_labels(ranking, &profile),
        categories: categories(ranking, profile.base, &v),
        revisions: issued_views(&d, &revisions),
    };
    Ok(render(&page, StatusCode::OK))
}

/// A line of the weights form.
pub struct WeightView {
    pub id: String,
    pub label: String,
    pub points: String,
    pub weight: String,
    pub cap: String,
    pub clause: String,
}

#[derive(Template)]
#[template(path = "scoring.html")]
struct ScoringPage {
    nav: Nav,
    csrf: String,
    profile: String,
    title: String,
    saved: bool,
    builtin: bool,
    period: String,
    period_label: String,
    query: String,
    profiles: Vec<(String, String, bool)>,
    weights: Vec<WeightView>,
    preview: bool,
    labels: Vec<String>,
    categories: Vec<CategoryView>,
    error: Option<String>,
}

async fn scoring_page(
    d: &AppState,
    v: &Viewer,
    q: &Params,
    edited: Option<&[(String, Points)]>,
    error: Option<String>,
) -> PageResult {
    let r = d.rankings();
    let (saved_profile, span) = chosen(r, q).await?;
    let entry = r.profile_entry(&saved_profile.name).await?;
    let shown = match edited {
        Some(w) => saved_profile.with_weights(w).unwrap_or_else(|_| saved_profile.clone()),
        None => saved_profile.clone(),
    };
    let ranking = r.ranking(&shown, span).await?;
    let mut nav = Nav::new(Some(v), "/rankings");
    if let Some(t) = done_text(&q.done) {
        nav = nav.flash("ok", t);
    }
    let page = ScoringPage {
        nav,
        csrf: v.csrf.clone(),
        profile: shown.name.clone(),
        title: shown.title.clone(),
        saved: entry.saved,
        builtin: entry.builtin,
        period: span.key(),
        period_label: span.to_string(),
        query: query_of(&shown.name, &span),
        profiles: r
            .profiles()
            .await?
            .iter()
            .map(|e| {
                (
                    e.name.clone(),
                    if e.title.is_empty() { e.name.clone() } else { e.title.clone() },
                    e.name == shown.name,
                )
            })
            .collect(),
        weights: shown
            .lines
            .iter()
            .map(|l| WeightView {
                id: l.id.clone(),
                label: ScoringProfile::line_label(l),
                points: l.points.to_string(),
                weight: edited
                    .and_then(|w| w.iter().find(|(id, _)| id == &l.id))
                    .map_or_else(|| l.weight.to_string(), |(_, w)| w.to_string()),
                cap: l.cap.map(|c| c.to_string()).unwrap_or_default(),
                clause: l.clause.clone(),
            })
            .collect(),
        preview: edited.is_some(),
        labels: line_labels(&ranking, &shown),
        categories: categories(&ranking, shown.base, v),
        error,
    };
    Ok(render(&page, if page.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK }))
}

pub async fn scoring(State(d): State<AppState>, v: Viewer, Query(q): Query<Params>) -> PageResult {
    v.require::<RunLedgers>()?;
    scoring_page(&d, &v, &q, None, None).await
}

/// The weights form: 预览 (re-render with the edited weights, nothing saved), 保存 or 恢复默认.
pub async fn scoring_post(
    State(d): State<AppState>,
    v: Viewer,
    axum::extract::Form(form): axum::extract::Form<Fields>,
) -> PageResult {
    v.require::<RunLedgers>()?;
    v.check_csrf(form.get("csrf"))?;
    let q = Params {
        profile: form.get("profile").to_string(),
        period: form.get("period").to_string(),
        done: String::new(),
    };
    let mut weights = Vec::new();
    let mut bad = None;
    for (k, val) in &form.0 {
        if let Some(id) = k.strip_prefix("w.") {
            match Points::parse(val) {
                Some(p) => weights.push((id.to_string(), p)),
                None => bad = Some(format!("计分项“{id}”的权重“{val}”不是数字（最多两位小数）")),
            }
        }
    }
    let r = d.rankings();
    let back = |done: &str| {
        format!("/scoring?profile={}&period={}&done={done}", percent_encode(&q.profile), percent_encode(&q.period))
    };
    match form.get("action") {
        "reset" => {
            r.reset(&v.actor, &q.profile).await?;
            Ok(see_other(&back("reset")))
        }
        "save" if bad.is_none() => match r.save_weights(&v.actor, &q.profile, &weights).await {
            Ok(_) => Ok(see_other(&back("saved"))),
            Err(e @ Error::Invalid { .. }) => scoring_page(&d, &v, &q, Some(&weights), Some(e.to_string())).await,
            Err(e) => Err(e.into()),
        },
        _ => {
            if let Some(e) = bad {
                return scoring_page(&d, &v, &q, None, Some(e)).await;
            }
            match r.with_weights(&q.profile, &weights).await {
                Ok(_) => scoring_page(&d, &v, &q, Some(&weights), None).await,
                Err(e @ Error::Invalid { .. }) => scoring_page(&d, &v, &q, None, Some(e.to_string())).await,
                Err(e) => Err(e.into()),
            }
        }
    }
}
