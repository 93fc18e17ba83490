//! [`DocumentImport`], importing documents into the ledger: a preview that writes nothing, and a commit of the
//! (possibly corrected) preview. One document makes one ledger, named after it; importing it
//! again updates that ledger's tasks in place, adds new ones and withdraws the ones the
//! document no longer has, so nothing is duplicated and the trail keeps every change. A commit
//! is one transaction, written through the tasks area ([`Tasks`]), and never touches a task the
//! committing person may not see.

use crate::access::Access;
use crate::actor::{Actor, RunLedgers};
use crate::core::Core;
use crate::suggest::Suggestions;
use crate::tasks::{Edit, Tasks};
use duban_domain::Error;
use duban_domain::event::EventKind;
use duban_domain::ids::LedgerId;
use duban_domain::policy::ClockEvent;
use duban_domain::task::{
    Classification, Complexity, Milestone, NewTask, Party, Priority, Source, Status, Task, TaskPatch,
};
use duban_import::{ImportError, Limits, Names, Options, ParsedTask, Preview};
use duban_store::{
    AuditStore, DirectoryStore, ImportWrite, LedgerStore, LedgerTarget, NewLedger, PartyRef, TaskQuery, TaskSort,
    TaskStore,
};
use jiff::civil::Date;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, LazyLock};

/// What a commit did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub ledger_id: LedgerId,
    pub ledger: String,
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub withdrawn: u32,
}

/// Each task's key within its ledger: its number as printed, after its annex; a number that
/// repeats (① under two headings) is qualified by its heading's number (1.①, 2.①).
pub fn task_numbers(tasks: &[ParsedTask]) -> Vec<String> {
    let plain = |t: &ParsedTask| match t.annex {
        Some(a) => annexed(a, &t.number),
        None => t.number.clone(),
    };
    let mut count: HashMap<String, usize> = HashMap::new();
    for t in tasks {
        *count.entry(plain(t)).or_default() += 1;
    }
    let mut used: HashMap<String, usize> = HashMap::new();
    tasks
        .iter()
        .map(|t| {
            let mut key = plain(t);
            if count[&key] > 1 {
                let parent: String = t
                    .path
                    .last()
                    .map(|h| {
                        h.chars()
                            .take_while(|c| {
                                !c.is_alphabetic() || c.is_ascii_digit() || "一二三四五六七八九十".contains(*c)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let rest = format!("{parent}{}", t.number);
                key = match t.annex {
                    Some(a) => annexed(a, &rest),
                    None => rest,
                };
            }
            let n = used.entry(key.clone()).or_default();
            *n += 1;
            if *n > 1 { format!("{key}#{n}") } else { key }
        })
        .collect()
}

/// An item's number within annex `a`: 附件10 then 12. would read 附件1012. glued, so a number
/// opening with a digit is set off by a space (附件10 12.).
fn annexed(a: u32, rest: &str) -> String {
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        format!("附件{a} {rest}")
    } else {
        format!("附件{a}{rest}")
    }
}

/// A number as a key that a ledger imported before numbers in annexes were spaced still matches.
fn number_key(n: &str) -> String {
    n.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A short title from a task's text: its first sentence, at most 60 characters.
pub fn title_of(text: &str) -> String {
    let first = text.split(['。', '；', ';']).next().unwrap_or(text).trim();
    if first.chars().count() <= 60 {
        return first.to_string();
    }
    match first.split(['，', ',']).next() {
        Some(head) if head.chars().count() >= 6 && head.chars().count() <= 60 => head.to_string(),
        _ => first.chars().take(60).collect(),
    }
}

/// How many documents are read at once: half the machine's cores, at least one.
pub fn parse_slots() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
}

/// How long a preview waits for a free slot before it is answered "busy".
const SLOT_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

static PARSES: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| tokio::sync::Semaphore::new(parse_slots()));

/// The domain error of a document that cannot be read.
fn import_error(e: ImportError) -> Error {
    match e {
        ImportError::TooLarge(_) => Error::ImportTooLarge(e.to_string()),
        ImportError::Timeout(_) => Error::ImportTimeout(e.to_string()),
        ImportError::UnknownFormat(_) | ImportError::Corrupt(_) | ImportError::Empty => {
            Error::invalid("file", e.to_string())
        }
    }
}

/// The refusal of a commit with deadlines already past: how many, the earliest, and what to do.
fn past_deadlines_error(past: &[crate::import_review::PastDeadline], total: usize, today: Date) -> Error {
    let earliest = past.iter().map(|p| p.deadline).min().unwrap_or(today);
    let by_default = past.iter().filter(|p| p.by_default).count();
    let default_note = if by_default > 0 {
        format!("（其中 {by_default} 项为统一设置的默认时限）")
    } else {
        String::new()
    };
    Error::ImportPastDeadlines(format!(
        "{total} 项任务中有 {} 项的完成时限已过{default_note}，最早为 {earliest}（今天是 {today}），导入后将立即逾期。\
         请修改完成时限或文件年份，或确认仍按已过的时限导入",
        past.len()
    ))
}

fn resolved(names: &[String], parties: &HashMap<String, Party>) -> Vec<Party> {
    names.iter().filter_map(|n| parties.get(n).copied()).collect()
}

/// The document import: it reads the directory (the names a document may use), the ledgers
/// and their tasks, and writes through the tasks area.
pub struct DocumentImport {
    pub(crate) core: Arc<Core>,
    pub(crate) access: Access,
    pub(crate) tasks: Arc<Tasks>,
    pub(crate) task_store: Arc<dyn TaskStore>,
    pub(crate) directory: Arc<dyn DirectoryStore>,
    pub(crate) ledgers: Arc<dyn LedgerStore>,
    /// The lead units suggested for tasks without one ([`crate::import_review`]).
    pub(crate) suggestions: Arc<Suggestions>,
    /// The administrative audit log, for the unit names the office settles while importing.
    pub(crate) audit: Arc<dyn AuditStore>,
}

/// What the office decided for a whole commit, besides its edits of the rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommitOptions {
    /// The deadline written on every task without one of its own (the document year's
    /// 31 December is the usual reading of a yearly plan); `None` leaves them to the time-limit
    /// rules (5–10 working days after signing, by complexity).
    pub default_deadline: Option<Date>,
    /// Commit tasks whose deadline has already passed at the clock's date; without it such a
    /// commit is refused ([`Error::ImportPastDeadlines`]), as they would be overdue at once.
    pub confirm_past_deadlines: bool,
}

impl DocumentImport {
    /// The names of every unit and group in the database, with their aliases.
    pub async fn names(&self) -> Result<Names, Error> {
        let mut entries = Vec::new();
        for u in self.directory.list_units().await? {
            entries.push((u.name.clone(), u.name.clone(), false));
            entries.extend(u.aliases.iter().map(|a| (a.clone(), u.name.clone(), false)));
        }
        for g in self.directory.list_groups().await? {
            entries.push((g.name.clone(), g.name.clone(), true));
            entries.extend(g.aliases.iter().map(|a| (a.clone(), g.name.clone(), true)));
        }
        Ok(Names::new(entries))
    }

    /// Reads a document and shows what it holds, writing nothing. The reading runs on a
    /// blocking thread, at most [`parse_slots`] at once, within the importer's [`Limits`]
    /// (its time budget included), so that a hostile or huge file neither stalls the server's
    /// other requests nor exhausts its memory.
    pub async fn preview(&self, bytes: &[u8], filename: &str, year: Option<i16>) -> Result<Preview, Error> {
        let names = self.names().await?;
        let fallback_year = self.core.now().to_zoned(self.core.policy().timezone()).year();
        let opts = Options { year, filename: filename.to_string(), fallback_year };
        let limits = Limits::default();
        let budget = limits.time_budget;
        let permit = tokio::time::timeout(SLOT_WAIT, PARSES.acquire()).await;
        let Ok(Ok(permit)) = permit else {
            return Err(Error::Unavailable("同时导入的文件过多，请稍后再试".into()));
        };
        let (bytes, filename) = (bytes.to_vec(), filename.to_string());
        let job = tokio::task::spawn_blocking(move || {
            // Held until the reading ends, even if the caller stopped waiting.
            let _permit = permit;
            duban_import::import_within(&bytes, &filename, &opts, &names, &limits)
        });
        // The importer checks its own deadline; this is the backstop for a reader that cannot.
        let joined = tokio::time::timeout(budget + std::time::Duration::from_secs(5), job).await;
        match joined {
            Ok(Ok(read)) => read.map_err(import_error),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "import reader failed");
                Err(Error::Internal)
            }
            Err(_) => Err(import_error(ImportError::Timeout(budget.as_secs()))),
        }
    }

    /// Writes a confirmed preview into its ledger, in one transaction: every new, changed and
    /// withdrawn task with its event, or — when anything fails — nothing at all. Tasks of the
    /// ledger that `actor` may not see (a 涉密 task they are not named on) are left exactly as
    /// they are: never updated, never withdrawn; an item of the document bearing such a task's
    /// number counts as unchanged. The command line sees every task. Only an actor who may run
    /// ledgers may commit.
    ///
    /// Tasks without a deadline take `opts.default_deadline` when given. Unless
    /// `opts.confirm_past_deadlines`, a commit with any deadline (own or default) before the
    /// clock's date is refused and writes nothing.
    pub async fn commit(&self, preview: &Preview, opts: &CommitOptions, by: &Actor) -> Result<ImportReport, Error> {
        by.require::<RunLedgers>()?;
        if let Some(d) = opts.default_deadline {
            duban_domain::task::check_task_date("default_deadline", d)?;
        }
        let actor = by.person();
        let name = preview.document.title.trim();
        if name.is_empty() {
            return Err(Error::invalid("document.title", "文件标题不能为空（台账以文件标题命名）"));
        }
        let max = Limits::default().max_tasks;
        if preview.tasks.len() > max {
            return Err(Error::ImportTooLarge(format!(
                "一次提交 {} 项任务，超过上限 {max} 项，请拆分文件",
                preview.tasks.len()
            )));
        }
        let actor_id = actor.map(|p| p.id);
        // Every unit must be known before anything is written.
        let names = self.names().await?;
        let mut parties: HashMap<String, Party> = HashMap::new();
        let mut unknown: Vec<String> = Vec::new();
        // Collected first: an iterator over borrowed names must not live across an await.
        let mut all: Vec<String> = Vec::new();
        for t in &preview.tasks {
            all.extend(t.lead.iter().cloned());
            all.extend(t.cooperating.iter().cloned());
        }
        for u in &all {
            if parties.contains_key(u) || unknown.contains(u) {
                continue;
            }
            let found = match names.resolve(u) {
                Some(known) => self.directory.resolve_name(&known.canonical).await?,
                None => None,
            };
            match found {
                Some(PartyRef::Unit(id)) => {
                    parties.insert(u.clone(), Party::Unit(id));
                }
                Some(PartyRef::Group(id)) => {
                    parties.insert(u.clone(), Party::Group(id));
                }
                None => unknown.push(u.clone()),
            }
        }
        if !unknown.is_empty() {
            return Err(Error::invalid(
                "units",
                format!("以下单位不在单位名录中：{}。请在预览中改正，或先补充单位名录", unknown.join("、")),
            ));
        }
        let now = self.core.now();
        let today = now.to_zoned(self.core.policy().timezone()).date();
        let past = crate::import_review::past_deadlines(&preview.tasks, opts.default_deadline, today);
        if !past.is_empty() && !opts.confirm_past_deadlines {
            return Err(past_deadlines_error(&past, preview.tasks.len(), today));
        }
        let numbers = task_numbers(&preview.tasks);
        let found = self.ledgers.list_ledgers().await?.into_iter().find(|l| l.fields.name == name);
        let target = match &found {
            Some(l) => LedgerTarget::Existing(l.id),
            None => LedgerTarget::New(
                NewLedger {
                    name: name.to_string(),
                    doc_number: preview.document.doc_number.clone(),
                    issued: preview.document.issued,
                    issuer: preview.document.issuer.clone(),
                    source: Source::Document,
                },
                now,
            ),
        };
        // The ledger's tasks by number, and the numbers of those the actor may not see.
        let mut existing: HashMap<String, Task> = HashMap::new();
        let mut hidden: HashSet<String> = HashSet::new();
        // Whom the committer's eyes reach, read once for the whole ledger.
        let viewer = match actor {
            Some(p) => Some((self.access.audience(p), self.access.group_members().await?)),
            None => None,
        };
        let mut page = 1;
        while let Some(l) = &found {
            let q = TaskQuery {
                ledger_id: Some(l.id),
                sort: TaskSort::Number,
                page,
                per_page: 500,
                now,
                ..Default::default()
            };
            let got = self.task_store.list_tasks(&q).await?;
            let n = got.items.len();
            for t in got.items {
                let visible = viewer.as_ref().is_none_or(|(a, members)| a.sees(&t, members));
                if !visible {
                    hidden.insert(number_key(&t.fields.number));
                } else if t.status != Status::Cancelled {
                    existing.insert(number_key(&t.fields.number), t);
                }
            }
            if n < 500 {
                break;
            }
            page += 1;
        }
        let mut report = ImportReport {
            ledger_id: LedgerId(0),
            ledger: name.to_string(),
            created: 0,
            updated: 0,
            unchanged: 0,
            withdrawn: 0,
        };
        let mut write = ImportWrite { ledger: target, create: Vec::new(), update: Vec::new() };
        for (t, number) in preview.tasks.iter().zip(numbers) {
            if hidden.contains(&number_key(&number)) {
                report.unchanged += 1;
                continue;
            }
            let fields = NewTask {
                ledger_id: found.as_ref().map(|l| l.id),
                parent_id: None,
                number: number.clone(),
                title: title_of(&t.text),
                text: t.text.clone(),
                section: t.path.join(" / "),
                source: Source::Document,
                lead: resolved(&t.lead, &parties),
                cooperating: resolved(&t.cooperating, &parties),
                leader_id: None,
                responsible_person_id: None,
                deadline: t.deadline.or(opts.default_deadline),
                milestones: t.milestones.iter().map(|m| Milestone { due: m.due, text: m.text.clone() }).collect(),
                targets: t.targets.clone(),
                work_standard: String::new(),
                priority: Priority::Routine,
                complexity: Complexity::General,
                classification: Classification::Internal,
                received_at: now,
            };
            match existing.remove(&number_key(&number)) {
                None => {
                    let mut data = serde_json::json!({ "import": name, "number": number });
                    if t.deadline.is_none()
                        && let Some(d) = opts.default_deadline
                    {
                        data["default_deadline"] = serde_json::json!(d.to_string());
                    }
                    let clock = BTreeMap::from([(ClockEvent::Received, now)]);
                    write.create.push(self.tasks.prepare_insert(fields, Status::Assigned, clock, data, actor_id));
                    report.created += 1;
                }
                Some(old) => {
                    let f = &old.fields;
                    let same = f.title == fields.title
                        && f.text == fields.text
                        && f.section == fields.section
                        && f.lead == fields.lead
                        && f.cooperating == fields.cooperating
                        && f.deadline == fields.deadline
                        && f.milestones == fields.milestones
                        && f.targets == fields.targets;
                    if same {
                        report.unchanged += 1;
                        continue;
                    }
                    let patch = TaskPatch {
                        title: Some(fields.title),
                        text: Some(fields.text),
                        section: Some(fields.section),
                        lead: Some(fields.lead),
                        cooperating: Some(fields.cooperating),
                        deadline: Some(fields.deadline),
                        milestones: Some(fields.milestones),
                        targets: Some(fields.targets),
                        ..TaskPatch::default()
                    };
                    let mut changed = old.fields.clone();
                    patch.apply(&mut changed)?;
                    let edit = Edit { kind: EventKind::Updated, data: serde_json::json!({}), actor: actor_id };
                    let (stored, event) = self.tasks.prepare_write(&old, changed, old.status, old.events.clone(), edit);
                    write.update.push((old.id, old.version, stored, event));
                    report.updated += 1;
                }
            }
        }
        for (_, gone) in existing {
            let data = serde_json::json!({ "reason": "重新导入的文件中已无此项" });
            let edit = Edit { kind: EventKind::Cancelled, data, actor: actor_id };
            let (stored, event) =
                self.tasks.prepare_write(&gone, gone.fields.clone(), Status::Cancelled, gone.events.clone(), edit);
            write.update.push((gone.id, gone.version, stored, event));
            report.withdrawn += 1;
        }
        report.ledger_id = self.tasks.write_import(&write).await?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_numbers_are_qualified_by_their_heading() {
        let t = |number: &str, annex: Option<u32>, parent: &str| ParsedTask {
            number: number.into(),
            annex,
            path: vec!["一、任务".into(), parent.into()],
            text: String::new(),
            lead: vec![],
            cooperating: vec![],
            deadline: None,
            deadline_text: None,
            milestones: vec![],
            targets: vec![],
            warnings: vec![],
        };
        let got = task_numbers(&[
            t("①", None, "1.项目审批"),
            t("②", None, "1.项目审批"),
            t("①", None, "2.要素保障"),
            t("（一）", Some(1), "二、措施"),
            t("（一）", Some(2), "二、措施"),
        ]);
        assert_eq!(got, vec!["1.①", "②", "2.①", "附件1（一）", "附件2（一）"]);
        let spaced = task_numbers(&[t("12.", Some(10), "一、"), t("3.", Some(1), "二、")]);
        assert_eq!(spaced, vec!["附件10 12.", "附件1 3."]);
        let same = task_numbers(&[t("①", None, "1.甲"), t("①", None, "1.甲")]);
        assert_eq!(same, vec!["1.①", "1.①#2"]);
    }

    #[test]
    fn titles_are_the_first_sentence_cut_to_size() {
        assert_eq!(title_of("推行电子营业执照“一照通办”，推进应用。其余"), "推行电子营业执照“一照通办”，推进应用");
        let long = "企业登记、刻制印章、申领发票及税控设备、企业员工参保登记、住房公积金企业缴存登记等开办事项整合为1个环节办理，3月底前开办时间全面压缩至0.5个工作日以内。";
        assert_eq!(
            title_of(long),
            "企业登记、刻制印章、申领发票及税控设备、企业员工参保登记、住房公积金企业缴存登记等开办事项整合为1个环节办理"
        );
        assert!(title_of(&"字".repeat(100)).chars().count() == 60);
    }
}
