//! Getting work in and keeping the ledger right (issue 12 §1): the entry form 新建任务
//! (`/tasks/new`) with a 来源 chooser — 领导批示, 会议议定事项 (a meeting and several decided
//! items at once, in one ledger for the meeting), 领导调研, 上级交办, 本级文件, 巡视巡察审计 — and
//! the edits on the task page: 完成时限, 分管领导 and 责任人 (修改), the lead unit (改派) and
//! 撤销, each with a required reason that the trail keeps with the values before and after.
//!
//! Units are picked by name or alias from a list the browser filters as one types; a group
//! (旗直有关部门) is resolved and expanded to its member units on save. The suggested lead units
//! (top 3, from [`duban_app::suggest`]) appear as one types (static/duban.js) and, without
//! JavaScript, after the button 推荐牵头单位. Everything goes through the tasks area's use cases
//! ([`duban_app::tasks::Tasks::create_many_as`], `update_task`, `cancel_task`), as the API does;
//! only the office and administrators (who run ledgers) see these forms.

use super::errors::render;
use super::{AppState, Fields, Nav, Viewer, WebError, see_other};
use crate::http::status::status_of;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use duban_app::actor::RunLedgers;
use duban_app::reporting::PartyNames;
use duban_domain::Error;
use duban_domain::event::EventKind;
use duban_domain::ids::{PersonId, TaskId};
use duban_domain::org::{Person, Role};
use duban_domain::task::{Classification, Party, Source, Status, Task, TaskInput, TaskPatch, parse_task_date};
use duban_store::{NewLedger, PartyRef};
use serde::Deserialize;
use std::collections::{HashMap, HashSet};

type PageResult = Result<Response, WebError>;

/// The sources the form offers, in the order of the chooser.
const SOURCES: [Source; 6] = [
    Source::Instruction,
    Source::Meeting,
    Source::Research,
    Source::UpperLevel,
    Source::Document,
    Source::Rectification,
];

/// The chooser's name of a source (上级交办 rather than the vocabulary's 上级文件会议).
fn source_name(s: Source) -> &'static str {
    match s {
        Source::Meeting => "会议议定事项",
        Source::Research => "领导调研",
        Source::UpperLevel => "上级交办",
        Source::Rectification => "巡视巡察审计",
        s => s.label(),
    }
}

/// Most items one form takes at once.
const MAX_ITEMS: usize = 30;

/// One option of a picker: the value typed, and what it stands for.
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// What the pickers offer: units and groups by name and alias, leaders, people.
pub struct Pickers {
    pub parties: Vec<Choice>,
    pub people: Vec<Choice>,
    pub leaders: Vec<(i64, String)>,
}

/// The directory as the pickers need it, and the people by id.
struct Directory {
    pickers: Pickers,
    people: Vec<Person>,
    names: PartyNames,
}

fn person_label(p: &Person, units: &HashMap<i64, String>) -> String {
    match p.fields.unit_id.and_then(|u| units.get(&u.0)) {
        Some(u) => format!("{}（{u}）", p.fields.name),
        None => {
            format!("{}（{}）", p.fields.name, if p.fields.title.is_empty() { "未定单位" } else { &p.fields.title })
        }
    }
}

async fn directory(d: &AppState) -> Result<Directory, Error> {
    let units = d.queries().units().await?;
    let groups = d.queries().groups().await?;
    // Everyone, so that a task's current people are named even when deactivated; the pickers
    // offer the active ones.
    let people: Vec<Person> = d.queries().all_people().await?;
    let unit_names: HashMap<i64, String> = units.iter().map(|u| (u.id.0, u.name.clone())).collect();
    let mut parties = Vec::new();
    for u in units.iter().filter(|u| u.active) {
        parties.push(Choice { value: u.name.clone(), label: String::new() });
        for a in &u.aliases {
            parties.push(Choice { value: a.clone(), label: u.name.clone() });
        }
    }
    for g in &groups {
        let label = format!("单位组，共 {} 个单位，保存时展开", g.members.len());
        parties.push(Choice { value: g.name.clone(), label: label.clone() });
        for a in &g.aliases {
            parties.push(Choice { value: a.clone(), label: format!("{}（{label}）", g.name) });
        }
    }
    let leaders = people
        .iter()
        .filter(|p| p.active && p.fields.roles.contains(&Role::Leader))
        .map(|p| {
            let title = if p.fields.title.is_empty() { String::new() } else { format!("（{}）", p.fields.title) };
            (p.id.0, format!("{}{title}", p.fields.name))
        })
        .collect();
    let people_choices = people
        .iter()
        .filter(|p| p.active && p.fields.unit_id.is_some())
        .map(|p| Choice { value: person_label(p, &unit_names), label: String::new() })
        .collect();
    let names = d.reporting().party_names().await?;
    Ok(Directory { pickers: Pickers { parties, people: people_choices, leaders }, people, names })
}

/// Splits a list of names typed into one field (、，, ; or new lines).
fn split_names(s: &str) -> impl Iterator<Item = &str> {
    s.split(['、', '，', ',', '；', ';', '\n']).map(str::trim).filter(|n| !n.is_empty())
}

/// The units named in a field, each group expanded to its member units; unknown names refused.
async fn resolve_units(d: &AppState, field: &str, label: &str, s: &str) -> Result<Vec<Party>, Error> {
    let mut out = Vec::new();
    for name in split_names(s) {
        match d.queries().resolve_name(name).await? {
            Some(PartyRef::Unit(u)) => out.push(Party::Unit(u)),
            Some(PartyRef::Group(g)) => {
                out.extend(d.queries().group(g).await?.members.into_iter().map(Party::Unit));
            }
            None => return Err(Error::invalid(field, format!("{label}“{name}”不在单位名录中，请从列表中选择"))),
        }
    }
    let mut seen = HashSet::new();
    out.retain(|p| seen.insert(*p));
    Ok(out)
}

/// The person a 责任人 field names: "姓名（单位）" as the list offers, or a name only one person has.
fn resolve_person(dir: &Directory, s: &str) -> Result<Option<PersonId>, Error> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let by_label: Vec<&Person> = dir.people.iter().filter(|p| label_of(dir, p) == s).collect();
    let found: Vec<&Person> = if by_label.is_empty() {
        dir.people.iter().filter(|p| p.active && p.fields.name == s).collect()
    } else {
        by_label
    };
    match found.as_slice() {
        [p] => Ok(Some(p.id)),
        [] => Err(Error::invalid("responsible_person_id", format!("找不到责任人“{s}”，请从列表中选择"))),
        _ => Err(Error::invalid("responsible_person_id", format!("名为“{s}”的人员不止一位，请选择带单位的名字"))),
    }
}

/// A person as the 责任人 list shows them: 姓名（单位）.
fn label_of(dir: &Directory, p: &Person) -> String {
    let unit = p.fields.unit_id.map(|u| dir.names.parties(&[Party::Unit(u)])).unwrap_or_default();
    format!("{}（{unit}）", p.fields.name)
}

/// Refuses a 责任人 who is not of a lead unit.
fn check_responsible(dir: &Directory, who: Option<PersonId>, lead: &[Party]) -> Result<(), Error> {
    let Some(id) = who else { return Ok(()) };
    let person = dir.people.iter().find(|p| p.id == id);
    if person.is_some_and(|p| !p.active) {
        return Err(Error::invalid("responsible_person_id", "该人员已停用，不能指定为责任人"));
    }
    let unit = person.and_then(|p| p.fields.unit_id);
    if unit.is_some_and(|u| lead.contains(&Party::Unit(u))) {
        Ok(())
    } else {
        Err(Error::invalid("responsible_person_id", "责任人须是牵头单位的人员"))
    }
}

/// Refuses a 分管领导 who is not one of the active leaders on offer.
fn check_leader(dir: &Directory, leader: Option<PersonId>) -> Result<(), Error> {
    match leader {
        Some(id) if !dir.pickers.leaders.iter().any(|(l, _)| *l == id.0) => {
            Err(Error::invalid("leader_id", "请从列表中选择分管领导"))
        }
        _ => Ok(()),
    }
}

fn leader_id(s: &str) -> Result<Option<PersonId>, Error> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(|n| Some(PersonId(n))).map_err(|_| Error::invalid("leader_id", "请从列表中选择分管领导"))
}

// ---- The entry form ----

/// One item of the form, as typed.
#[derive(Debug, Clone, Default)]
pub struct Item {
    pub title: String,
    pub text: String,
    pub lead: String,
    pub cooperating: String,
    pub leader: String,
    pub responsible: String,
    pub deadline: String,
    pub by_rule: bool,
    /// Suggested lead units (top 3), after 推荐牵头单位.
    pub suggestions: Vec<String>,
}

/// The entry form, as typed (kept on a refusal).
#[derive(Debug, Clone, Default)]
pub struct Entry {
    pub source: String,
    /// 批示领导 / 调研领导.
    pub origin_leader: String,
    /// 批示日期 / 会议日期 / 调研日期.
    pub origin_date: String,
    /// 批示内容 / 调研地点和问题.
    pub origin_text: String,
    /// 会议名称 / 文件名称 / 巡视巡察审计的名称.
    pub origin_name: String,
    /// 文号.
    pub doc_number: String,
    pub classification: String,
    pub priority: String,
    pub items: Vec<Item>,
}

impl Entry {
    fn blank(source: Source) -> Self {
        let n = if source == Source::Meeting { 3 } else { 1 };
        Entry {
            source: source.code().into(),
            classification: Classification::Internal.code().into(),
            items: vec![Item { by_rule: true, ..Item::default() }; n],
            ..Entry::default()
        }
    }

    fn from_form(f: &Fields) -> Self {
        let n = f.get("items").parse::<usize>().unwrap_or(1).clamp(1, MAX_ITEMS);
        let get = |k: &str, i: usize| f.get(&format!("{k}.{i}")).to_string();
        let items = (0..n)
            .map(|i| Item {
                title: get("title", i),
                text: get("text", i),
                lead: get("lead", i),
                cooperating: get("cooperating", i),
                leader: get("leader", i),
                responsible: get("responsible", i),
                deadline: get("deadline", i),
                by_rule: get("by_rule", i) == "on",
                suggestions: Vec::new(),
            })
            .collect();
        Entry {
            source: f.get("source").to_string(),
            origin_leader: f.get("origin_leader").to_string(),
            origin_date: f.get("origin_date").to_string(),
            origin_text: f.get("origin_text").to_string(),
            origin_name: f.get("origin_name").to_string(),
            doc_number: f.get("doc_number").to_string(),
            classification: f.get("classification").to_string(),
            priority: f.get("priority").to_string(),
            items,
        }
    }

    fn source(&self) -> Source {
        self.source.parse().ok().filter(|s| SOURCES.contains(s)).unwrap_or(Source::Instruction)
    }
}

/// The labels the form uses for the chosen source.
pub struct Labels {
    pub title: &'static str,
    pub text: &'static str,
}

fn labels(s: Source) -> Labels {
    match s {
        Source::Rectification => Labels { title: "问题（发现的问题）", text: "整改要求和措施" },
        Source::Meeting => Labels { title: "议定事项", text: "具体要求" },
        Source::Research => Labels { title: "调研发现的问题", text: "工作要求" },
        _ => Labels { title: "任务名称", text: "任务内容" },
    }
}

#[derive(Template)]
#[template(path = "task_new.html")]
struct NewPage {
    nav: Nav,
    csrf: String,
    error: Option<String>,
    f: Entry,
    source: Source,
    sources: Vec<(&'static str, &'static str, bool)>,
    labels: Labels,
    pickers: Pickers,
    classifications: Vec<(&'static str, &'static str)>,
    priorities: Vec<(&'static str, &'static str)>,
    /// The tasks just made (after a save of several), as (id, title).
    made: Vec<(i64, String)>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewParams {
    source: String,
    made: String,
}

async fn new_page(
    d: &AppState,
    v: &Viewer,
    f: Entry,
    error: Option<(StatusCode, String)>,
    made: Vec<(i64, String)>,
    flash: Option<String>,
) -> PageResult {
    let dir = directory(d).await?;
    let source = f.source();
    let mut nav = Nav::new(Some(v), "/tasks/new");
    if let Some(text) = flash {
        nav = nav.flash("ok", text);
    }
    let (status, error) = match error {
        Some((s, e)) => (s, Some(e)),
        None => (StatusCode::OK, None),
    };
    let page = NewPage {
        nav,
        csrf: v.csrf.clone(),
        error,
        source,
        sources: SOURCES.iter().map(|s| (s.code(), source_name(*s), *s == source)).collect(),
        labels: labels(source),
        f,
        pickers: dir.pickers,
        classifications: Classification::ALL.iter().map(|c| (c.code(), c.label())).collect(),
        priorities: duban_domain::task::Priority::ALL.iter().map(|c| (c.code(), c.label())).collect(),
        made,
    };
    Ok(render(&page, status))
}

/// `GET /tasks/new`: the blank form for a source; after a save of several items, the list of
/// what was made.
pub async fn form(State(d): State<AppState>, v: Viewer, Query(p): Query<NewParams>) -> PageResult {
    v.require::<RunLedgers>()?;
    let source = p.source.parse().ok().filter(|s| SOURCES.contains(s)).unwrap_or(Source::Instruction);
    let mut made = Vec::new();
    let ids: Vec<i64> = p.made.split(',').filter_map(|s| s.trim().parse().ok()).take(MAX_ITEMS).collect();
    for id in &ids {
        if let Ok(t) = d.access().visible_task(&v.person, TaskId(*id)).await {
            made.push((t.id.0, t.fields.title));
        }
    }
    let flash = (!ids.is_empty()).then(|| format!("已新建 {} 项任务，已交办牵头单位。", ids.len()));
    new_page(&d, &v, Entry::blank(source), None, made, flash).await
}

/// `POST /tasks/new`: saves (the default), or, without JavaScript, adds an item, suggests lead
/// units, or takes a suggested one; every path keeps what was typed.
pub async fn submit(State(d): State<AppState>, v: Viewer, Form(form): Form<Fields>) -> PageResult {
    v.check_csrf(form.get("csrf"))?;
    v.require::<RunLedgers>()?;
    let mut f = Entry::from_form(&form);
    if let Some((i, name)) = form.get("pick").split_once('|') {
        if let Some(item) = i.parse::<usize>().ok().and_then(|i| f.items.get_mut(i)) {
            item.lead = name.to_string();
        }
        return new_page(&d, &v, f, None, Vec::new(), None).await;
    }
    match form.get("do") {
        "add" => {
            if f.items.len() < MAX_ITEMS {
                f.items.push(Item { by_rule: true, ..Item::default() });
            }
            return new_page(&d, &v, f, None, Vec::new(), None).await;
        }
        "suggest" => {
            for item in &mut f.items {
                let text = format!("{} {}", item.title, item.text);
                if !text.trim().is_empty() {
                    item.suggestions =
                        d.suggestions().suggest_leads(&text, 3).await?.into_iter().map(|s| s.name).collect();
                }
            }
            return new_page(&d, &v, f, None, Vec::new(), None).await;
        }
        _ => {}
    }
    match save(&d, &v, &f).await {
        Ok(ids) => {
            let visible = match ids.as_slice() {
                [one] => d.access().visible_task(&v.person, *one).await.is_ok(),
                _ => false,
            };
            if visible {
                Ok(see_other(&format!("/tasks/{}?done=created", ids[0].0)))
            } else {
                let list = ids.iter().map(|i| i.0.to_string()).collect::<Vec<_>>().join(",");
                Ok(see_other(&format!("/tasks/new?source={}&made={list}", f.source().code())))
            }
        }
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_) | Error::NotFound { .. })) => {
            let status = status_of(e.code());
            let status = if status == StatusCode::NOT_FOUND { StatusCode::UNPROCESSABLE_ENTITY } else { status };
            new_page(&d, &v, f, Some((status, e.to_string())), Vec::new(), None).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Checks the form and creates its tasks (a meeting's in a ledger of its own).
async fn save(d: &AppState, v: &Viewer, f: &Entry) -> Result<Vec<TaskId>, Error> {
    let source = f.source();
    let dir = directory(d).await?;
    let need = |v: &str, field: &str, label: &str| -> Result<String, Error> {
        let v = v.trim();
        if v.is_empty() { Err(Error::invalid(field, format!("请填写{label}"))) } else { Ok(v.to_string()) }
    };
    let date = |s: &str, field: &str| -> Result<Option<String>, Error> {
        let s = s.trim();
        if s.is_empty() { Ok(None) } else { parse_task_date(field, s).map(|d| Some(d.to_string())) }
    };
    // Where the tasks come from, as the ledger's section line (and, for a meeting, its ledger).
    let (section, preface, ledger) = match source {
        Source::Instruction => {
            let who = need(&f.origin_leader, "origin_leader", "批示领导")?;
            let when = date(&f.origin_date, "origin_date")?.unwrap_or_default();
            let text = f.origin_text.trim();
            (format!("{who}{when}批示"), (!text.is_empty()).then(|| format!("批示内容：{text}")), None)
        }
        Source::Meeting => {
            let name = need(&f.origin_name, "origin_name", "会议名称")?;
            let when =
                date(&f.origin_date, "origin_date")?.ok_or_else(|| Error::invalid("origin_date", "请填写会议日期"))?;
            let ledger = NewLedger {
                name: name.clone(),
                doc_number: None,
                issued: Some(parse_task_date("origin_date", &when)?),
                issuer: String::new(),
                source: Source::Meeting,
            };
            (format!("{name}（{when}）议定事项"), None, Some(ledger))
        }
        Source::Research => {
            let who = need(&f.origin_leader, "origin_leader", "调研领导")?;
            let when = date(&f.origin_date, "origin_date")?.unwrap_or_default();
            let place = need(&f.origin_text, "origin_text", "调研地点和事项")?;
            (format!("{who}{when}调研{place}"), None, None)
        }
        Source::UpperLevel | Source::Document => {
            let name = need(&f.origin_name, "origin_name", "文件名称")?;
            let number = f.doc_number.trim();
            (if number.is_empty() { name } else { format!("{name}（{number}）") }, None, None)
        }
        _ => (need(&f.origin_name, "origin_name", "巡视巡察审计的名称")?, None, None),
    };
    let classification: Classification =
        f.classification.parse().map_err(|_| Error::invalid("classification", "请选择密级"))?;
    let several = f.items.len() > 1;
    let mut inputs = Vec::new();
    for (i, item) in f.items.iter().enumerate() {
        // A meeting's form may carry blank rows: they are left out.
        let blank = item.title.trim().is_empty()
            && item.text.trim().is_empty()
            && item.lead.trim().is_empty()
            && item.cooperating.trim().is_empty();
        if several && blank {
            continue;
        }
        let at = |e: Error| match e {
            Error::Invalid { field, message } if several => {
                Error::invalid(field, format!("第 {} 项：{message}", i + 1))
            }
            e => e,
        };
        let lead = resolve_units(d, "lead", "牵头单位", &item.lead).await.map_err(at)?;
        if lead.is_empty() {
            return Err(at(Error::invalid("lead", "请选择牵头单位")));
        }
        let cooperating = resolve_units(d, "cooperating", "配合单位", &item.cooperating).await.map_err(at)?;
        let leader = leader_id(&item.leader).map_err(at)?;
        check_leader(&dir, leader).map_err(at)?;
        let responsible = resolve_person(&dir, &item.responsible).map_err(at)?;
        check_responsible(&dir, responsible, &lead).map_err(at)?;
        let deadline = match date(&item.deadline, "deadline").map_err(at)? {
            Some(d) => Some(d),
            None if item.by_rule => None,
            None => return Err(at(Error::invalid("deadline", "请填写完成时限，或选择“按规则”"))),
        };
        if classification == Classification::Secret && leader.is_none() && responsible.is_none() {
            return Err(at(Error::invalid(
                "classification",
                "涉密任务只有被指定的分管领导和责任人能看到，请至少指定其中一人",
            )));
        }
        let text = match (&preface, item.text.trim()) {
            (Some(p), "") => p.clone(),
            (Some(p), t) => format!("{p}\n{t}"),
            (None, t) => t.to_string(),
        };
        inputs.push(TaskInput {
            title: Some(item.title.clone()),
            text: Some(text),
            section: Some(section.clone()),
            source: Some(source.code().into()),
            lead,
            cooperating,
            leader_id: leader,
            responsible_person_id: responsible,
            deadline,
            priority: Some(f.priority.clone()),
            classification: Some(classification.code().into()),
            number: several.then(|| (inputs.len() + 1).to_string()),
            ..TaskInput::default()
        });
    }
    let (_, made) = d.tasks().create_many_as(&v.person, ledger, inputs).await?;
    Ok(made.into_iter().map(|t| t.task.id).collect())
}

// ---- Edits on the task page ----

/// The edit forms of a task page (修改, 改派, 撤销), filled with the task's values or with what
/// was typed before a refusal.
pub struct EditBox {
    pub id: i64,
    pub version: i64,
    pub csrf: String,
    pub deadline: String,
    pub by_rule: bool,
    pub leader: String,
    pub responsible: String,
    pub lead: String,
    pub cooperating: String,
    pub reason: String,
    /// Which form the reason and error belong to: edit, reassign or withdraw.
    pub form: &'static str,
    pub pickers: Pickers,
}

/// The edit forms for a viewer who runs ledgers, on a task neither closed nor withdrawn.
pub async fn edit_box(d: &AppState, v: &Viewer, task: &Task) -> Result<Option<EditBox>, Error> {
    if !v.may::<RunLedgers>() || matches!(task.status, Status::Closed | Status::Cancelled) {
        return Ok(None);
    }
    let dir = directory(d).await?;
    Ok(Some(fill(&dir, v, task)))
}

fn fill(dir: &Directory, v: &Viewer, task: &Task) -> EditBox {
    let f = &task.fields;
    let responsible = f
        .responsible_person_id
        .and_then(|id| dir.people.iter().find(|p| p.id == id))
        .map(|p| label_of(dir, p))
        .unwrap_or_default();
    let join = |ps: &[Party]| dir.names.parties(ps);
    // The current leader in charge stays on offer (even if no longer a leader or active), so
    // that saving another change never clears them by accident.
    let mut leaders = dir.pickers.leaders.clone();
    if let Some(id) = f.leader_id
        && !leaders.iter().any(|(l, _)| *l == id.0)
    {
        let name = dir.people.iter().find(|p| p.id == id).map(|p| p.fields.name.clone());
        leaders.insert(0, (id.0, name.unwrap_or_else(|| format!("人员{}", id.0))));
    }
    EditBox {
        id: task.id.0,
        version: task.version,
        csrf: v.csrf.clone(),
        deadline: f.deadline.map(|d| d.to_string()).unwrap_or_default(),
        by_rule: f.deadline.is_none(),
        leader: f.leader_id.map(|p| p.0.to_string()).unwrap_or_default(),
        responsible,
        lead: join(&f.lead),
        cooperating: join(&f.cooperating),
        reason: String::new(),
        form: "",
        pickers: Pickers {
            parties: dir
                .pickers
                .parties
                .iter()
                .map(|c| Choice { value: c.value.clone(), label: c.label.clone() })
                .collect(),
            people: dir
                .pickers
                .people
                .iter()
                .map(|c| Choice { value: c.value.clone(), label: c.label.clone() })
                .collect(),
            leaders,
        },
    }
}

#[derive(Template)]
#[template(path = "task_edit.html")]
struct EditPage {
    nav: Nav,
    title: String,
    error: String,
    edit: Option<EditBox>,
}

/// The edit forms alone, after a refusal: the error, and what was typed.
async fn refused(d: &AppState, v: &Viewer, task: &Task, form: &Fields, which: &'static str, e: Error) -> PageResult {
    let dir = directory(d).await?;
    let mut b = fill(&dir, v, task);
    let get = |k: &str| form.get(k).to_string();
    match which {
        "edit" => {
            b.deadline = get("deadline");
            b.by_rule = get("by_rule") == "on";
            b.leader = get("leader");
            b.responsible = get("responsible");
        }
        "reassign" => {
            b.lead = get("lead");
            b.cooperating = get("cooperating");
        }
        _ => {}
    }
    b.reason = get("reason");
    b.form = which;
    let status = status_of(e.code());
    let page = EditPage {
        nav: Nav::new(Some(v), "/tasks"),
        title: task.fields.title.clone(),
        error: e.to_string(),
        edit: Some(b),
    };
    Ok(render(&page, if status.is_success() { StatusCode::UNPROCESSABLE_ENTITY } else { status }))
}

/// The checks every edit makes first: the token, the capability, then the task (a hidden task
/// answers as a missing one).
async fn edit_target(d: &AppState, v: &Viewer, id: i64, form: &Fields) -> Result<Task, WebError> {
    v.check_csrf(form.get("csrf"))?;
    v.require::<RunLedgers>()?;
    Ok(d.access().visible_task(&v.person, TaskId(id)).await?)
}

fn reason_of(form: &Fields) -> Result<String, Error> {
    let r = form.get("reason").trim();
    if r.is_empty() {
        Err(Error::invalid("reason", "请填写原因，它将记入全过程记录"))
    } else {
        Ok(r.to_string())
    }
}

fn version_of(form: &Fields) -> Result<i64, Error> {
    form.get("version").trim().parse().map_err(|_| Error::invalid("version", "页面已过期，请刷新后重试"))
}

/// Runs an edit and answers: back to the task page saying so, or the edit forms with the error.
async fn finish(
    d: &AppState,
    v: &Viewer,
    task: &Task,
    form: &Fields,
    which: &'static str,
    result: Result<(), Error>,
) -> PageResult {
    match result {
        Ok(()) => {
            // A task the editor no longer sees (涉密, no longer naming them) goes to the ledger.
            if d.access().visible_task(&v.person, task.id).await.is_ok() {
                Ok(see_other(&format!("/tasks/{}?done={which}", task.id.0)))
            } else {
                Ok(see_other("/tasks"))
            }
        }
        Err(e @ (Error::Invalid { .. } | Error::Conflict(_) | Error::VersionConflict { .. })) => {
            refused(d, v, task, form, which, e).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /tasks/{id}/edit`: 完成时限, 分管领导, 责任人, with a reason.
pub async fn edit(State(d): State<AppState>, v: Viewer, Path(id): Path<i64>, Form(form): Form<Fields>) -> PageResult {
    let task = edit_target(&d, &v, id, &form).await?;
    let result = async {
        let dir = directory(&d).await?;
        let f = &task.fields;
        let mut patch = TaskPatch::default();
        let deadline = match form.get("deadline").trim() {
            "" if form.get("by_rule") == "on" => None,
            "" => return Err(Error::invalid("deadline", "请填写完成时限，或选择“按规则”")),
            s => Some(parse_task_date("deadline", s)?),
        };
        if deadline != f.deadline {
            patch.deadline = Some(deadline);
        }
        let leader = leader_id(form.get("leader"))?;
        if leader != f.leader_id {
            check_leader(&dir, leader)?;
            patch.leader_id = Some(leader);
        }
        let responsible = resolve_person(&dir, form.get("responsible"))?;
        if responsible != f.responsible_person_id {
            check_responsible(&dir, responsible, &f.lead)?;
            patch.responsible_person_id = Some(responsible);
        }
        if patch.deadline.is_none() && patch.leader_id.is_none() && patch.responsible_person_id.is_none() {
            return Err(Error::invalid("deadline", "没有改动：请修改完成时限、分管领导或责任人"));
        }
        patch.reason = Some(reason_of(&form)?);
        d.tasks().update_task(task.id, version_of(&form)?, &patch, Some(v.person.id)).await.map(|_| ())
    }
    .await;
    finish(&d, &v, &task, &form, "edit", result).await
}

/// `POST /tasks/{id}/reassign`: 改派 — a new lead unit (and cooperating units), with a reason.
pub async fn reassign(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> PageResult {
    let task = edit_target(&d, &v, id, &form).await?;
    let result = async {
        let lead = resolve_units(&d, "lead", "牵头单位", form.get("lead")).await?;
        if lead.is_empty() {
            return Err(Error::invalid("lead", "请选择新的牵头单位"));
        }
        if lead == task.fields.lead {
            return Err(Error::invalid("lead", "新的牵头单位与原牵头单位相同"));
        }
        let cooperating = resolve_units(&d, "cooperating", "配合单位", form.get("cooperating")).await?;
        let patch = TaskPatch {
            lead: Some(lead),
            cooperating: Some(cooperating),
            reason: Some(reason_of(&form)?),
            ..TaskPatch::default()
        };
        d.tasks().update_task(task.id, version_of(&form)?, &patch, Some(v.person.id)).await.map(|_| ())
    }
    .await;
    finish(&d, &v, &task, &form, "reassign", result).await
}

/// `POST /tasks/{id}/withdraw`: 撤销, with a reason and a confirmation.
pub async fn withdraw(
    State(d): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<Fields>,
) -> PageResult {
    let task = edit_target(&d, &v, id, &form).await?;
    let result = async {
        let reason = reason_of(&form)?;
        if form.get("confirm") != "on" {
            return Err(Error::invalid("confirm", "请勾选“确认撤销”：撤销后任务不再办理"));
        }
        d.tasks().cancel_task(task.id, version_of(&form)?, &reason, Some(v.person.id)).await.map(|_| ())
    }
    .await;
    finish(&d, &v, &task, &form, "withdraw", result).await
}

// ---- The trail ----

/// A trail line's detail with what an edit recorded: the reason (原因) and, for 修改 and 改派,
/// each changed field as 原值 → 新值.
pub fn with_changes(
    detail: String,
    kind: &str,
    data: &serde_json::Value,
    names: &PartyNames,
    people: &HashMap<PersonId, String>,
) -> String {
    let mut parts = Vec::new();
    if !detail.is_empty() {
        parts.push(detail);
    }
    let edited = matches!(kind.parse(), Ok(EventKind::Updated | EventKind::Reassigned));
    if edited && let Some(changes) = data.get("changes").and_then(|c| c.as_object()) {
        for (field, change) in changes {
            let Some(label) = field_label(field) else { continue };
            let show = |v: Option<&serde_json::Value>| value_text(field, v, names, people);
            parts.push(format!("{label}：{} → {}", show(change.get("before")), show(change.get("after"))));
        }
    }
    if let Some(r) = data.get("reason").and_then(|r| r.as_str()).filter(|r| !r.is_empty()) {
        parts.push(format!("原因：{r}"));
    }
    parts.join("；")
}

fn field_label(field: &str) -> Option<&'static str> {
    Some(match field {
        "deadline" => "完成时限",
        "lead" => "牵头单位",
        "cooperating" => "配合单位",
        "leader_id" => "分管领导",
        "responsible_person_id" => "责任人",
        "title" => "任务名称",
        "classification" => "密级",
        "priority" => "优先级",
        "source" => "来源",
        "number" => "序号",
        _ => return None,
    })
}

fn value_text(
    field: &str,
    v: Option<&serde_json::Value>,
    names: &PartyNames,
    people: &HashMap<PersonId, String>,
) -> String {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return if field == "deadline" { "按规则".into() } else { "无".into() };
    };
    match field {
        "lead" | "cooperating" => {
            let ps: Vec<Party> = serde_json::from_value(v.clone()).unwrap_or_default();
            if ps.is_empty() { "无".into() } else { names.parties(&ps) }
        }
        "leader_id" | "responsible_person_id" => v
            .as_i64()
            .map(|id| people.get(&PersonId(id)).cloned().unwrap_or_else(|| format!("人员{id}")))
            .unwrap_or_default(),
        "classification" => {
            v.as_str().and_then(|s| s.parse::<Classification>().ok()).map(|c| c.label().to_string()).unwrap_or_default()
        }
        "priority" => v
            .as_str()
            .and_then(|s| s.parse::<duban_domain::task::Priority>().ok())
            .map(|c| c.label().to_string())
            .unwrap_or_default(),
        "source" => {
            v.as_str().and_then(|s| s.parse::<Source>().ok()).map(|c| c.label().to_string()).unwrap_or_default()
        }
        _ => v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()),
    }
}
