//! Time-limit rules as data (REQUIREMENTS §3).
//!
//! A policy is a TOML file. Each rule names the stage it times, the event that starts the clock,
//! the event that stops it, a duration, the conditions under which it applies and its warning
//! threshold. Rules that time the same stage are alternatives: the first whose conditions match
//! the task applies. Built-in profiles reproduce the seed documents; a deployment picks one with
//! `profile = "…"` in its own file and overrides any rule by id, or any setting.
//!
//! ```toml
//! profile = "x-district-2022"
//! [settings]
//! end_of_day = "18:00"
//! [[rules]]
//! id = "sign"
//! duration = "2wd"
//! ```

pub use crate::facts::{ClockEvent, TaskFacts};
use crate::facts::{Complexity, Priority, Source};
use crate::{Error, vocabulary};
use jiff::civil::Time;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How long a rule allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    WorkingDays(u32),
    CalendarDays(u32),
    /// Whole months, clamped to the end of the target month.
    Months(u32),
    /// Due the same working day.
    SameDay,
    /// The task's own deadline.
    Deadline,
}

impl FromStr for Limit {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let t = s.trim();
        let bad = || {
            Error::invalid(
                "duration",
                format!(
                    "时限“{s}”无法识别，可写 3wd（工作日）、15d（自然日）、1mo（月）、same-day（当日）或 deadline（任务时限）"
                ),
            )
        };
        match t {
            "same-day" | "same_day" | "当日" | "当天" => return Ok(Limit::SameDay),
            "deadline" | "任务时限" => return Ok(Limit::Deadline),
            _ => {}
        }
        let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
        let n: u32 = digits.parse().map_err(|_| bad())?;
        if n > 3650 {
            return Err(bad());
        }
        match t[digits.len()..].trim() {
            "wd" | "个工作日" | "工作日" => Ok(Limit::WorkingDays(n)),
            "d" | "天" | "日" => Ok(Limit::CalendarDays(n)),
            "mo" | "个月" | "月" => Ok(Limit::Months(n)),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::WorkingDays(n) => write!(f, "{n}wd"),
            Limit::CalendarDays(n) => write!(f, "{n}d"),
            Limit::Months(n) => write!(f, "{n}mo"),
            Limit::SameDay => f.write_str("same-day"),
            Limit::Deadline => f.write_str("deadline"),
        }
    }
}

impl Limit {
    /// In Chinese, for people.
    pub fn describe(&self) -> String {
        match self {
            Limit::WorkingDays(n) => format!("{n} 个工作日"),
            Limit::CalendarDays(n) => format!("{n} 天"),
            Limit::Months(n) => format!("{n} 个月"),
            Limit::SameDay => "当日".into(),
            Limit::Deadline => "任务自身时限".into(),
        }
    }
}

impl Serialize for Limit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(|e: Error| serde::de::Error::custom(e.to_string()))
    }
}

/// When a rule applies. An empty list means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Conditions {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub source: Vec<Source>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub priority: Vec<Priority>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub complexity: Vec<Complexity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_deadline: Option<bool>,
}

impl Conditions {
    pub fn matches(&self, t: &TaskFacts) -> bool {
        (self.source.is_empty() || self.source.contains(&t.source))
            && (self.priority.is_empty() || self.priority.contains(&t.priority))
            && (self.complexity.is_empty() || self.complexity.contains(&t.complexity))
            && self.has_deadline.is_none_or(|h| h == t.deadline.is_some())
    }

    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        let join = |v: Vec<&str>| v.join("/");
        if !self.source.is_empty() {
            parts.push(format!("来源：{}", join(self.source.iter().map(|s| s.label()).collect())));
        }
        if !self.priority.is_empty() {
            parts.push(format!("优先级：{}", join(self.priority.iter().map(|s| s.label()).collect())));
        }
        if !self.complexity.is_empty() {
            parts.push(format!("复杂程度：{}", join(self.complexity.iter().map(|s| s.label()).collect())));
        }
        match self.has_deadline {
            Some(true) => parts.push("有自身时限".into()),
            Some(false) => parts.push("无自身时限".into()),
            None => {}
        }
        if parts.is_empty() { "全部任务".into() } else { parts.join("；") }
    }
}

/// One time-limit rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Unique within the policy; overrides name it.
    pub id: String,
    /// The stage this rule times (e.g. `sign`); rules of one stage are alternatives.
    pub stage: String,
    /// The stage's name in Chinese (e.g. 签收).
    pub name: String,
    pub start: ClockEvent,
    pub stop: ClockEvent,
    pub duration: Limit,
    #[serde(default)]
    pub when: Conditions,
    /// Yellow when this many working days or fewer remain; the policy default when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub yellow_within: Option<u32>,
    /// The clause of the source document, e.g. "002 三(一)2".
    #[serde(default)]
    pub clause: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

vocabulary!(
    /// How often progress must be reported.
    Period, "period" {
        Week = "week" / "每周",
        HalfMonth = "half_month" / "每半月",
        Month = "month" / "每月",
        Quarter = "quarter" / "每季度",
        /// One report per event (urgent items).
        PerEvent = "per_event" / "一事一报",
    }
);

/// A reporting cadence: how often an open task of a class must report progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cadence {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub when: Conditions,
    pub every: Period,
    #[serde(default)]
    pub clause: String,
}

/// Settings that apply to every rule of a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Start of the working day: reminders wait for it, urgent ones do not.
    pub start_of_day: Time,
    /// End of the working day; a task received later counts from the next working day.
    pub end_of_day: Time,
    /// The time zone of the working day.
    pub timezone: String,
    /// Default yellow threshold in working days.
    pub yellow_within: u32,
    /// Move a calendar-day or month due date that falls on a day off to the next working day
    /// (民法典 第二百零三条: a period whose last day is a holiday ends on the day after it).
    pub roll_to_workday: bool,
    /// How many extensions one task may be granted.
    pub max_extensions: u32,
    /// Working days a unit has to answer a 督办 notice.
    pub notice_answer_within: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            start_of_day: Time::constant(8, 30, 0, 0),
            end_of_day: Time::constant(17, 30, 0, 0),
            timezone: "Asia/Shanghai".into(),
            yellow_within: 2,
            roll_to_workday: true,
            max_extensions: 1,
            notice_answer_within: 3,
        }
    }
}

/// A checked policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Policy {
    pub name: String,
    #[serde(default)]
    pub title: String,
    /// The seed documents this policy comes from.
    #[serde(default)]
    pub documents: Vec<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub settings: Settings,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub rules: Vec<Rule>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub cadences: Vec<Cadence>,
}

/// The built-in profiles: (name, TOML).
pub const BUILTIN_PROFILES: &[(&str, &str)] = &[
    ("x-district-2022", include_str!("../policies/x-district-2022.toml")),
    ("ejinhoro-2024", include_str!("../policies/ejinhoro-2024.toml")),
    ("otog-front-2021", include_str!("../policies/otog-front-2021.toml")),
    ("naiman-2025", include_str!("../policies/naiman-2025.toml")),
];

/// The profile used when a deployment names none.
pub const DEFAULT_PROFILE: &str = "x-district-2022";

fn invalid(msg: impl Into<String>) -> Error {
    Error::invalid("policy", msg)
}

/// Merges `over` into `base`: tables key by key, and the `rules` / `cadences` arrays by `id`
/// (an entry with `disabled = true` removes the base entry).
fn merge(base: &mut toml::Table, over: toml::Table) -> Result<(), Error> {
    for (k, v) in over {
        match (k.as_str(), v) {
            ("profile", _) => {}
            ("rules" | "cadences", toml::Value::Array(items)) => {
                let list = base.entry(k.clone()).or_insert_with(|| toml::Value::Array(Vec::new()));
                let toml::Value::Array(list) = list else {
                    return Err(invalid(format!("{k} 必须是数组")));
                };
                for item in items {
                    let toml::Value::Table(mut item) = item else {
                        return Err(invalid(format!("{k} 的每一项必须是表")));
                    };
                    let id = item
                        .get("id")
                        .and_then(|v| v.as_str())
                        .ok_or_else(|| invalid(format!("{k} 的每一项都要有 id")))?
                        .to_string();
                    let disabled = matches!(item.remove("disabled"), Some(toml::Value::Boolean(true)));
                    let pos = list.iter().position(|r| r.get("id").and_then(|v| v.as_str()) == Some(&id));
                    match (pos, disabled) {
                        (Some(p), true) => {
                            list.remove(p);
                        }
                        (None, true) => return Err(invalid(format!("要停用的规则 {id} 不存在"))),
                        (Some(p), false) => {
                            if let toml::Value::Table(existing) = &mut list[p] {
                                for (ik, iv) in item {
                                    existing.insert(ik, iv);
                                }
                            }
                        }
                        (None, false) => list.push(toml::Value::Table(item)),
                    }
                }
            }
            (_, toml::Value::Table(t)) => match base.get_mut(&k) {
                Some(toml::Value::Table(bt)) => merge(bt, t)?,
                _ => {
                    base.insert(k, toml::Value::Table(t));
                }
            },
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
    Ok(())
}

impl Policy {
    /// Names of the built-in profiles.
    pub fn builtin_names() -> impl Iterator<Item = &'static str> {
        BUILTIN_PROFILES.iter().map(|(n, _)| *n)
    }

    /// A built-in profile by name.
    pub fn builtin(name: &str) -> Result<Self, Error> {
        let (_, text) = BUILTIN_PROFILES.iter().find(|(n, _)| *n == name).ok_or_else(|| {
            Error::invalid(
                "profile",
                format!("没有名为“{name}”的规则配置，可选：{}", Self::builtin_names().collect::<Vec<_>>().join("、")),
            )
        })?;
        Self::from_toml(text)
    }

    /// Reads a policy file. A file with `profile = "NAME"` starts from that built-in profile and
    /// overrides it.
    pub fn from_toml(text: &str) -> Result<Self, Error> {
        let over: toml::Table =
            text.parse().map_err(|e: toml::de::Error| invalid(format!("规则文件格式错误：{}", e.message())))?;
        let profile = over.get("profile").and_then(|v| v.as_str()).map(str::to_string);
        let table = match profile.as_deref() {
            Some(base_name) => {
                let (_, base_text) = BUILTIN_PROFILES
                    .iter()
                    .find(|(n, _)| *n == base_name)
                    .ok_or_else(|| invalid(format!("基础规则配置“{base_name}”不存在")))?;
                let mut base: toml::Table = base_text
                    .parse()
                    .map_err(|e: toml::de::Error| invalid(format!("内置规则格式错误：{}", e.message())))?;
                let renamed = over.contains_key("name");
                merge(&mut base, over)?;
                if !renamed {
                    base.insert("name".into(), toml::Value::String(format!("{base_name}+local")));
                }
                base
            }
            None => over,
        };
        let policy: Policy = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| invalid(format!("规则文件内容有误：{}", e.message())))?;
        policy.check()?;
        Ok(policy)
    }

    fn check(&self) -> Result<(), Error> {
        if self.name.trim().is_empty() {
            return Err(invalid("规则配置必须有名称 name"));
        }
        jiff::tz::TimeZone::get(&self.settings.timezone)
            .map_err(|_| invalid(format!("时区“{}”无效", self.settings.timezone)))?;
        let mut ids = std::collections::HashSet::new();
        for r in &self.rules {
            if !ids.insert(r.id.as_str()) {
                return Err(invalid(format!("规则 id “{}”重复", r.id)));
            }
            if r.start == r.stop {
                return Err(invalid(format!("规则 {} 的起止事件相同", r.id)));
            }
            if r.duration == Limit::Deadline && r.when.has_deadline != Some(true) {
                return Err(invalid(format!("规则 {} 使用任务自身时限，必须限定 when.has_deadline = true", r.id)));
            }
            let same_stage = self.rules.iter().find(|o| o.stage == r.stage);
            if let Some(first) = same_stage
                && (first.start != r.start || first.stop != r.stop || first.name != r.name)
            {
                return Err(invalid(format!("同一环节 {} 的规则必须有相同的名称和起止事件（规则 {}）", r.stage, r.id)));
            }
        }
        let mut cids = std::collections::HashSet::new();
        for c in &self.cadences {
            if !cids.insert(c.id.as_str()) {
                return Err(invalid(format!("报告频次 id “{}”重复", c.id)));
            }
        }
        Ok(())
    }

    /// The time zone of the working day.
    pub fn timezone(&self) -> jiff::tz::TimeZone {
        // Checked when the policy was read; UTC+8 is the only sensible fallback for China.
        jiff::tz::TimeZone::get(&self.settings.timezone)
            .unwrap_or_else(|_| jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
    }

    /// The stages in the order they first appear.
    pub fn stages(&self) -> Vec<&str> {
        let mut seen: Vec<&str> = Vec::new();
        for r in &self.rules {
            if !seen.contains(&r.stage.as_str()) {
                seen.push(&r.stage);
            }
        }
        seen
    }

    /// For each stage, the first rule that applies to the task.
    pub fn applicable(&self, facts: &TaskFacts) -> Vec<&Rule> {
        self.stages()
            .into_iter()
            .filter_map(|s| self.rules.iter().find(|r| r.stage == s && r.when.matches(facts)))
            .collect()
    }

    /// The reporting cadence of a task: the first cadence whose conditions match.
    pub fn cadence(&self, facts: &TaskFacts) -> Option<&Cadence> {
        self.cadences.iter().find(|c| c.when.matches(facts))
    }

    /// The policy as TOML, as a deployment would write it.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::Date;

    #[test]
    fn every_builtin_profile_loads() {
        for name in Policy::builtin_names() {
            let p = Policy::builtin(name).unwrap();
            assert_eq!(p.name, name);
            assert!(!p.rules.is_empty(), "{name}");
            for r in &p.rules {
                assert!(!r.clause.is_empty(), "{name}/{}: every built-in rule cites its clause", r.id);
            }
            // Round trip through TOML gives the same policy.
            assert_eq!(Policy::from_toml(&p.to_toml()).unwrap(), p);
        }
    }

    #[test]
    fn limits_parse_in_both_spellings() {
        assert_eq!("3wd".parse::<Limit>().unwrap(), Limit::WorkingDays(3));
        assert_eq!("3个工作日".parse::<Limit>().unwrap(), Limit::WorkingDays(3));
        assert_eq!("15d".parse::<Limit>().unwrap(), Limit::CalendarDays(15));
        assert_eq!("15天".parse::<Limit>().unwrap(), Limit::CalendarDays(15));
        assert_eq!("1mo".parse::<Limit>().unwrap(), Limit::Months(1));
        assert_eq!("same-day".parse::<Limit>().unwrap(), Limit::SameDay);
        for bad in ["", "wd", "3w", "-1wd", "99999wd", "三个工作日"] {
            assert!(bad.parse::<Limit>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_deployment_overrides_a_profile_by_rule_id() {
        let p = Policy::from_toml(
            r#"
            profile = "x-district-2022"
            [settings]
            end_of_day = "18:00"
            [[rules]]
            id = "sign"
            duration = "2wd"
            [[rules]]
            id = "outcome"
            disabled = true
            [[rules]]
            id = "local-extra"
            stage = "visit"
            name = "走访"
            start = "received"
            stop = "contacted"
            duration = "1wd"
            clause = "local"
            "#,
        )
        .unwrap();
        assert_eq!(p.name, "x-district-2022+local");
        assert_eq!(p.settings.end_of_day, Time::constant(18, 0, 0, 0));
        let sign = p.rules.iter().find(|r| r.id == "sign").unwrap();
        assert_eq!(sign.duration, Limit::WorkingDays(2));
        assert_eq!(sign.name, "签收");
        assert!(p.rules.iter().all(|r| r.id != "outcome"));
        assert!(p.stages().contains(&"visit"));
    }

    #[test]
    fn bad_policies_are_rejected_with_reasons() {
        for (text, needle) in [
            ("name = ", "格式错误"),
            ("profile = \"nope\"", "不存在"),
            ("name = \"x\"\n[settings]\ntimezone = \"Mars/Base\"", "时区"),
            (
                "name = \"x\"\n[[rules]]\nid=\"a\"\nstage=\"s\"\nname=\"签收\"\nstart=\"received\"\nstop=\"received\"\nduration=\"1wd\"",
                "起止事件相同",
            ),
            (
                "name = \"x\"\n[[rules]]\nid=\"a\"\nstage=\"s\"\nname=\"签收\"\nstart=\"received\"\nstop=\"signed\"\nduration=\"deadline\"",
                "has_deadline",
            ),
            (
                "name = \"x\"\n[[rules]]\nid=\"a\"\nstage=\"s\"\nname=\"签收\"\nstart=\"received\"\nstop=\"signed\"\nduration=\"1周\"",
                "无法识别",
            ),
            ("profile = \"x-district-2022\"\n[[rules]]\nid = \"ghost\"\ndisabled = true", "不存在"),
        ] {
            let e = Policy::from_toml(text).unwrap_err().to_string();
            assert!(e.contains(needle), "{text}\n=> {e}");
        }
    }

    #[test]
    fn the_first_matching_rule_of_a_stage_applies() {
        let p = Policy::builtin("x-district-2022").unwrap();
        let facts = |complexity, deadline| TaskFacts {
            source: Source::Document,
            priority: Priority::Routine,
            complexity,
            deadline,
        };
        let done = |f: TaskFacts| p.applicable(&f).into_iter().find(|r| r.stage == "done").map(|r| r.duration);
        assert_eq!(done(facts(Complexity::General, None)), Some(Limit::WorkingDays(5)));
        assert_eq!(done(facts(Complexity::Complex, None)), Some(Limit::WorkingDays(10)));
        assert_eq!(done(facts(Complexity::VeryComplex, None)), Some(Limit::WorkingDays(20)));
        assert_eq!(done(facts(Complexity::Exceptional, None)), Some(Limit::Months(1)));
        let d = Date::constant(2026, 3, 31);
        assert_eq!(done(facts(Complexity::Exceptional, Some(d))), Some(Limit::Deadline));
    }
}
