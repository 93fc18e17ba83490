//! The preview an import produces. Its JSON form is a stable interface (issue 3 §6):
//!
//! ```text
//! {"document": {"title", "doc_number", "issued", "issuer"},
//!  "tasks": [{"number", "annex", "path", "text", "lead", "cooperating", "deadline",
//!             "deadline_text", "milestones": [{"due", "text"}], "targets", "warnings"}]}
//! ```

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// What the document says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentMeta {
    pub title: String,
    /// 文号, e.g. 奈政字〔2025〕43号.
    pub doc_number: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub issued: Option<Date>,
    /// The issuing body (发文机关), when the document names it.
    #[serde(default)]
    pub issuer: String,
}

/// A dated intermediate goal found in the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParsedMilestone {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due: Date,
    pub text: String,
}

/// Why a task needs a person's eye.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum WarningCode {
    /// More than one lead unit ("一个事项原则上只确定一个牵头单位").
    MultipleLeads,
    NoLead,
    /// No unit was marked as lead: the first responsible unit is proposed.
    LeadProposed,
    /// The document names several units responsible without saying who leads (「（A、B负责）」)
    /// and states no rule: all are kept as leads, for the office to choose.
    LeadNotMarked,
    NoDeadline,
    /// Ongoing work (长期坚持, 持续推进, 2022年起): reported on the rules' cadence.
    Ongoing,
    /// A unit name not in the directory.
    UnknownUnit,
    /// The deadline falls before the document's issue date.
    DeadlineBeforeIssue,
    /// The task's text was longer than a preview holds, and was cut.
    Truncated,
}

/// One warning, in Chinese, with the unknown name and its closest known units when relevant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Warning {
    pub code: WarningCode,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closest: Vec<String>,
}

impl Warning {
    pub fn new(code: WarningCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), name: None, closest: Vec::new() }
    }
}

/// One task found in the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParsedTask {
    /// As printed, e.g. （9） or 3.
    pub number: String,
    /// The annex number, or `None` for the body.
    pub annex: Option<u32>,
    /// The headings of the sections it sits in.
    pub path: Vec<String>,
    pub text: String,
    /// Unit names as the document writes them, with a list's shared prefix applied.
    pub lead: Vec<String>,
    pub cooperating: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub deadline: Option<Date>,
    pub deadline_text: Option<String>,
    pub milestones: Vec<ParsedMilestone>,
    pub targets: Vec<String>,
    pub warnings: Vec<Warning>,
}

/// The whole preview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preview {
    pub document: DocumentMeta,
    pub tasks: Vec<ParsedTask>,
}
