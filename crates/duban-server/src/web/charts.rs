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
        r#"<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="各单位{}和{}" xmlns="http://www.w3.org/2000/svg">"#,
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
                        r#"<text x="{}" y="{}" font-size="11" fill="{GREY}">本期无到期任务，不计比率</text>"#,
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
        r#"<svg class="chart" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="逾期任务数按周变化" xmlns="http://www.w3.org/2000/svg">"#
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
    /// 逾期天数 when an open task is past its due date: drawn as a red bar from the due date to
    /// today, so that the worst items are the most visible.
    pub overdue_days: Option<i32>,
}

/// The span a battle map shows, and how its axis is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapSpan {
    /// A month: a tick every few days.
    Month,
    /// A quarter: a tick at every month and every Monday.
    Quarter,
    /// A year, or the whole ledger: a tick at every month.
    Year,
    Whole,
}

impl MapSpan {
    pub fn parse(s: &str) -> Self {
        match s.trim() {
            "month" => Self::Month,
            "quarter" => Self::Quarter,
            "year" => Self::Year,
            _ => Self::Whole,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
            Self::Whole => "all",
        }
    }

    /// The dates this span covers around `today`; `None` for the whole ledger.
    pub fn around(self, today: Date) -> Option<(Date, Date)> {
        let q0 = (today.month() - 1) / 3 * 3 + 1;
        match self {
            Self::Month => Some((today.first_of_month(), today.last_of_month())),
            Self::Quarter => {
                let first = Date::new(today.year(), q0, 1).ok()?;
                let last = Date::new(today.year(), q0 + 2, 1).ok()?.last_of_month();
                Some((first, last))
            }
            Self::Year => Some((Date::new(today.year(), 1, 1).ok()?, Date::new(today.year(), 12, 31).ok()?)),
            Self::Whole => None,
        }
    }

    /// The axis's caption: 2026年3月, 2026年第一季度, 2026年, or the dates of the whole ledger.
    pub fn caption(self, from: Date, to: Date) -> String {
        match self {
            Self::Month => format!("{}年{}月", from.year(), from.month()),
            Self::Quarter => {
                let q = ["一", "二", "三", "四"][usize::try_from((from.month() - 1) / 3).unwrap_or(0).min(3)];
                format!("{}年第{q}季度", from.year())
            }
            Self::Year => format!("{}年", from.year()),
            Self::Whole => format!("{from} 至 {to}"),
        }
    }
}

/// Text on the map is never under this size (CSS px; the map is drawn at 1 unit = 1 px).
pub const MIN_TEXT_PX: f64 = 11.0;

/// The battle map (挂图作战): each group's tasks as bars on a time axis from `from` to `to`,
/// milestones as diamonds, a line for today; an open task past its due date carries a red bar
/// from its due date to today with its 逾期天数. The axis is captioned and ticked for `span`.
pub fn battle_map(groups: &[(String, Vec<MapTask>)], from: Date, to: Date, today: Date, span: MapSpan) -> String {
    let (label_w, chart_w, row_h, head_h) = (300.0, 820.0, 24.0, 58.0);
    let days = (to - from).get_days().max(1) as f64;
    let x = |d: Date| label_w + chart_w * ((d - from).get_days() as f64 / days).clamp(0.0, 1.0);
    let rows: usize = groups.iter().map(|g| g.1.len() + 1).sum();
    let height = head_h + row_h * rows as f64 + 10.0;
    let width = label_w + chart_w + 20.0;
    let mut s = format!(
        r#"<svg class="chart battle-map" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="挂图作战：任务时间轴（{}）" xmlns="http://www.w3.org/2000/svg">"#,
        esc(&span.caption(from, to))
    );
    let _ = write!(s, r#"<text x="6" y="18" font-size="14" font-weight="600">{}</text>"#, esc(&span.caption(from, to)));
    let tick = |s: &mut String, d: Date, label: String, strong: bool| {
        let mx = x(d);
        let stroke = if strong { "#d1d9e0" } else { "#eef1f4" };
        let _ = write!(
            s,
            r##"<line x1="{mx:.1}" x2="{mx:.1}" y1="{}" y2="{height}" stroke="{stroke}"/><text x="{:.1}" y="{}" font-size="{MIN_TEXT_PX}">{}</text>"##,
            head_h - 14.0,
            mx + 2.0,
            head_h - 18.0,
            label
        );
    };
    match span {
        MapSpan::Month => {
            for day in [1, 5, 10, 15, 20, 25] {
                if let Ok(d) = Date::new(from.year(), from.month(), day) {
                    tick(&mut s, d, format!("{}日", day), day == 1);
                }
            }
        }
        MapSpan::Quarter | MapSpan::Year | MapSpan::Whole => {
            let many_years = to.year() > from.year();
            let mut m = from.first_of_month();
            while m <= to {
                if m >= from {
                    let label = if many_years || span == MapSpan::Whole {
                        format!("{}年{}月", m.year(), m.month())
                    } else {
                        format!("{}月", m.month())
                    };
                    tick(&mut s, m, label, true);
                    if span == MapSpan::Quarter {
                        // Mondays between months, unlabelled but for their day.
                        let mut w = m;
                        while w.weekday() != jiff::civil::Weekday::Monday {
                            let Ok(n) = w.tomorrow() else { break };
                            w = n;
                        }
                        let room = m.last_of_month().day() - 4;
                        while w.month() == m.month() && w <= to {
                            // Clear of the month's own label and of the next month's.
                            if w.day() > 3 && w.day() < room {
                                tick(&mut s, w, format!("{}日", w.day()), false);
                            }
                            let Ok(n) = w.checked_add(jiff::Span::new().days(7)) else { break };
                            w = n;
                        }
                    }
                }
                let Ok(next) = m.checked_add(jiff::Span::new().months(1)) else { break };
                m = next;
            }
        }
    }
    let mut row = 0usize;
    for (group, tasks) in groups {
        let y = head_h + row_h * row as f64;
        let _ = write!(
            s,
            r##"<rect x="0" y="{y:.1}" width="{width}" height="{row_h}" fill="#f6f8fa"/><text x="6" y="{:.1}" font-size="13" font-weight="600">{} （{} 项）</text>"##,
            y + 16.0,
            esc(group),
            tasks.len()
        );
        row += 1;
        for t in tasks {
            let y = head_h + row_h * row as f64;
            let title: String = t.title.chars().take(20).collect();
            let more = if t.title.chars().count() > 20 { "…" } else { "" };
            let _ = write!(
                s,
                r#"<text x="14" y="{:.1}" font-size="12">{}{more}<title>{}</title></text>"#,
                y + 16.0,
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
            match (t.end, t.overdue_days) {
                (Some(end), Some(n)) if !t.closed && end < today => {
                    // The planned span, pale; then the red bar of the days overdue, to today.
                    let xe = x(end);
                    if xe > x0 {
                        let _ = write!(
                            s,
                            r#"<rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="14" rx="3" fill="{RED}" opacity="0.25"><title>{} — {}</title></rect>"#,
                            y + 5.0,
                            xe - x0,
                            t.start,
                            end
                        );
                    }
                    let xt = x(today).max(xe + 4.0);
                    let _ = write!(
                        s,
                        r#"<rect class="overdue" x="{xe:.1}" y="{:.1}" width="{:.1}" height="14" fill="{RED}"><title>{end} 到期，已逾期 {n} 个工作日</title></rect><text x="{:.1}" y="{:.1}" font-size="{MIN_TEXT_PX}" fill="{RED}" font-weight="600">逾期{n}天</text>"#,
                        y + 5.0,
                        xt - xe,
                        (xt + 4.0).min(label_w + chart_w - 50.0),
                        y + 16.0
                    );
                }
                (Some(end), _) => {
                    let x1 = x(end).max(x0 + 2.0);
                    let _ = write!(
                        s,
                        r#"<rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="14" rx="3" fill="{color}" opacity="0.85"><title>{} — {}</title></rect>"#,
                        y + 5.0,
                        x1 - x0,
                        t.start,
                        end
                    );
                }
                (None, _) => {
                    let _ = write!(
                        s,
                        r#"<rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="14" fill="{color}" opacity="0.35"><title>长期任务</title></rect>"#,
                        y + 5.0,
                        (label_w + chart_w - x0).max(2.0)
                    );
                }
            }
            for (d, text) in &t.milestones {
                if *d < from || *d > to {
                    continue;
                }
                let mx = x(*d);
                let my = y + 12.0;
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
        assert!(svg.contains("50.0%") && svg.contains("本期无到期任务，不计比率"));
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
            overdue_days: None,
        };
        let svg = battle_map(
            &[("甲局".into(), vec![t])],
            date(2026, 1, 1),
            date(2026, 12, 31),
            date(2026, 3, 2),
            MapSpan::Whole,
        );
        assert!(svg.contains("今天") && svg.contains(RED) && svg.contains("2026年4月"));
        assert!(svg.contains("甲局 （1 项）") && svg.contains("上线"));
        assert_eq!(svg.matches("<path").count(), 1);
    }

    fn font_sizes(svg: &str) -> Vec<f64> {
        svg.split("font-size=\"").skip(1).map(|p| p.split('"').next().unwrap().parse().unwrap()).collect()
    }

    #[test]
    fn an_overdue_task_is_a_red_bar_from_its_due_date_to_today() {
        let late = MapTask {
            title: "逾期的任务".into(),
            start: date(2026, 1, 5),
            end: Some(date(2026, 2, 2)),
            light: "red",
            closed: false,
            milestones: vec![],
            overdue_days: Some(20),
        };
        let (from, to) = MapSpan::Quarter.around(date(2026, 3, 2)).unwrap();
        assert_eq!((from, to), (date(2026, 1, 1), date(2026, 3, 31)));
        let svg = battle_map(&[("甲局".into(), vec![late])], from, to, date(2026, 3, 2), MapSpan::Quarter);
        let bar = svg.split(r#"<rect class="overdue" "#).nth(1).unwrap();
        let attr = |name: &str| -> f64 {
            bar.split(&format!("{name}=\"")).nth(1).unwrap().split('"').next().unwrap().parse().unwrap()
        };
        // 2026-02-02 is day 32 of 89, 03-02 day 60: the bar spans the days overdue, wide, not a tick.
        let days = 89.0;
        assert!((attr("x") - (300.0 + 820.0 * 32.0 / days)).abs() < 0.2, "{bar}");
        assert!((attr("width") - 820.0 * 28.0 / days).abs() < 0.2, "{bar}");
        assert!(svg.contains("逾期20天") && svg.contains("2026年第一季度"));
        assert!(svg.contains(">1月<") && svg.contains(">2月<") && svg.contains(">3月<"));
        assert!(font_sizes(&svg).iter().all(|s| *s >= MIN_TEXT_PX), "{:?}", font_sizes(&svg));
        // Drawn at its own size: one unit is one pixel.
        assert!(svg.contains(r#"width="1140""#));
    }

    #[test]
    fn each_span_marks_its_axis() {
        let today = date(2026, 5, 13);
        let (f, t) = MapSpan::Month.around(today).unwrap();
        assert_eq!((f, t), (date(2026, 5, 1), date(2026, 5, 31)));
        let svg = battle_map(&[], f, t, today, MapSpan::Month);
        assert!(svg.contains("2026年5月") && svg.contains(">15日<"));
        let (f, t) = MapSpan::Year.around(today).unwrap();
        let svg = battle_map(&[], f, t, today, MapSpan::Year);
        assert!(svg.contains(">2026年<") && svg.contains(">12月<"));
        assert_eq!(MapSpan::parse("quarter"), MapSpan::Quarter);
        assert_eq!(MapSpan::parse("x"), MapSpan::Whole);
    }
}
