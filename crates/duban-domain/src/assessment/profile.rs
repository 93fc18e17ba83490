//! Scoring profiles (评分规则) as data: a TOML file like the time-limit rules, with built-in
//! profiles from the seeds and shaped like published local formulas.
//!
//! ```toml
//! name = "naiman-quarterly-2024"
//! title = "快落实比学赶超季度排名"
//! clause = "004 五"
//! period = "quarter"        # month | quarter | year: the period it is issued for
//! base = 100                # every unit starts here
//! top = 5                   # the top list (示范点 / 先进), over all categories unless top_per_category
//! tolerance = true          # 容错: facts the office excused with a reason count nothing
//! disqualify_namings = 2    # this many public namings in the year → not eligible for the top list
//!
//! [[categories]]            # ranked separately (分档分类), in this order; a unit of no listed kind
//! name = "旗直部门"          # falls in the last category
//! kinds = ["department", "party", "institution", "government"]
//!
//! [[lines]]
//! id = "done-late-lead"
//! indicator = "done_late"   # an Indicator code
//! role = "lead"             # lead | cooperating | unit; every role when absent
//! kind = "each"             # each: points × occurrences (or working days, for overdue_workdays)
//!                           # average: points × the mean amount (leaders' evaluations)
//!                           # rate: points × indicator / (indicator + against); full points when
//!                           # nothing counted
//! points = -5
//! weight = 1                # the office's multiplier, edited on the web
//! cap = 20                  # the line never adds or takes more than this
//! clause = "004 五"
//! ```

use super::indicator::{Indicator, PartyRole};
use super::points::Points;
use super::span::SpanKind;
use crate::Error;
use crate::org::UnitKind;
use serde::{Deserialize, Serialize};

/// How a line turns tallies into points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    #[default]
    Each,
    Average,
    Rate,
}

/// One line of a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    pub id: String,
    #[serde(with = "code")]
    pub indicator: Indicator,
    #[serde(default, with = "opt_code")]
    pub role: Option<PartyRole>,
    #[serde(default)]
    pub kind: LineKind,
    /// For a rate: the indicators that, with `indicator`, make the denominator.
    #[serde(default, with = "codes")]
    pub against: Vec<Indicator>,
    pub points: Points,
    #[serde(default = "one")]
    pub weight: Points,
    #[serde(default)]
    pub cap: Option<Points>,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub clause: String,
}

fn one() -> Points {
    Points::whole(1)
}

/// A category of units ranked separately.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub name: String,
    #[serde(with = "kind_codes")]
    pub kinds: Vec<UnitKind>,
}

/// The period a profile is issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfilePeriod {
    Month,
    Quarter,
    Year,
}

impl ProfilePeriod {
    pub fn kind(self) -> SpanKind {
        match self {
            ProfilePeriod::Month => SpanKind::Month,
            ProfilePeriod::Quarter => SpanKind::Quarter,
            ProfilePeriod::Year => SpanKind::Year,
        }
    }
}

/// A scoring profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScoringProfile {
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub documents: Vec<String>,
    #[serde(default)]
    pub clause: String,
    pub period: ProfilePeriod,
    #[serde(default)]
    pub base: Points,
    #[serde(default)]
    pub top: u32,
    #[serde(default)]
    pub top_per_category: bool,
    #[serde(default)]
    pub tolerance: bool,
    #[serde(default)]
    pub disqualify_namings: u32,
    #[serde(default)]
    pub categories: Vec<Category>,
    pub lines: Vec<Line>,
}

/// The built-in profiles: (name, TOML).
pub const BUILTIN_SCORING: &[(&str, &str)] = &[
    ("naiman-quarterly-2024", include_str!("../../scoring/naiman-quarterly-2024.toml")),
    ("x-district-year-2022", include_str!("../../scoring/x-district-year-2022.toml")),
    ("per-event", include_str!("../../scoring/per-event.toml")),
    ("base-100", include_str!("../../scoring/base-100.toml")),
];

/// The profile used when a deployment names none.
pub const DEFAULT_SCORING: &str = "naiman-quarterly-2024";

fn invalid(msg: impl Into<String>) -> Error {
    Error::invalid("scoring", msg)
}

impl ScoringProfile {
    /// Parses and checks a profile.
    pub fn parse(text: &str) -> Result<Self, Error> {
        let p: ScoringProfile =
            toml::from_str(text).map_err(|e| invalid(format!("评分规则无法读取：{}", e.message())))?;
        p.check()?;
        Ok(p)
    }

    /// A built-in profile by name.
    pub fn builtin(name: &str) -> Result<Self, Error> {
        let (_, text) = BUILTIN_SCORING
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| invalid(format!("没有名为“{name}”的内置评分规则")))?;
        Self::parse(text)
    }

    /// Writes the profile back as TOML.
    pub fn to_toml(&self) -> Result<String, Error> {
        toml::to_string_pretty(self).map_err(|e| invalid(format!("评分规则无法写出：{e}")))
    }

    fn check(&self) -> Result<(), Error> {
        if self.name.trim().is_empty() {
            return Err(invalid("评分规则须有名称"));
        }
        if self.lines.is_empty() {
            return Err(invalid("评分规则至少要有一条计分项"));
        }
        let mut ids = std::collections::HashSet::new();
        for l in &self.lines {
            if l.id.trim().is_empty() || !ids.insert(l.id.as_str()) {
                return Err(invalid(format!("计分项编号“{}”为空或重复", l.id)));
            }
            if l.kind == LineKind::Rate && l.against.is_empty() {
                return Err(invalid(format!("计分项“{}”是比率，须写明 against", l.id)));
            }
            if l.kind != LineKind::Rate && !l.against.is_empty() {
                return Err(invalid(format!("计分项“{}”不是比率，不能写 against", l.id)));
            }
            if l.weight < Points::ZERO || l.weight > Points::whole(100) {
                return Err(invalid(format!("计分项“{}”的权重须在 0 到 100 之间", l.id)));
            }
            if l.cap.is_some_and(|c| c < Points::ZERO) {
                return Err(invalid(format!("计分项“{}”的上限不能为负", l.id)));
            }
        }
        let mut names = std::collections::HashSet::new();
        for c in &self.categories {
            if c.name.trim().is_empty() || !names.insert(c.name.as_str()) {
                return Err(invalid(format!("分类“{}”为空或重复", c.name)));
            }
        }
        Ok(())
    }

    /// The category a unit of `kind` is ranked in (the last one when no category lists it; "全部"
    /// when the profile has none).
    pub fn category_of(&self, kind: UnitKind) -> &str {
        self.categories
            .iter()
            .find(|c| c.kinds.contains(&kind))
            .or(self.categories.last())
            .map(|c| c.name.as_str())
            .unwrap_or("全部")
    }

    /// The label a line is shown with.
    pub fn line_label(l: &Line) -> String {
        if !l.label.is_empty() {
            return l.label.clone();
        }
        let role = l.role.map(|r| format!("（{}）", r.label())).unwrap_or_default();
        match l.kind {
            LineKind::Rate => format!("{}率{role}", l.indicator.label()),
            LineKind::Average => format!("{}平均{role}", l.indicator.label()),
            LineKind::Each => format!("{}{role}", l.indicator.label()),
        }
    }

    /// Sets the weights named (line id → weight); unknown ids are an error.
    pub fn with_weights(&self, weights: &[(String, Points)]) -> Result<Self, Error> {
        let mut p = self.clone();
        for (id, w) in weights {
            let line = p.lines.iter_mut().find(|l| &l.id == id).ok_or_else(|| invalid(format!("没有计分项“{id}”")))?;
            line.weight = *w;
        }
        p.check()?;
        Ok(p)
    }
}

macro_rules! code_serde {
    ($m:ident, $t:ty) => {
        mod $m {
            use serde::{Deserialize, Deserializer, Serializer};
            pub fn serialize<S: Serializer>(v: &$t, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(v.code())
            }
            pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<$t, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map_err(|e: crate::Error| serde::de::Error::custom(e.to_string()))
            }
        }
    };
}
code_serde!(code, crate::assessment::Indicator);

mod opt_code {
    use crate::assessment::PartyRole;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &Option<PartyRole>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(r) => s.serialize_str(r.code()),
            None => s.serialize_none(),
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<PartyRole>, D::Error> {
        let s = Option::<String>::deserialize(d)?;
        s.map(|s| s.parse().map_err(|e: crate::Error| serde::de::Error::custom(e.to_string()))).transpose()
    }
}

macro_rules! codes_serde {
    ($m:ident, $t:ty) => {
        mod $m {
            use serde::ser::SerializeSeq;
            use serde::{Deserialize, Deserializer, Serializer};
            pub fn serialize<S: Serializer>(v: &[$t], s: S) -> Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(v.len()))?;
                for x in v {
                    seq.serialize_element(x.code())?;
                }
                seq.end()
            }
            pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<$t>, D::Error> {
                Vec::<String>::deserialize(d)?
                    .iter()
                    .map(|s| s.parse().map_err(|e: crate::Error| serde::de::Error::custom(e.to_string())))
                    .collect()
            }
        }
    };
}
codes_serde!(codes, crate::assessment::Indicator);
codes_serde!(kind_codes, crate::org::UnitKind);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_profile_parses_and_round_trips() {
        for (name, _) in BUILTIN_SCORING {
            let p = ScoringProfile::builtin(name).unwrap();
            assert_eq!(&p.name, name);
            let again = ScoringProfile::parse(&p.to_toml().unwrap()).unwrap();
            assert_eq!(again, p, "{name}");
        }
        assert_eq!(ScoringProfile::builtin(DEFAULT_SCORING).unwrap().period, ProfilePeriod::Quarter);
    }

    #[test]
    fn refuses_bad_profiles_with_reasons() {
        let base = "name = \"x\"\nperiod = \"quarter\"\n";
        for (extra, says) in [
            ("lines = []\n", "至少要有一条"),
            ("[[lines]]\nid = \"a\"\nindicator = \"nope\"\npoints = 1\n", "不是有效的"),
            (
                "[[lines]]\nid = \"a\"\nindicator = \"returned\"\npoints = 1\n[[lines]]\nid = \"a\"\nindicator = \"returned\"\npoints = 1\n",
                "重复",
            ),
            ("[[lines]]\nid = \"a\"\nindicator = \"done_on_time\"\nkind = \"rate\"\npoints = 1\n", "against"),
            ("[[lines]]\nid = \"a\"\nindicator = \"returned\"\npoints = 1.234\n", "两位小数"),
            ("[[lines]]\nid = \"a\"\nindicator = \"returned\"\npoints = 1\nweight = -1\n", "权重"),
        ] {
            let e = ScoringProfile::parse(&format!("{base}{extra}")).unwrap_err().to_string();
            assert!(e.contains(says), "{extra}: {e}");
        }
    }
}
