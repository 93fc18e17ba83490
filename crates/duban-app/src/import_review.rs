//! [`Review`], the preview as the supervision office works in it (issue 11): the reader's
//! [`Preview`] with, for every task that has no lead unit, the three most likely lead units
//! from the [`Suggestions`](crate::suggest::Suggestions) model; and [`assign`], which gives one
//! unit to many tasks at once (as their lead, or as one more cooperating unit). The reader
//! (`duban-import`) knows nothing of the directory's history, so what is learnt from the
//! ledgers is added here.

use crate::document_import::DocumentImport;
use crate::suggest::Suggestion;
use duban_domain::Error;
use duban_import::{DocumentMeta, ParsedTask, Preview, WarningCode};
use serde::Serialize;

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

/// A preview to work in: the document and its tasks as the reader found them (or as the office
/// corrected them), with suggestions. Its `document` and `tasks` are a [`Preview`], which is
/// what a commit takes back.
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

/// The text the suggester reads for a task: its headings and its words.
fn suggestion_text(t: &ParsedTask) -> String {
    format!("{} {}", t.path.join(" "), t.text)
}

impl DocumentImport {
    /// The preview to work in: for each task without a lead unit, the most likely ones. A
    /// "no lead unit" warning of a task that has one now (the office gave it) is dropped.
    pub async fn review(&self, mut preview: Preview) -> Result<Review, Error> {
        for t in &mut preview.tasks {
            if !t.lead.is_empty() {
                t.warnings.retain(|w| w.code != WarningCode::NoLead);
            }
        }
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
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use duban_import::Warning;

    fn task(lead: &[&str], coop: &[&str]) -> ParsedTask {
        ParsedTask {
            number: "1.".into(),
            annex: None,
            path: vec![],
            text: "推进工作".into(),
            lead: lead.iter().map(|s| s.to_string()).collect(),
            cooperating: coop.iter().map(|s| s.to_string()).collect(),
            deadline: None,
            deadline_text: None,
            milestones: vec![],
            targets: vec![],
            warnings: vec![Warning::new(WarningCode::NoLead, "未写明牵头单位")],
        }
    }

    #[test]
    fn a_unit_is_given_to_the_ticked_rows_only() {
        let mut p = Preview { document: DocumentMeta::default(), tasks: vec![task(&[], &[]), task(&["甲"], &["乙"]), task(&[], &[])] };
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
}
