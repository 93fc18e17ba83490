//! The pages of whole histories and enterprise-side statistics (issue 14 §6):
//!
//! - `/units/{id}/service`: a unit's service history — the tasks it leads of the four service
//!   sources with their lights, its people's visits and on-site records, the demands it leads
//!   (1/3/30 on time or late), the procedures it is responsible for (kept / missed).
//! - `/service/stats?month=2026-11`: the month's figures, problems first, with server SVG bars;
//!   `/service/stats.xlsx?month=` the same as a sheet.
//!
//! The enterprise's own history is on its registry page (`/enterprises/{id}`, see `registry`).
//! Every task passes the one visibility rule (`duban_app::service_views`).

use super::errors::render;
use super::{AppState, Nav, Viewer, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use duban_app::service_views::{DemandLine, MonthStats, UnitService};
use duban_domain::ids::UnitId;
use serde::Deserialize;

type PageResult = Result<Response, WebError>;

/// One bar of a chart, laid out on the server.
pub struct Bar {
    pub label: String,
    pub value: String,
    pub y: u32,
    pub width: u32,
}

/// Bars of `(label, n)` scaled to 360 px, 26 px apart.
fn bars(items: &[(String, u32)]) -> Vec<Bar> {
    let max = items.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    items
        .iter()
        .enumerate()
        .map(|(i, (label, n))| Bar {
            label: label.clone(),
            value: n.to_string(),
            y: 26 * i as u32,
            width: (n * 360).div_ceil(max),
        })
        .collect()
}

/// Bars of shares in per cent, scaled to 360 px for 100%.
fn share_bars(items: &[(&str, duban_domain::service_stats::Share)]) -> Vec<Bar> {
    items
        .iter()
        .enumerate()
        .map(|(i, (label, s))| Bar {
            label: (*label).to_string(),
            value: s.text(),
            y: 26 * i as u32,
            width: s.percent().map_or(0, |p| (p * 3.6).round() as u32),
        })
        .collect()
}

fn demand_verdict(d: &DemandLine) -> (&'static str, &'static str) {
    let word = |v: Option<bool>| match v {
        Some(true) => "按时",
        Some(false) => "超时",
        None => "未到期",
    };
    (word(d.contact_on_time), word(d.solve_on_time))
}

#[derive(Template)]
#[template(path = "unit_service.html")]
struct UnitPage {
    nav: Nav,
    tab: &'static str,
    s: UnitService,
    demands: Vec<(DemandLine, &'static str, &'static str)>,
}

/// A unit's whole service history.
pub async fn unit(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>) -> PageResult {
    let s = d.service_views().unit(&v.actor, UnitId(id)).await?;
    let demands = s.demands.iter().map(|x| (x.clone(), demand_verdict(x).0, demand_verdict(x).1)).collect();
    let page = UnitPage { nav: Nav::new(Some(&v), "/enterprises"), tab: "", s, demands };
    Ok(render(&page, StatusCode::OK))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MonthParams {
    month: String,
}

async fn month_stats(d: &AppState, v: &Viewer, month: &str) -> Result<MonthStats, WebError> {
    let month = if month.trim().is_empty() {
        let today = d.core().now().to_zoned(d.core().policy().timezone()).date();
        format!("{:04}-{:02}", today.year(), today.month())
    } else {
        month.trim().to_string()
    };
    Ok(d.service_views().stats(&v.actor, &month).await?)
}

#[derive(Template)]
#[template(path = "service_stats.html")]
struct StatsPage {
    nav: Nav,
    tab: &'static str,
    m: MonthStats,
    lines: Vec<(String, String)>,
    kinds: Vec<Bar>,
    channels: Vec<Bar>,
    shares: Vec<Bar>,
    kinds_height: u32,
    channels_height: u32,
}

/// The month's enterprise-side statistics.
pub async fn stats(State(d): State<AppState>, v: Viewer, Query(p): Query<MonthParams>) -> PageResult {
    let m = month_stats(&d, &v, &p.month).await?;
    let s = &m.stats;
    let kinds = bars(&s.by_kind.iter().map(|c| (c.label.to_string(), c.n)).collect::<Vec<_>>());
    let channels = bars(&s.by_channel.iter().map(|c| (c.label.to_string(), c.n)).collect::<Vec<_>>());
    let shares = share_bars(&[
        ("1日内联系", s.contacted_in_1),
        ("3日内解决", s.solved_in_3),
        ("疑难30日内解决", s.solved_in_30),
        ("满意率", s.satisfaction_rate),
        ("走访覆盖", s.coverage),
    ]);
    let page = StatsPage {
        nav: Nav::new(Some(&v), "/enterprises"),
        tab: "stats",
        lines: m.lines(),
        kinds_height: 26 * kinds.len().max(1) as u32,
        channels_height: 26 * channels.len().max(1) as u32,
        kinds,
        channels,
        shares,
        m,
    };
    Ok(render(&page, StatusCode::OK))
}

/// The month's statistics as .xlsx.
pub async fn stats_xlsx(State(d): State<AppState>, v: Viewer, Query(p): Query<MonthParams>) -> PageResult {
    let m = month_stats(&d, &v, &p.month).await?;
    let bytes = m.xlsx()?;
    let name = crate::http::percent_encode(&format!("企业服务统计-{}.xlsx", m.month));
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename*=UTF-8''{name}")),
        ],
        bytes,
    )
        .into_response())
}
