//! [`Suggestions`]: lead units for a task typed by hand or imported without one, learnt from
//! the tasks already in the ledgers (see `duban_import::suggest`), and, where the ledgers leave
//! room (a system whose ledgers are still empty), the units whose own names or aliases share
//! words with the task (a task on 税收 → the 税务局). The model is trained on first use from the
//! most recently changed tasks and dropped whenever a task is written (the tasks area and the
//! document import call `Suggestions::forget`), so it never lags the ledgers by more than one
//! request. It never learns from a 涉密 task.

use crate::core::Core;
use crate::queries::each_page;
use duban_domain::Error;
use duban_domain::ids::UnitId;
use duban_domain::task::{Classification, Party};
use duban_import::suggest::{Suggester, words};
use duban_store::{DirectoryStore, TaskQuery, TaskSort, TaskStore};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;
use std::sync::{Arc, RwLock};

/// How many tasks the model learns from at most.
const TRAINING_TASKS: u32 = 5_000;

/// A unit by its names: its id, its name, and the words of its name and aliases.
type NamedUnit<'a> = (UnitId, &'a str, HashSet<String>);

/// One suggested lead unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Suggestion {
    pub unit_id: UnitId,
    pub name: String,
    /// The model's probability, among all units it knows; for a unit suggested by its names,
    /// the share of the task's words found in them.
    pub probability: f64,
}

/// The lead-unit suggester, over the task port (to learn from) and the directory (for the
/// units' names).
pub struct Suggestions {
    core: Arc<Core>,
    tasks: Arc<dyn TaskStore>,
    directory: Arc<dyn DirectoryStore>,
    /// The model, trained on first use and dropped when tasks change.
    suggester: RwLock<Option<Arc<Suggester>>>,
}

impl Suggestions {
    pub fn new(core: Arc<Core>, tasks: Arc<dyn TaskStore>, directory: Arc<dyn DirectoryStore>) -> Self {
        Self { core, tasks, directory, suggester: RwLock::new(None) }
    }

    /// Drops the model: tasks were written, and it is trained again on next use.
    pub(crate) fn forget(&self) {
        match self.suggester.write() {
            Ok(mut s) => *s = None,
            Err(p) => *p.into_inner() = None,
        }
    }

    async fn trained(&self) -> Result<Arc<Suggester>, Error> {
        let cached = match self.suggester.read() {
            Ok(s) => s.clone(),
            Err(p) => p.into_inner().clone(),
        };
        if let Some(s) = cached {
            return Ok(s);
        }
        let mut examples: Vec<(String, String)> = Vec::new();
        let q = TaskQuery { sort: TaskSort::Updated, page: 1, now: self.core.now(), ..Default::default() };
        let tasks = &self.tasks;
        each_page(
            q,
            |q| async move { tasks.list_tasks(&q).await },
            |items| {
                // The model answers everyone: it never learns from a 涉密 task's words.
                for t in items.into_iter().filter(|t| t.fields.classification != Classification::Secret) {
                    if let Some(Party::Unit(u)) = t.fields.lead.first() {
                        let text = format!("{} {} {}", t.fields.section, t.fields.title, t.fields.text);
                        examples.push((text, u.0.to_string()));
                    }
                }
                if (examples.len() as u32) < TRAINING_TASKS {
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(())
                }
            },
        )
        .await?;
        let model = Arc::new(Suggester::train(examples.iter().map(|(t, l)| (t.as_str(), l.as_str()))));
        match self.suggester.write() {
            Ok(mut s) => *s = Some(model.clone()),
            Err(p) => *p.into_inner() = Some(model.clone()),
        }
        Ok(model)
    }

    /// The `k` most likely lead units for a task's text.
    pub async fn suggest_leads(&self, text: &str, k: usize) -> Result<Vec<Suggestion>, Error> {
        if text.trim().is_empty() {
            return Err(Error::invalid("text", "请输入任务内容"));
        }
        Ok(self.suggest_many(&[text], k).await?.pop().unwrap_or_default())
    }

    /// The `k` most likely lead units for each of many texts (an import's tasks), reading the
    /// model and the units' names once; an empty text gets none. What the ledgers teach comes
    /// first; the places left go to the active units whose names or aliases share the most
    /// words with the text (none that share none).
    pub async fn suggest_many(&self, texts: &[&str], k: usize) -> Result<Vec<Vec<Suggestion>>, Error> {
        let model = self.trained().await?;
        let units = self.directory.list_units().await?;
        let names: HashMap<i64, String> = units.iter().map(|u| (u.id.0, u.name.clone())).collect();
        let named: Vec<NamedUnit> = units
            .iter()
            .filter(|u| u.active)
            .map(|u| {
                (u.id, u.name.as_str(), std::iter::once(&u.name).chain(&u.aliases).flat_map(|n| words(n)).collect())
            })
            .collect();
        Ok(texts
            .iter()
            .map(|text| {
                if text.trim().is_empty() {
                    return Vec::new();
                }
                let mut out: Vec<Suggestion> = model
                    .suggest(text, k)
                    .into_iter()
                    .filter_map(|(label, p)| {
                        let id: i64 = label.parse().ok()?;
                        Some(Suggestion { unit_id: UnitId(id), name: names.get(&id)?.clone(), probability: p })
                    })
                    .collect();
                if out.len() < k {
                    let tw: HashSet<String> = words(text).into_iter().collect();
                    let mut by_name: Vec<(usize, &NamedUnit)> = named
                        .iter()
                        .map(|n| (n.2.intersection(&tw).count(), n))
                        .filter(|(shared, n)| *shared > 0 && !out.iter().any(|s| s.unit_id == n.0))
                        .collect();
                    by_name.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.1.cmp(b.1.1)));
                    let room = k - out.len();
                    out.extend(by_name.into_iter().take(room).map(|(shared, (id, name, _))| Suggestion {
                        unit_id: *id,
                        name: name.to_string(),
                        probability: shared as f64 / tw.len().max(1) as f64,
                    }));
                }
                out
            })
            .collect())
    }
}
