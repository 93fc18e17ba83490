//! The monthly bulletin (月度通报, issue 13 §5) as data: its content ([`Body`]: sections of
//! paragraphs, each marked public or not, and the annex's tables), its number (督通〔2026〕3号)
//! and what of it the public page may show. Generating the draft from the month's figures is
//! the application's (`duban-app/src/bulletin.rs`); this module only holds the shape and the
//! pure rules about it.

use crate::Error;
use serde::{Deserialize, Serialize};

/// The issuer's abbreviation in a bulletin's number: 督通〔2026〕3号.
pub const NUMBER_PREFIX: &str = "督通";

/// The number of the `seq`-th bulletin issued in `year`: 督通〔2026〕3号.
pub fn number(year: i16, seq: i64) -> String {
    format!("{NUMBER_PREFIX}〔{year}〕{seq}号")
}

/// What a section is about; the draft writes them problems first (004 八).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum SectionKind {
    /// 一、基本情况.
    Overview,
    /// 二、存在的问题 (overdue and lagging work, namings).
    Problems,
    /// 三、领导批示落实情况.
    Instructions,
    /// 四、重点项目推进情况.
    KeyProjects,
    /// 五、典型经验.
    GoodPractice,
    /// 六、下一步工作建议.
    NextSteps,
    /// Anything the office adds.
    Other,
}

/// One paragraph: its text, and whether the public page may show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Paragraph {
    pub text: String,
    #[serde(default)]
    pub public: bool,
    /// A second-level heading (（一）…), set in 楷体.
    #[serde(default)]
    pub subheading: bool,
    /// Who the paragraph names (点名), if anyone: issued with the paragraph public, it counts
    /// as a public naming of the unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<Named>,
}

/// A unit (and person) a paragraph names for a task (ids as numbers, as the body is kept as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Named {
    pub unit: i64,
    #[serde(default)]
    pub person: Option<i64>,
    #[serde(default)]
    pub task: Option<i64>,
    pub reason: String,
}

/// One section: a first-level heading (一、…) and its paragraphs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Section {
    pub kind: SectionKind,
    pub heading: String,
    pub paragraphs: Vec<Paragraph>,
}

/// A table of the annex: a caption, the header row and the rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// What a bulletin says.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Body {
    pub sections: Vec<Section>,
    #[serde(default)]
    pub tables: Vec<Table>,
}

/// A paragraph's place: section and paragraph, from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub section: usize,
    pub paragraph: usize,
}

impl Body {
    /// The paragraph at `at`.
    pub fn paragraph_mut(&mut self, at: Place) -> Result<&mut Paragraph, Error> {
        self.sections
            .get_mut(at.section)
            .and_then(|s| s.paragraphs.get_mut(at.paragraph))
            .ok_or_else(|| Error::invalid("paragraph", format!("没有第{}部分第{}段", at.section + 1, at.paragraph + 1)))
    }

    /// Only what the public page may show: the sections with their public paragraphs (a
    /// section without any is left out), and no tables.
    pub fn public_part(&self) -> Body {
        Body {
            sections: self
                .sections
                .iter()
                .filter_map(|s| {
                    let paragraphs: Vec<Paragraph> = s.paragraphs.iter().filter(|p| p.public).cloned().collect();
                    (!paragraphs.is_empty()).then(|| Section { paragraphs, ..s.clone() })
                })
                .collect(),
            tables: Vec::new(),
        }
    }

    /// Checks what the office wrote: a heading and each paragraph at most 5,000 characters,
    /// at most 200 paragraphs in all.
    pub fn check(&self) -> Result<(), Error> {
        let n: usize = self.sections.iter().map(|s| s.paragraphs.len()).sum();
        if n > 200 {
            return Err(Error::invalid("body", "通报段落过多（至多 200 段）"));
        }
        for s in &self.sections {
            if s.heading.chars().count() > 200 {
                return Err(Error::invalid("heading", "标题过长"));
            }
            if s.paragraphs.iter().any(|p| p.text.chars().count() > 5000) {
                return Err(Error::invalid("paragraph", "段落过长（至多 5000 字）"));
            }
        }
        Ok(())
    }
}

/// A percentage of `part` in `whole` to one decimal, "—" when there is nothing to divide.
pub fn percent(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "—".into();
    }
    let tenths = (part * 1000 + whole / 2) / whole;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// A change in percentage points between two rates (tenths of a percent), e.g. "上升2.5个百分点".
pub fn change(now_tenths: i64, before_tenths: i64) -> String {
    let d = now_tenths - before_tenths;
    let abs = d.abs();
    let v = format!("{}.{}", abs / 10, abs % 10);
    match d {
        0 => "与上月持平".into(),
        d if d > 0 => format!("较上月上升{v}个百分点"),
        _ => format!("较上月下降{v}个百分点"),
    }
}

/// A rate in tenths of a percent (0 when there is nothing to divide).
pub fn tenths(part: i64, whole: i64) -> i64 {
    if whole <= 0 { 0 } else { (part * 1000 + whole / 2) / whole }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_rates_and_changes_read_as_a_bulletin_writes_them() {
        assert_eq!(number(2026, 3), "督通〔2026〕3号");
        assert_eq!(percent(2, 3), "66.7%");
        assert_eq!(percent(0, 0), "—");
        assert_eq!(change(667, 500), "较上月上升16.7个百分点");
        assert_eq!(change(500, 667), "较上月下降16.7个百分点");
        assert_eq!(change(500, 500), "与上月持平");
    }

    #[test]
    fn the_public_part_keeps_only_public_paragraphs_and_no_tables() {
        let p = |t: &str, public| Paragraph { text: t.into(), public, subheading: false, names: None };
        let body = Body {
            sections: vec![
                Section {
                    kind: SectionKind::Overview,
                    heading: "一、基本情况".into(),
                    paragraphs: vec![p("a", true), p("b", false)],
                },
                Section {
                    kind: SectionKind::Problems,
                    heading: "二、存在的问题".into(),
                    paragraphs: vec![p("c", false)],
                },
            ],
            tables: vec![Table { caption: "附件".into(), header: vec![], rows: vec![] }],
        };
        let public = body.public_part();
        assert_eq!(public.sections.len(), 1);
        assert_eq!(public.sections[0].paragraphs, vec![p("a", true)]);
        assert!(public.tables.is_empty());
        let mut b = body.clone();
        assert!(b.paragraph_mut(Place { section: 1, paragraph: 1 }).is_err());
        b.paragraph_mut(Place { section: 1, paragraph: 0 }).unwrap().public = true;
        assert_eq!(b.public_part().sections.len(), 2);
    }
}
