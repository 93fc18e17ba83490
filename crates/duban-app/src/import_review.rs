//! [`Review`], the preview as the supervision office works in it (issue 11): the reader's
//! [`Preview`] with
//!
//! - for every task that has no lead unit, the three most likely lead units from the
//!   [`Suggestions`](crate::suggest::Suggestions) model, and [`assign`], which gives one unit to
//!   many tasks at once (as their lead, or as one more cooperating unit);
//! - the year read into deadlines written without one (3月底前), and where it came from; how many
//!   tasks have no deadline, with the document year's 31 December proposed as their common
//!   deadline; and the tasks whose deadline — their own or that default — has already passed at
//!   the clock's date, which a commit refuses unless the office confirms them
//!   ([`CommitOptions`](crate::document_import::CommitOptions));
//! - every unit name not in the directory, once, with the tasks naming it and the closest known
//!   names; [`DocumentImport::settle_name`] maps such a name to a unit (it becomes one of the
//!   unit's aliases, so the next document resolves it) or creates it as a new unit, in one step,
//!   recorded in the administrative audit log.
//!
//! The reader (`duban-import`) knows nothing of the directory's history or of the date, so what
//! is learnt from the ledgers and the clock is added here.

use crate::actor::{Actor, RunLedgers};
use crate::admin_log::{record, snapshot, unit_target};
use crate::document_import::DocumentImport;
use crate::suggest::Suggestion;
use duban_domain::Error;
use duban_domain::ids::UnitId;
use duban_domain::org::{NewUnit, Unit, UnitKind, UnitLevel};
use duban_import::{DocumentMeta, Names, ParsedTask, Preview, Warning, WarningCode};
use duban_store::admin_kind;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// How many lead units are suggested for a task without one.
pub const SUGGESTED: usize = 3;

/// The likely lead units of one task without a lead unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadSuggestions {
    /// The task's index in `tasks`.
    pub task: usize,
    /// At most three units, the most likely first.
    pub leads: Vec<Suggestion>,
}

/// Where the year read into deadlines written without one (3月底前, 年底前) came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum YearFrom {
    /// Set by the office (`?year=`, `--year`, the page's field).
    Given,
    /// The document's issue date.
    Issued,
    /// The document states no date: the year at the clock.
    Today,
}

impl YearFrom {
    /// Said in Chinese, for the page.
    pub fn label(self) -> &'static str {
        match self {
            YearFrom::Given => "按指定",
            YearFrom::Issued => "取自发文日期",
            YearFrom::Today => "文件未写明日期，按当前年份",
        }
    }
}

/// A task whose deadline has passed at the clock's date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PastDeadline {
    /// The task's index in `tasks`.
    pub task: usize,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub deadline: Date,
    /// Whether the deadline is the default given to tasks without one (not the task's own).
    pub by_default: bool,
}

/// A unit name the directory does not know, as the document wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnknownUnit {
    pub name: String,
    /// The indices in `tasks` of the tasks naming it (as lead or cooperating unit).
    pub tasks: Vec<usize>,
    /// The closest known names, the closest first (at most three).
    pub closest: Vec<String>,
}

/// What the office chose for the whole import, besides its edits of the rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReviewOptions {
    /// The year the document was read with, when the office set one.
    pub year: Option<i16>,
    /// The deadline for every task without one; `None` leaves them to the time-limit rules.
    pub default_deadline: Option<Date>,
}

/// A preview to work in: the document and its tasks as the reader found them (or as the office
/// corrected them), with suggestions, the year, deadlines already past and unknown units. Its
/// `document` and `tasks` are a [`Preview`], which is what a commit takes back.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Review {
    pub document: DocumentMeta,
    pub tasks: Vec<ParsedTask>,
    /// For each task without a lead unit, the most likely lead units (none when nothing has
    /// been learnt yet).
    pub suggestions: Vec<LeadSuggestions>,
    /// How many tasks have no lead unit.
    pub without_lead: usize,
    /// The year read into deadlines written without one (3月底前), and where it came from.
    pub year: i16,
    pub year_from: YearFrom,
    /// The date at the clock: a deadline before it has passed.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub today: Date,
    /// How many tasks have no deadline of their own.
    pub without_deadline: usize,
    /// The deadline chosen for them, if any (otherwise the time-limit rules give them one).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub default_deadline: Option<Date>,
    /// The usual reading of a yearly plan, offered as that default: 31 December of `year`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub proposed_default_deadline: Date,
    /// The tasks whose deadline (their own, or the default) is before `today`: a commit refuses
    /// them unless confirmed (`confirm_past_deadlines`).
    pub past_deadlines: Vec<PastDeadline>,
    /// The unit names not in the directory, each once.
    pub unknown_units: Vec<UnknownUnit>,
}

impl Review {
    /// The preview a commit takes.
    pub fn preview(&self) -> Preview {
        Preview { document: self.document.clone(), tasks: self.tasks.clone() }
    }

    /// The suggestions for the task at `i`, if it has none of its own.
    pub fn suggested(&self, i: usize) -> &[Suggestion] {
        self.suggestions.iter().find(|s| s.task == i).map(|s| s.leads.as_slice()).unwrap_or_default()
    }
}

/// The role [`assign`] gives a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignAs {
    /// The one lead unit: replaces the lead units the task had.
    Lead,
    /// One more cooperating unit.
    Cooperating,
}

/// The warnings about a task's lead that a lead chosen by the office settles.
const LEAD_WARNINGS: [WarningCode; 4] =
    [WarningCode::NoLead, WarningCode::MultipleLeads, WarningCode::LeadProposed, WarningCode::LeadNotMarked];

/// Gives `unit` to the tasks at `rows` (indices into `preview.tasks`; others are ignored), as
/// their lead or as a cooperating unit; a unit made lead leaves the cooperating units, and the
/// warnings about the lead are settled. Returns how many tasks changed.
pub fn assign(preview: &mut Preview, rows: &[usize], unit: &str, role: AssignAs) -> Result<usize, Error> {
    let unit = unit.trim();
    if unit.is_empty() {
        return Err(Error::invalid("unit", "请选择要指定的单位"));
    }
    if rows.is_empty() {
        return Err(Error::invalid("rows", "请先勾选要指定单位的任务"));
    }
    let mut changed = 0;
    for &i in rows {
        let Some(t) = preview.tasks.get_mut(i) else { continue };
        let before = (t.lead.clone(), t.cooperating.clone());
        match role {
            AssignAs::Lead => {
                t.lead = vec![unit.to_string()];
                t.cooperating.retain(|c| c != unit);
                t.warnings.retain(|w| !LEAD_WARNINGS.contains(&w.code));
            }
            AssignAs::Cooperating => {
                if !t.lead.iter().chain(&t.cooperating).any(|u| u == unit) {
                    t.cooperating.push(unit.to_string());
                }
            }
        }
        if (&t.lead, &t.cooperating) != (&before.0, &before.1) {
            changed += 1;
        }
    }
    Ok(changed)
}

/// Carries the office's unit edits from `from` into `into`, a new reading of the same document
/// (with another year): when both have the same tasks by number, each task keeps the lead and
/// cooperating units (and the warnings about its lead) the office had given it. Returns whether
/// they matched.
pub fn carry_units(from: &Preview, into: &mut Preview) -> bool {
    let same = from.tasks.len() == into.tasks.len()
        && crate::document_import::task_numbers(&from.tasks) == crate::document_import::task_numbers(&into.tasks);
    if !same {
        return false;
    }
    for (old, new) in from.tasks.iter().zip(&mut into.tasks) {
        new.lead = old.lead.clone();
        new.cooperating = old.cooperating.clone();
        new.warnings.retain(|w| !LEAD_WARNINGS.contains(&w.code));
        new.warnings.extend(old.warnings.iter().filter(|w| LEAD_WARNINGS.contains(&w.code)).cloned());
    }
    true
}

/// The text the suggester reads for a task: its headings and its words.
fn suggestion_text(t: &ParsedTask) -> String {
    format!("{} {}", t.path.join(" "), t.text)
}

/// The tasks whose deadline — their own, or `default` for those without — is before `today`.
pub fn past_deadlines(tasks: &[ParsedTask], default: Option<Date>, today: Date) -> Vec<PastDeadline> {
    tasks
        .iter()
        .enumerate()
        .filter_map(|(task, t)| {
            let (deadline, by_default) = match t.deadline {
                Some(d) => (d, false),
                None => (default?, true),
            };
            (deadline < today).then_some(PastDeadline { task, deadline, by_default })
        })
        .collect()
}

/// Flags every unit name of the tasks that `names` does not know (an "unknown unit" warning,
/// with the closest known names), afresh: a name the office has since mapped or created loses
/// its warning, a name they typed that is unknown gains one. Returns each unknown name once.
pub fn flag_unknown_units(tasks: &mut [ParsedTask], names: &Names) -> Vec<UnknownUnit> {
    let mut unknown: Vec<UnknownUnit> = Vec::new();
    for (i, t) in tasks.iter_mut().enumerate() {
        t.warnings.retain(|w| w.code != WarningCode::UnknownUnit);
        let mut seen: Vec<String> = Vec::new();
        for u in t.lead.iter().chain(&t.cooperating) {
            if names.resolve(u).is_some() || seen.contains(u) {
                continue;
            }
            seen.push(u.clone());
            let closest = match unknown.iter_mut().find(|k| &k.name == u) {
                Some(k) => {
                    k.tasks.push(i);
                    k.closest.clone()
                }
                None => {
                    let closest = names.closest(u, 3);
                    unknown.push(UnknownUnit { name: u.clone(), tasks: vec![i], closest: closest.clone() });
                    closest
                }
            };
            let hint =
                if closest.is_empty() { String::new() } else { format!("，是否为：{}", closest.join("、")) };
            t.warnings.push(Warning {
                code: WarningCode::UnknownUnit,
                message: format!("单位“{u}”不在单位名录中{hint}"),
                name: Some(u.clone()),
                closest,
            });
        }
    }
    unknown
}

/// How the office settles a unit name the directory does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    /// The name is another name of this unit: it becomes one of its aliases.
    MapTo(UnitId),
    /// The name is a unit of its own: it is created.
    Create,
}

/// A settled name: the unit it now resolves to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Settled {
    pub unit: Unit,
    /// Whether the unit was created (otherwise the name became one of its aliases).
    pub created: bool,
}

/// The longest unit name the office may settle.
const MAX_NAME_CHARS: usize = 100;

/// The kind and level of a unit created from its name alone (the office may edit them later on
/// the 管理 pages): a government, a township or street, a village, a party organ, a court, a
/// people's organisation …, and otherwise a department of the county.
pub fn kind_of_name(name: &str) -> (UnitKind, UnitLevel) {
    let ends = |xs: &[&str]| xs.iter().any(|x| name.ends_with(x));
    let has = |xs: &[&str]| xs.iter().any(|x| name.contains(x));
    if ends(&["人民政府", "政府"]) {
        let level = if has(&["镇", "乡", "苏木", "街道"]) { UnitLevel::Township } else { UnitLevel::County };
        (UnitKind::Government, level)
    } else if ends(&["街道", "街道办事处", "街道办"]) {
        (UnitKind::Street, UnitLevel::Township)
    } else if ends(&["镇", "乡", "苏木"]) {
        (UnitKind::Township, UnitLevel::Township)
    } else if ends(&["嘎查", "村", "社区"]) {
        (UnitKind::Township, UnitLevel::Village)
    } else if has(&["法院", "检察院"]) {
        (UnitKind::Judicial, UnitLevel::County)
    } else if has(&["人大", "政协"]) {
        (UnitKind::Congress, UnitLevel::County)
    } else if ends(&["党委", "纪委", "监委", "组织部", "宣传部", "统战部", "政法委", "编办", "党校"])
    {
        (UnitKind::Party, UnitLevel::County)
    } else if ends(&["团委", "妇联", "总工会", "工会", "工商联", "科协", "残联", "红十字会"]) {
        (UnitKind::Organisation, UnitLevel::County)
    } else if has(&["银行", "信用社"]) {
        (UnitKind::Bank, UnitLevel::County)
    } else if ends(&["公司", "集团"]) {
        (UnitKind::Enterprise, UnitLevel::County)
    } else if ends(&["园区", "开发区"]) {
        (UnitKind::Park, UnitLevel::County)
    } else if ends(&["税务局", "气象局", "海关", "人民银行", "供电公司", "邮政"]) {
        (UnitKind::Vertical, UnitLevel::County)
    } else {
        (UnitKind::Department, UnitLevel::County)
    }
}

impl DocumentImport {
    /// The preview to work in: for each task without a lead unit, the most likely ones; the
    /// year; the deadlines already past (their own, or `opts.default_deadline` for tasks without
    /// one); the unknown unit names, flagged afresh against the directory. A "no lead unit"
    /// warning of a task that has one now (the office gave it) is dropped.
    pub async fn review(&self, mut preview: Preview, opts: ReviewOptions) -> Result<Review, Error> {
        for t in &mut preview.tasks {
            if !t.lead.is_empty() {
                t.warnings.retain(|w| w.code != WarningCode::NoLead);
            }
        }
        let names = self.names().await?;
        let unknown_units = flag_unknown_units(&mut preview.tasks, &names);
        let today = self.core.now().to_zoned(self.core.policy().timezone()).date();
        let (year, year_from) = match (opts.year, preview.document.issued) {
            (Some(y), _) => (y, YearFrom::Given),
            (None, Some(d)) => (d.year(), YearFrom::Issued),
            (None, None) => (today.year(), YearFrom::Today),
        };
        let proposed_default_deadline = Date::new(year, 12, 31).map_err(|_| Error::invalid("year", "年份无效"))?;
        let past = past_deadlines(&preview.tasks, opts.default_deadline, today);
        let without_deadline = preview.tasks.iter().filter(|t| t.deadline.is_none()).count();
        let lacking: Vec<usize> = (0..preview.tasks.len()).filter(|&i| preview.tasks[i].lead.is_empty()).collect();
        let texts: Vec<String> = lacking.iter().map(|&i| suggestion_text(&preview.tasks[i])).collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let found = if refs.is_empty() { Vec::new() } else { self.suggestions.suggest_many(&refs, SUGGESTED).await? };
        let suggestions = lacking
            .iter()
            .zip(found)
            .filter(|(_, leads)| !leads.is_empty())
            .map(|(&task, leads)| LeadSuggestions { task, leads })
            .collect();
        Ok(Review {
            without_lead: lacking.len(),
            document: preview.document,
            tasks: preview.tasks,
            suggestions,
            year,
            year_from,
            today,
            without_deadline,
            default_deadline: opts.default_deadline,
            proposed_default_deadline,
            past_deadlines: past,
            unknown_units,
        })
    }

    /// The units the office may map a name to, each with its aliases (for a picker that finds a
    /// unit by any of its names), active ones only, by name.
    pub async fn unit_choices(&self) -> Result<Vec<Unit>, Error> {
        let mut units: Vec<Unit> = self.directory.list_units().await?.into_iter().filter(|u| u.active).collect();
        units.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(units)
    }

    /// The unit a name or alias stands for (as the office typed it in a picker); `None` for an
    /// unknown name or a unit group.
    pub async fn unit_named(&self, text: &str) -> Result<Option<UnitId>, Error> {
        let names = self.names().await?;
        let Some(known) = names.resolve(text.trim()) else { return Ok(None) };
        Ok(match self.directory.resolve_name(&known.canonical).await? {
            Some(duban_store::PartyRef::Unit(id)) => Some(id),
            _ => None,
        })
    }

    /// Settles a unit name the directory does not know, in one step: maps it to a unit (the name
    /// becomes one of the unit's aliases, so that this and every later document resolves it) or
    /// creates a unit of that name. Only an actor who may run ledgers (the supervision office)
    /// may; the change is recorded in the administrative audit log. A name that already
    /// resolves to the unit it is mapped to changes nothing; one that resolves elsewhere is a
    /// conflict.
    pub async fn settle_name(&self, by: &Actor, name: &str, how: Settle) -> Result<Settled, Error> {
        by.require::<RunLedgers>()?;
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid("name", "请填写单位名称"));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(Error::invalid("name", format!("单位名称过长（最多 {MAX_NAME_CHARS} 字）")));
        }
        let held = self.directory.resolve_name(name).await?;
        let settled = match how {
            Settle::MapTo(id) => {
                let before = self.directory.get_unit(id).await?;
                match held {
                    Some(duban_store::PartyRef::Unit(u)) if u == id => {
                        return Ok(Settled { unit: before, created: false });
                    }
                    Some(_) => return Err(Error::Conflict(format!("名称“{name}”已是其他单位或单位组的名称"))),
                    None => {}
                }
                let after = self.directory.add_unit_alias(id, name).await?;
                record(
                    &*self.audit,
                    &self.core,
                    by,
                    admin_kind::UNIT_ALIAS,
                    unit_target(&after),
                    Some(serde_json::json!({"aliases": before.aliases})),
                    Some(serde_json::json!({"aliases": after.aliases, "added": name})),
                )
                .await?;
                Settled { unit: after, created: false }
            }
            Settle::Create => {
                if held.is_some() {
                    return Err(Error::Conflict(format!("名称“{name}”已在单位名录中")));
                }
                let (kind, level) = kind_of_name(name);
                let u = NewUnit { name: name.to_string(), kind, level, parent_id: None, aliases: Vec::new() };
                let made = self.directory.create_unit(&u, self.core.now()).await?;
                let after = serde_json::json!({"unit": snapshot(&made), "from": "导入时新建"});
                record(&*self.audit, &self.core, by, admin_kind::UNIT_ADD, unit_target(&made), None, Some(after))
                    .await?;
                Settled { unit: made, created: true }
            }
        };
        // The suggester learns from the units' names and aliases.
        self.suggestions.forget();
        Ok(settled)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A parsed task as the reader gives it: with a deadline or none, its units, and the reader's
    /// warning when it names no lead unit.
    fn task(deadline: Option<&str>, lead: &[&str], coop: &[&str]) -> ParsedTask {
        ParsedTask {
            number: "1.".into(),
            annex: None,
            path: vec![],
            text: "推进工作".into(),
            lead: lead.iter().map(|s| s.to_string()).collect(),
            cooperating: coop.iter().map(|s| s.to_string()).collect(),
            deadline: deadline.map(|d| d.parse().unwrap()),
            deadline_text: None,
            milestones: vec![],
            targets: vec![],
            warnings: if lead.is_empty() {
                vec![Warning::new(WarningCode::NoLead, "未写明牵头单位")]
            } else {
                vec![]
            },
        }
    }

    #[test]
    fn a_unit_is_given_to_the_ticked_rows_only() {
        let mut p = Preview {
            document: DocumentMeta::default(),
            tasks: vec![task(None, &[], &[]), task(None, &["甲"], &["乙"]), task(None, &[], &[])],
        };
        assert_eq!(assign(&mut p, &[0, 1, 9], "乙", AssignAs::Lead).unwrap(), 2);
        assert_eq!((p.tasks[0].lead.clone(), p.tasks[0].warnings.len()), (vec!["乙".to_string()], 0));
        assert_eq!((p.tasks[1].lead.clone(), p.tasks[1].cooperating.clone()), (vec!["乙".to_string()], vec![]));
        assert!(p.tasks[2].lead.is_empty());
        assert_eq!(assign(&mut p, &[0, 2], "丙", AssignAs::Cooperating).unwrap(), 2);
        assert_eq!(assign(&mut p, &[0, 2], "丙", AssignAs::Cooperating).unwrap(), 0);
        assert_eq!(p.tasks[0].cooperating, vec!["丙".to_string()]);
        assert!(assign(&mut p, &[], "丙", AssignAs::Lead).is_err());
        assert!(assign(&mut p, &[0], " ", AssignAs::Lead).is_err());
    }

    #[test]
    fn past_deadlines_count_own_deadlines_and_the_default_before_today() {
        let tasks = [task(Some("2022-06-30"), &[], &[]), task(None, &[], &[]), task(Some("2026-03-02"), &[], &[])];
        let today: Date = "2026-03-02".parse().unwrap();
        let got = past_deadlines(&tasks, None, today);
        assert_eq!(got, vec![PastDeadline { task: 0, deadline: "2022-06-30".parse().unwrap(), by_default: false }]);
        let got = past_deadlines(&tasks, Some("2022-12-31".parse().unwrap()), today);
        assert_eq!(got.len(), 2);
        assert!(got[1].by_default && got[1].task == 1);
        assert_eq!(past_deadlines(&tasks, Some("2026-12-31".parse().unwrap()), today).len(), 1);
    }

    #[test]
    fn unknown_names_are_flagged_once_each_with_their_tasks() {
        let names = Names::new([("旗财政局".to_string(), "旗财政局".to_string(), false)]);
        let mut tasks = vec![
            task(None, &["旗数据局"], &["旗财政局", "旗数据局"]),
            task(None, &["旗财政局"], &["旗数据局", "某中心"]),
        ];
        let unknown = flag_unknown_units(&mut tasks, &names);
        let got: Vec<(&str, Vec<usize>)> = unknown.iter().map(|u| (u.name.as_str(), u.tasks.clone())).collect();
        assert_eq!(got, vec![("旗数据局", vec![0, 1]), ("某中心", vec![1])]);
        assert_eq!(tasks[0].warnings.len(), 1);
        assert_eq!(tasks[1].warnings.len(), 2);
        // Once the directory knows it, the warning goes.
        let names = Names::new([
            ("旗财政局".to_string(), "旗财政局".to_string(), false),
            ("旗数据局".to_string(), "旗政务服务和数据管理局".to_string(), false),
            ("某中心".to_string(), "某中心".to_string(), false),
        ]);
        assert!(flag_unknown_units(&mut tasks, &names).is_empty());
        assert!(tasks.iter().all(|t| t.warnings.is_empty()));
    }

    #[test]
    fn a_unit_made_from_its_name_alone_is_of_a_likely_kind() {
        assert_eq!(kind_of_name("某某镇人民政府"), (UnitKind::Government, UnitLevel::Township));
        assert_eq!(kind_of_name("奈曼旗人民政府"), (UnitKind::Government, UnitLevel::County));
        assert_eq!(kind_of_name("大沁他拉镇"), (UnitKind::Township, UnitLevel::Township));
        assert_eq!(kind_of_name("某街道办事处"), (UnitKind::Street, UnitLevel::Township));
        assert_eq!(kind_of_name("旗妇联"), (UnitKind::Organisation, UnitLevel::County));
        assert_eq!(kind_of_name("旗数据局"), (UnitKind::Department, UnitLevel::County));
    }
}
