//! The task page's decomposition panel and its two forms (issue 12 §1, §2): the parent's
//! progress from its subtasks, the split form (分解交办) of the lead unit and the office, the
//! cooperating units' reports of their part, and a dispute's positions with the ruling form,
//! whose unit pickers search the directory by name or alias (a `<datalist>`, no long select).
//! The panel is shown by `templates/partials/task_decompose.html`.

use super::pages::task_page_keeping;
use super::{Fields, Viewer, see_other};
use crate::http::AppState;
use crate::web::WebError;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use duban_app::decompose::{PartInput, SplitInput, UnitWord};
use duban_app::lifecycle::ActionInput;
use duban_domain::Error;
use duban_domain::event::EventKind;
use duban_domain::ids::{PersonId, TaskId, UnitId};
use duban_domain::lifecycle::Action;
use duban_domain::org::Person;
use duban_domain::task::{Party, Status, Task, display_number};
use duban_domain::visibility::units;
use duban_store::PartyRef;
use std::collections::{HashMap, HashSet};

type PageResult = Result<Response, WebError>;

/// Blank rows the split form offers.
const SPLIT_ROWS: usize = 3;

/// One row of the split form, as typed.
#[derive(Debug, Clone, Default)]
pub struct SplitRow {
    pub title: String,
    pub unit: String,
    pub section: String,
    pub person: String,
    pub deadline: String,
}

/// What a refused form typed, shown again.
#[derive(Debug, Clone, Default)]
pub struct Kept {
    pub rows: Vec<SplitRow>,
    pub rule_text: String,
    pub rule_lead: String,
    pub rule_cooperating: String,
}

/// A subtask as the parent lists it.
pub struct PartRow {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub unit: String,
    pub section: String,
    pub person: String,
    pub deadline: String,
    pub state: &'static str,
    pub closed: bool,
    pub progress: String,
    pub open: bool,
}

/// A unit's own word: a report of its part or a position on a dispute.
pub struct WordRow {
    pub unit: String,
    pub what: &'static str,
    pub text: String,
    pub at: String,
    pub who: String,
    /// Earlier reports of the same unit.
    pub earlier: usize,
}

/// What the panel shows.
#[derive(Default)]
pub struct Panel {
    pub parent: Option<(i64, String)>,
    pub summary: String,
    pub percent: u32,
    pub parts: Vec<PartRow>,
    /// The task has cooperating units.
    pub cooperating: bool,
    pub reports: Vec<WordRow>,
    pub disputed: bool,
    pub positions: Vec<WordRow>,
    pub may_split: bool,
    /// The split form is open: it comes back refused, with what was typed.
    pub split_open: bool,
    pub rows: Vec<SplitRow>,
    pub split_units: Vec<String>,
    pub split_people: Vec<String>,
    pub parent_deadline: String,
    pub may_rule: bool,
    pub rule_units: Vec<String>,
    pub rule_text: String,
    pub rule_lead: String,
    pub rule_cooperating: String,
}

/// The panel of a task the viewer sees.
pub async fn panel(d: &AppState, v: &Viewer, task: &Task, deadline: String, kept: Kept) -> Result<Panel, Error> {
    let dec = d.lifecycle().decomposition(&v.person, task.id).await?;
    let names = d.reporting().party_names().await?;
    let people = d.queries().all_people().await?;
    let person_name: HashMap<PersonId, &Person> = people.iter().map(|p| (p.id, p)).collect();
    let who = |p: Option<PersonId>| {
        p.and_then(|p| person_name.get(&p).map(|p| p.fields.name.clone())).unwrap_or_else(|| "系统".into())
    };
    let tz = d.core().policy().timezone();
    let at = |t: jiff::Timestamp| t.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string();
    let unit_of = |w: &UnitWord| {
        w.unit
            .or_else(|| w.actor.and_then(|p| person_name.get(&p)).and_then(|p| p.fields.unit_id))
            .map(|u| names.parties(&[Party::Unit(u)]))
            .unwrap_or_else(|| "—".into())
    };
    let parts = dec
        .parts
        .iter()
        .map(|p| PartRow {
            id: p.id.0,
            number: display_number(&p.number),
            title: p.title.clone(),
            unit: names.parties(&p.lead),
            section: p.section.clone(),
            person: p.responsible_person_id.map(|r| who(Some(r))).unwrap_or_default(),
            deadline: p.deadline.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            state: p.state,
            closed: p.status == Status::Closed,
            progress: p.progress.clone().unwrap_or_default(),
            open: p.open,
        })
        .collect();
    // Each cooperating unit's latest report, with the number of its earlier ones.
    let mut reports: Vec<WordRow> = Vec::new();
    for w in &dec.reports {
        let unit = unit_of(w);
        match reports.iter_mut().find(|r| r.unit == unit) {
            Some(r) => r.earlier += 1,
            None => reports.push(WordRow {
                unit,
                what: EventKind::ReportPart.label(),
                text: w.text.clone(),
                at: at(w.at),
                who: who(w.actor),
                earlier: 0,
            }),
        }
    }
    let disputed = task.status == Status::Disputed;
    let positions = dec
        .positions
        .iter()
        .map(|w| WordRow {
            unit: unit_of(w),
            what: if w.kind == EventKind::RaiseDispute { "提请裁定方" } else { "陈述意见" },
            text: w.text.clone(),
            at: at(w.at),
            who: who(w.actor),
            earlier: 0,
        })
        .collect();
    let may_rule = disputed
        && d.lifecycle().available_actions(task.id, v.person.id).await?.iter().any(|a| a.action == Action::Rule);
    let all_units = if dec.may_split || may_rule { d.queries().units().await? } else { Vec::new() };
    let unit_choices = |only: Option<&HashSet<UnitId>>| -> Vec<String> {
        let mut out = Vec::new();
        for u in all_units.iter().filter(|u| u.active && only.is_none_or(|o| o.contains(&u.id))) {
            out.push(u.name.clone());
            out.extend(u.aliases.iter().cloned());
        }
        out
    };
    let (split_units, split_people) = if dec.may_split {
        let members = d.access().group_members().await?;
        let reach: HashSet<UnitId> =
            units(&task.fields.lead, &members).chain(units(&task.fields.cooperating, &members)).collect();
        let office = v.may::<duban_app::actor::RunLedgers>();
        let list = unit_choices(if office { None } else { Some(&reach) });
        let people = people
            .iter()
            .filter(|p| p.active && p.fields.unit_id.is_some_and(|u| reach.contains(&u)))
            .map(|p| p.fields.name.clone())
            .collect();
        (list, people)
    } else {
        (Vec::new(), Vec::new())
    };
    let split_open = kept.rows.iter().any(|r| !r.title.trim().is_empty());
    let mut rows = kept.rows;
    rows.resize_with(rows.len().max(SPLIT_ROWS), SplitRow::default);
    Ok(Panel {
        parent: dec.parent.map(|p| (p.id.0, format!("{} {}", display_number(&p.number), p.title))),
        summary: dec.summary,
        percent: dec.percent,
        parts,
        cooperating: !task.fields.cooperating.is_empty(),
        reports,
        disputed,
        positions,
        may_split: dec.may_split,
        split_open,
        rows,
        split_units,
        split_people,
        parent_deadline: deadline,
        may_rule,
        rule_units: if may_rule { unit_choices(None) } else { Vec::new() },
        rule_text: kept.rule_text,
        rule_lead: kept.rule_lead,
        rule_cooperating: kept.rule_cooperating,
    })
}

/// A unit named in a form: its name or an alias, as the directory resolves it.
async fn unit_named(d: &AppState, field: &str, name: &str) -> Result<UnitId, Error> {
    match d.queries().resolve_name(name.trim()).await? {
        Some(PartyRef::Unit(u)) => Ok(u),
        Some(PartyRef::Group(_)) => Err(Error::invalid(field, format!("“{}”是单位组，请选择具体单位", name.trim()))),
        None => Err(Error::invalid(field, format!("没有名为“{}”的单位，请从候选中选择", name.trim()))),
    }
}

/// The rows of a submitted split form.
fn rows_of(form: &Fields) -> Vec<SplitRow> {
    let col = |n: &str| form.all(n).map(str::to_string).collect::<Vec<_>>();
    let (titles, units, sections, people, deadlines) =
        (col("title"), col("unit"), col("section"), col("person"), col("deadline"));
    let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
    (0..titles.len())
        .map(|i| SplitRow {
            title: at(&titles, i),
            unit: at(&units, i),
            section: at(&sections, i),
            person: at(&people, i),
            deadline: at(&deadlines, i),
        })
        .collect()
}

/// The parts of the filled rows (a row without content is skipped).
async fn parts_of(d: &AppState, rows: &[SplitRow]) -> Result<Vec<PartInput>, Error> {
    let people = d.queries().all_people().await?;
    let mut parts = Vec::new();
    for (k, r) in rows.iter().enumerate().filter(|(_, r)| !r.title.trim().is_empty()) {
        let row = |e: Error| match e {
            Error::Invalid { field, message } => {
                Error::Invalid { field, message: format!("第 {} 行：{message}", k + 1) }
            }
            e => e,
        };
        if r.unit.trim().is_empty() {
            return Err(row(Error::invalid("unit", "请填写承办单位")));
        }
        let unit = unit_named(d, "unit", &r.unit).await.map_err(row)?;
        let responsible = match r.person.trim() {
            "" => None,
            name => {
                let found: Vec<&Person> = people
                    .iter()
                    .filter(|p| p.active && p.fields.name == name && p.fields.unit_id == Some(unit))
                    .collect();
                match found.as_slice() {
                    [one] => Some(one.id.0),
                    [] => {
                        return Err(row(Error::invalid("person", format!("承办单位中没有名为“{name}”的在岗人员"))));
                    }
                    _ => return Err(row(Error::invalid("person", format!("承办单位中有多名“{name}”，请联系管理员")))),
                }
            }
        };
        parts.push(PartInput {
            title: r.title.clone(),
            text: String::new(),
            unit: Some(unit.0),
            section: r.section.clone(),
            responsible,
            deadline: Some(r.deadline.clone()).filter(|s| !s.trim().is_empty()),
        });
    }
    if parts.is_empty() {
        return Err(Error::invalid("title", "请至少填写一项子任务"));
    }
    Ok(parts)
}

/// Splits the task (分解交办) from its page.
pub async fn split(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    d.access().visible_task(&v.person, TaskId(id)).await?;
    let rows = rows_of(&form);
    let result = match parts_of(&d, &rows).await {
        Ok(parts) => {
            let input = SplitInput { actor: Some(v.person.id.0), version: form.get("version").parse().ok(), parts };
            d.lifecycle().split(TaskId(id), input).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(created) => Ok(see_other(&format!("/tasks/{id}?done=split&n={}", created.len()))),
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_) | Error::VersionConflict { .. } | Error::Forbidden)) => {
            task_page_keeping(&d, &v, TaskId(id), e.to_string(), Kept { rows, ..Kept::default() }).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Names separated by 、 , ， ; or ；.
fn names(list: &str) -> impl Iterator<Item = &str> {
    list.split(['、', ',', '，', ';', '；']).map(str::trim).filter(|s| !s.is_empty())
}

/// Rules on a dispute (裁定) from its page: the new lead unit (and cooperating units) picked by
/// name or alias.
pub async fn rule(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    d.access().visible_task(&v.person, TaskId(id)).await?;
    let kept = Kept {
        rows: Vec::new(),
        rule_text: form.get("text").to_string(),
        rule_lead: form.get("lead").to_string(),
        rule_cooperating: form.get("cooperating").to_string(),
    };
    let result = async {
        let lead = match kept.rule_lead.trim() {
            "" => return Err(Error::invalid("lead", "裁定须指明牵头单位：请在“裁定牵头单位”中选择")),
            name => unit_named(&d, "lead", name).await?,
        };
        let mut cooperating = Vec::new();
        for name in names(&kept.rule_cooperating) {
            cooperating.push(Party::Unit(unit_named(&d, "cooperating", name).await?));
        }
        let input = ActionInput {
            action: Action::Rule.code().into(),
            actor: Some(v.person.id.0),
            version: form.get("version").parse().ok(),
            text: kept.rule_text.clone(),
            lead: Some(vec![Party::Unit(lead)]),
            cooperating: (!cooperating.is_empty()).then_some(cooperating),
            ..ActionInput::default()
        };
        d.lifecycle().act(TaskId(id), input).await
    }
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/tasks/{id}?done=ruled"))),
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_) | Error::VersionConflict { .. } | Error::Forbidden)) => {
            task_page_keeping(&d, &v, TaskId(id), e.to_string(), kept).await
        }
        Err(e) => Err(e.into()),
    }
}
