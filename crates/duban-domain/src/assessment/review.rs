//! Objections (申诉), leaders' evaluations and the document-error ledger (公文错情): the small
//! rules the application asks before writing (issue 13 §1, §3; 002 三(五)3).
//!
//! - Only the fact's own unit objects to a line of its score, through its officers or its head
//!   ([`may_object`]); a reason is required ([`reason`]).
//! - An objection decided after the period's ranking was issued (frozen) does not change the
//!   issued ranking silently: its effect is a revision ([`DecisionEffect`]).
//! - A leader evaluates the units in their charge, the office any unit ([`may_evaluate`]); a
//!   score is 0–10 points with at most two decimals ([`evaluation_score`]), the scale the
//!   built-in profiles' `average` lines take (points × the mean, capped at 10 or 5).
//! - A document error has a kind from a small vocabulary ([`ErrorKind`]) and a count of at least
//!   one ([`error_count`]).

use super::Points;
use crate::Error;
use crate::ids::UnitId;
use crate::org::Role;
use crate::vocabulary;

vocabulary!(
    /// How an objection stands.
    ObjectionStatus, "objection_status" {
        /// Filed, waiting for the office.
        Filed = "filed" / "待处理",
        /// Upheld: the line counts nothing.
        Upheld = "upheld" / "申诉成立",
        /// Rejected: nothing changes.
        Rejected = "rejected" / "不予支持",
    }
);

vocabulary!(
    /// The kinds of error in a submitted document (公文错情) the office records.
    ErrorKind, "error_kind" {
        /// Typos, wrong or missing characters, wrong punctuation.
        Wording = "wording" / "文字差错",
        /// Layout against GB/T 9704: fonts, margins, headings, page numbers.
        Format = "format" / "格式错误",
        /// A wrong 文号, date, 主送 or signature block.
        Elements = "elements" / "要素错误",
        /// Wrong figures or facts.
        Facts = "facts" / "数据事实差错",
        /// Wrong 行文 (channel, level, countersigning).
        Procedure = "procedure" / "行文程序错误",
        /// A political error (wrong names of leaders, bodies, policies): the gravest kind.
        Political = "political" / "政治性差错",
        Other = "other" / "其他",
    }
);

/// The lowest and highest evaluation score, in hundredths.
pub const SCORE_MIN: Points = Points(0);
pub const SCORE_MAX: Points = Points::whole(10);
/// The most errors one ledger line records.
pub const MAX_ERROR_COUNT: i64 = 999;
/// How long a reason, comment, decision or note may be (characters).
pub const MAX_TEXT: usize = 2000;

/// Whether a person with `roles` in `own_unit` may object to a fact of `fact_unit`: the unit's
/// officers and head, for their own unit's facts only.
pub fn may_object(roles: &[Role], own_unit: Option<UnitId>, fact_unit: UnitId) -> bool {
    own_unit == Some(fact_unit) && roles.iter().any(|r| matches!(r, Role::Officer | Role::UnitHead))
}

/// Whether someone may evaluate `unit`: the office (and administrators) any unit, a leader the
/// units in their charge.
pub fn may_evaluate(all_units: bool, roles: &[Role], charge: &[UnitId], unit: UnitId) -> bool {
    all_units || (roles.contains(&Role::Leader) && charge.contains(&unit))
}

/// A required text (a reason, a comment, a decision), trimmed; `field` names it in the error.
pub fn required_text(field: &'static str, label: &str, text: &str) -> Result<String, Error> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Error::invalid(field, format!("请填写{label}")));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(Error::invalid(field, format!("{label}不能超过 {MAX_TEXT} 字")));
    }
    Ok(t.to_string())
}

/// An objection's reason.
pub fn reason(text: &str) -> Result<String, Error> {
    required_text("reason", "申诉理由", text)
}

/// An evaluation score: "8.5", 0 to 10, at most two decimals.
pub fn evaluation_score(text: &str) -> Result<Points, Error> {
    let p = Points::parse(text).ok_or_else(|| Error::invalid("score", "评分须为数字，最多两位小数"))?;
    if p < SCORE_MIN || p > SCORE_MAX {
        return Err(Error::invalid("score", "评分须在 0 到 10 分之间"));
    }
    Ok(p)
}

/// A document error's count: 1 to [`MAX_ERROR_COUNT`].
pub fn error_count(n: i64) -> Result<i64, Error> {
    if (1..=MAX_ERROR_COUNT).contains(&n) {
        Ok(n)
    } else {
        Err(Error::invalid("count", format!("错情处数须在 1 到 {MAX_ERROR_COUNT} 之间")))
    }
}

/// What deciding an objection does to the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecisionEffect {
    /// Rejected: nothing changes.
    None,
    /// Upheld while the period's ranking is not issued: the live figures change.
    Recount,
    /// Upheld after the period's ranking was issued (frozen): the live figures change and the
    /// issued ranking needs a revision, never a silent change.
    Revision,
}

impl DecisionEffect {
    pub fn of(upheld: bool, frozen: bool) -> Self {
        match (upheld, frozen) {
            (false, _) => DecisionEffect::None,
            (true, false) => DecisionEffect::Recount,
            (true, true) => DecisionEffect::Revision,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            DecisionEffect::None => "none",
            DecisionEffect::Recount => "recount",
            DecisionEffect::Revision => "revision",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_units_own_officers_and_head_object() {
        let u = UnitId(3);
        assert!(may_object(&[Role::Officer], Some(u), u));
        assert!(may_object(&[Role::UnitHead], Some(u), u));
        assert!(!may_object(&[Role::Officer], Some(UnitId(4)), u));
        assert!(!may_object(&[Role::Leader], Some(u), u));
        assert!(!may_object(&[Role::Office], None, u));
    }

    #[test]
    fn leaders_evaluate_their_charge_and_the_office_any_unit() {
        let u = UnitId(3);
        assert!(may_evaluate(false, &[Role::Leader], &[u], u));
        assert!(!may_evaluate(false, &[Role::Leader], &[UnitId(4)], u));
        assert!(!may_evaluate(false, &[Role::Officer], &[u], u));
        assert!(may_evaluate(true, &[Role::Office], &[], u));
    }

    #[test]
    fn scores_are_zero_to_ten_with_two_decimals() {
        assert_eq!(evaluation_score("8.5").unwrap(), Points(850));
        assert_eq!(evaluation_score("10").unwrap(), Points(1000));
        assert!(evaluation_score("10.01").is_err());
        assert!(evaluation_score("-1").is_err());
        assert!(evaluation_score("8.555").is_err());
        assert!(evaluation_score("好").is_err());
    }

    #[test]
    fn texts_counts_and_kinds() {
        assert!(reason("  ").is_err());
        assert_eq!(reason(" 已按时办结 ").unwrap(), "已按时办结");
        assert!(error_count(0).is_err());
        assert_eq!(error_count(2).unwrap(), 2);
        assert_eq!("政治性差错".parse::<ErrorKind>().unwrap(), ErrorKind::Political);
        assert_eq!("upheld".parse::<ObjectionStatus>().unwrap(), ObjectionStatus::Upheld);
        assert_eq!(DecisionEffect::of(true, true), DecisionEffect::Revision);
        assert_eq!(DecisionEffect::of(false, true), DecisionEffect::None);
    }
}
