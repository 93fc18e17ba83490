//! Plain-text tables for the terminal, aligned for Chinese (a CJK character is two columns).

use duban_domain::policy::Policy;
use duban_domain::schedule::Schedule;
use jiff::Timestamp;
use std::fmt::Write;

/// Display width: two columns for wide (CJK and full-width) characters.
pub fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6 => 2,
            _ => 1,
        })
        .sum()
}

/// Rows as aligned columns separated by two spaces.
pub fn render(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..cols).map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| width(s)).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < r.len() {
                line.push_str(&" ".repeat(widths[c] - width(cell) + 2));
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

pub fn policy(p: &Policy) -> String {
    let mut out = format!("规则配置：{}（{}）\n", p.name, p.title);
    let s = &p.settings;
    let _ = writeln!(
        out,
        "下班时间 {}（{}），黄灯：剩余 {} 个工作日及以内，最多延期 {} 次\n",
        s.end_of_day.strftime("%H:%M"),
        s.timezone,
        s.yellow_within,
        s.max_extensions
    );
    let mut rows = vec![["规则", "环节", "起算", "止于", "时限", "适用", "依据"].map(String::from).to_vec()];
    for r in &p.rules {
        rows.push(vec![
            r.id.clone(),
            r.name.clone(),
            r.start.label().to_string(),
            r.stop.label().to_string(),
            r.duration.describe(),
            r.when.describe(),
            r.clause.clone(),
        ]);
    }
    out.push_str(&render(&rows));
    if !p.cadences.is_empty() {
        out.push_str("\n报告频次：\n");
        let mut rows = vec![["名称", "频次", "适用", "依据"].map(String::from).to_vec()];
        for c in &p.cadences {
            rows.push(vec![c.name.clone(), c.every.label().to_string(), c.when.describe(), c.clause.clone()]);
        }
        out.push_str(&render(&rows));
    }
    out
}

pub fn due(p: &Policy, received: Timestamp, s: &Schedule) -> String {
    let tz = p.timezone();
    let mut out = format!(
        "规则配置：{}；交办时间：{}（{}）\n\n",
        p.name,
        received.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M"),
        p.settings.timezone
    );
    let mut rows = vec![["环节", "时限", "起算日", "截止日期", "黄灯起", "依据"].map(String::from).to_vec()];
    for st in &s.stages {
        let due = match (&st.due, &st.problem) {
            (Some(d), _) => format!("{d}{}", if st.provisional { "（暂定）" } else { "" }),
            (None, Some(_)) => "无法计算".into(),
            (None, None) => format!("待{}后起算", st.start.label()),
        };
        rows.push(vec![
            st.name.clone(),
            st.duration.describe(),
            st.counts_from.map(|d| d.to_string()).unwrap_or_default(),
            due,
            st.warn_from.map(|d| d.to_string()).unwrap_or_default(),
            st.clause.clone(),
        ]);
    }
    out.push_str(&render(&rows));
    out
}

/// An import preview: one row per task.
pub fn preview(p: &duban_import::Preview) -> String {
    use duban_import::WarningCode as W;
    let d = &p.document;
    let mut out = format!(
        "文件：{}；文号：{}；发文日期：{}；发文机关：{}\n共 {} 项任务\n\n",
        d.title,
        d.doc_number.as_deref().unwrap_or("—"),
        d.issued.map_or("—".to_string(), |d| d.to_string()),
        if d.issuer.is_empty() { "—" } else { &d.issuer },
        p.tasks.len()
    );
    let mut rows =
        vec![["附件", "序号", "牵头单位", "配合单位", "完成时限", "提示", "任务"].map(String::from).to_vec()];
    for t in &p.tasks {
        let flags: Vec<&str> = t
            .warnings
            .iter()
            .map(|w| match w.code {
                W::MultipleLeads => "多个牵头",
                W::NoLead => "无牵头",
                W::LeadProposed => "牵头待确认",
                W::LeadNotMarked => "未标明牵头",
                W::NoDeadline => "无时限",
                W::Ongoing => "长期",
                W::UnknownUnit => "未知单位",
                W::DeadlineBeforeIssue => "时限早于发文",
                W::Truncated => "原文过长已截断",
            })
            .collect();
        let mut coop = t.cooperating.join("、");
        if coop.chars().count() > 24 {
            coop = coop.chars().take(23).collect::<String>() + "…";
        }
        rows.push(vec![
            t.annex.map(|a| a.to_string()).unwrap_or_default(),
            t.number.clone(),
            t.lead.join("、"),
            coop,
            t.deadline.map(|d| d.to_string()).unwrap_or_default(),
            flags.join("、"),
            t.text.chars().take(24).collect(),
        ]);
    }
    out.push_str(&render(&rows));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_columns_line_up() {
        assert_eq!(width("签收"), 4);
        assert_eq!(width("3wd"), 3);
        assert_eq!(width("（1）"), 5);
        let t = render(&[vec!["签收".into(), "x".into()], vec!["ab".into(), "y".into()]]);
        assert_eq!(t, "签收  x\nab    y\n");
    }
}
