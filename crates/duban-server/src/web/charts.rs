//! Charts drawn on the server as SVG (no script, printable, readable at any zoom): the rates by
//! unit, the weekly overdue trend and the battle map. Every text is escaped here.

use jiff::civil::Date;
use std::fmt::Write;

/// Escapes text for SVG/HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const GREEN: &str = "#1a7f37";
const YELLOW: &str = "#d4a72c";
const RED: &str = "#cf222e";
const GREY: &str = "#8c959f";
const BLUE: &str = "#0550ae";

/// Grouped horizontal bars: for each unit, two rates in per cent.
pub fn rate_bars(rows: &[(String, Option<f64>, Option<f64>)], legend: [&str; 2]) -> String {
    let label_w = 230.0;
    let bar_w = 480.0;
    let row_h = 34.0;
    let top = 30.0;
    let height = top + row_h * rows.len() as f64 + 10.0;
    let width = label_w + bar_w + 70.0;
    let mut s = format!(
        r#"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="各单位{}和{}" xmlns="http://www.w3.org/2000/svg">"#,
        esc(legend[0]),
        esc(legend[1])
    );
    let colors = [BLUE, GREEN];
    for (i, (name, color)) in legend.iter().zip(colors).enumerate() {
        let x = label_w + i as f64 * 160.0;
        let _ = write!(
            s,
            r#"<rect x="{x}" y="6" width="14" height="14" fill="{color}"/><text x="{}" y="18" font-size="13">{}</text>"#,
            x + 20.0,
            esc(name)
        );
    }
    for (i, (unit, a, b)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" font-size="13" text-anchor="end">{}</text>"#,
            label_w - 8.0,
            y + 20.0,
            esc(unit)
        );
        for (j, (v, color)) in [(a, colors[0]), (b, colors[1])].into_iter().enumerate() {
            let by = y + 4.0 + j as f64 * 13.0;
            match v {
                Some(p) => {
                    let w = bar_w * p / 100.0;
                    let _ = write!(
                        s,
                        r#"<rect x="{label_w}" y="{by}" width="{w:.1}" height="11" fill="{color}"><title>{p:.1}%</title></rect><text x="{:.1}" y="{}" font-size="11">{p:.1}%</text>"#,
                        label_w + w + 4.0,
                        by + 10.0
                    );
                }
                None => {
                    let _ = write!(
                        s,
                        r#"<text x="{}" y="{}" font-size="11" fill="{GREY}">尚无应计</text>"#,
                        label_w + 4.0,
                        by + 10.0
                    );
                }
            }
        }
    }
    s.push_str("</svg>");
    s
}

/// A line of counts over weeks.
pub fn weekly_line(points: &[(String, u32)]) -> String {
    let (w, h, left, bottom, top) = (760.0, 260.0, 50.0, 40.0, 20.0);
    let max = points.iter().map(|p| p.1).max().unwrap_or(0).max(1);
    let step = if points.len() > 1 { (w - left - 20.0) / (points.len() - 1) as f64 } else { 0.0 };
    let y = |v: u32| top + (h - top - bottom) * (1.0 - f64::from(v) / f64::from(max));
    let mut s = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-label="逾期任务数按周变化" xmlns="http://www.w3.org/2000/svg">"#
    );
    for k in 0..=4 {
        let v = max * k / 4;
        let _ = write!(
            s,
            r##"<line x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#d1d9e0"/><text x="{}" y="{:.1}" font-size="11" text-anchor="end">{v}</text>"##,
            w - 10.0,
            left - 6.0,
            y(v) + 4.0,
            y = y(v)
        );
    }
    let path: Vec<String> =
        points.iter().enumerate().map(|(i, p)| format!("{:.1},{:.1}", left + step * i as f64, y(p.1))).collect();
    let _ = write!(s, r#"<polyline fill="none" stroke="{RED}" stroke-width="2.5" points="{}"/>"#, path.join(" "));
    for (i, (label, v)) in points.iter().enumerate() {
        let x = left + step * i as f64;
        let _ = write!(
            s,
            r#"<circle cx="{x:.1}" cy="{:.1}" r="3.5" fill="{RED}"><title>{} {v} 项</title></circle><text x="{x:.1}" y="{}" font-size="11" text-anchor="middle">{}</text>"#,
            y(*v),
            esc(label),
            h - bottom + 18.0,
            esc(label)
        );
    }
    s.push_str("</svg>");
    s
}

/// One task on the battle map.
pub struct MapTask {
    pub title: String,
    pub start: Date,
    pub end: Option<Date>,
    /// green / yellow / red, or empty.
    pub light: &'static str,
    pub closed: bool,
    pub milestones: Vec<(Date, String)>,
}

/// The battle map (挂图作战): each group's tasks as bars on a time axis from `from` to `to`,
/// milestones as diamonds, a line for today.
pub fn battle_map(groups: &[(String, Vec<MapTask>)], from: Date, to: Date, today: Date) -> String {
    let (label_w, chart_w, row_h, head_h) = (300.0, 820.0, 22.0, 40.0);
    let days = (to - from).get_days().max(1) as f64;
    let x = |d: Date| label_w + chart_w * ((d - from).get_days() as f64 / days).clamp(0.0, 1.0);
    let rows: usize = groups.iter().map(|g| g.1.len() + 1).sum();
    let height = head_h + row_h * rows as f64 + 10.0;
    let width = label_w + chart_w + 20.0;
    let mut s = format!(
        r#"<svg class="chart battle-map" viewBox="0 0 {width} {height}" role="img" aria-label="挂图作战：任务时间轴" xmlns="http://www.w3.org/2000/svg">"#
    );
    // Month ticks.
    let mut m = Date::new(from.year(), from.month(), 1).unwrap_or(from);
    while m <= to {
        if m >= from {
            let mx = x(m);
            let _ = write!(
                s,
                r##"<line x1="{mx:.1}" x2="{mx:.1}" y1="{}" y2="{height}" stroke="#eaeef2"/><text x="{:.1}" y="{}" font-size="11">{}年{}月</text>"##,
                head_h - 14.0,
                mx + 2.0,
                head_h - 18.0,
                m.year(),
                m.month()
            );
        }
        let Ok(next) = m.checked_add(jiff::Span::new().months(1)) else { break };
        m = next;
    }
    let mut row = 0usize;
    for (group, tasks) in groups {
        let y = head_h + row_h * row as f64;
        let _ = write!(
            s,
            r##"<rect x="0" y="{y:.1}" width="{width}" height="{row_h}" fill="#f6f8fa"/><text x="6" y="{:.1}" font-size="13" font-weight="600">{} （{} 项）</text>"##,
            y + 15.0,
            esc(group),
            tasks.len()
        );
        row += 1;
        for t in tasks {
            let y = head_h + row_h * row as f64;
            let title: String = t.title.chars().take(22).collect();
            let more = if t.title.chars().count() > 22 { "…" } else { "" };
            let _ = write!(
                s,
                r#"<text x="14" y="{:.1}" font-size="12">{}{more}<title>{}</title></text>"#,
                y + 15.0,
                esc(&title),
                esc(&t.title)
            );
            let color = match (t.closed, t.light) {
                (true, _) => GREY,
                (_, "red") => RED,
                (_, "yellow") => YELLOW,
                _ => GREEN,
            };
            let x0 = x(t.start);
            match t.end {
                Some(end) => {
                    let x1 = x(end).max(x0 + 2.0);
                    let _ = write!(
                        s,
                        r#"<rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="12" rx="3" fill="{color}" opacity="0.85"><title>{} — {}</title></rect>"#,
                        y + 5.0,
                        x1 - x0,
                        t.start,
                        end
                    );
                }
                None => {
                    let _ = write!(
                        s,
                        r#"<rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="12" fill="{color}" opacity="0.35"><title>长期任务</title></rect>"#,
                        y + 5.0,
                        (label_w + chart_w - x0).max(2.0)
                    );
                }
            }
            for (d, text) in &t.milestones {
                let mx = x(*d);
                let my = y + 11.0;
                let _ = write!(
                    s,
                    r##"<path d="M{mx:.1} {:.1} L{:.1} {my:.1} L{mx:.1} {:.1} L{:.1} {my:.1} Z" fill="#1f2328"><title>{} {}</title></path>"##,
                    my - 6.0,
                    mx + 6.0,
                    my + 6.0,
                    mx - 6.0,
                    d,
                    esc(text)
                );
            }
            row += 1;
        }
    }
    if today >= from && today <= to {
        let tx = x(today);
        let _ = write!(
            s,
            r#"<line x1="{tx:.1}" x2="{tx:.1}" y1="{}" y2="{height}" stroke="{RED}" stroke-width="2" stroke-dasharray="4 3"/><text x="{:.1}" y="{}" font-size="12" fill="{RED}">今天</text>"#,
            head_h - 6.0,
            tx + 3.0,
            head_h - 2.0
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn texts_are_escaped_and_missing_rates_are_said() {
        let svg = rate_bars(&[("<甲&局>".into(), Some(50.0), None)], ["按时签收率", "按时办结率"]);
        assert!(svg.contains("&lt;甲&amp;局&gt;") && !svg.contains("<甲"));
        assert!(svg.contains("50.0%") && svg.contains("尚无应计"));
    }

    #[test]
    fn the_map_puts_today_and_bars_where_their_dates_are() {
        let t = MapTask {
            title: "推行一照通办".into(),
            start: date(2026, 1, 1),
            end: Some(date(2026, 7, 1)),
            light: "red",
            closed: false,
            milestones: vec![(date(2026, 4, 1), "上线".into())],
        };
        let svg = battle_map(&[("甲局".into(), vec![t])], date(2026, 1, 1), date(2026, 12, 31), date(2026, 3, 2));
        assert!(svg.contains("今天") && svg.contains(RED) && svg.contains("2026年4月"));
        assert!(svg.contains("甲局 （1 项）") && svg.contains("上线"));
        assert_eq!(svg.matches("<path").count(), 1);
    }
}
