//! Enterprise demands (企业诉求, "企业吹哨、部门报到", 001 §13; issue 14 §5): the vocabulary, the
//! query code an enterprise follows its demand with, the limits of the public intake, and what
//! the public page may say.
//!
//! A demand is handled on the one engine: it is a task with [`Source::Enterprise`](crate::facts::Source::Enterprise)
//! whose 1/3/30 working-day clock (contact within 1, solve or confirm within 3, hard cases at most
//! 30) comes from the rules in force (`whistle-*` in every built-in profile, taken from 001 §13),
//! moved by the lifecycle's 联系企业 and 解决或确认. This module holds only the demand's own fields
//! and rules; it does no IO: the query code is made from random bytes the caller hands in.

use crate::enterprise::CreditCode;
use crate::facts::ClockEvent;
use crate::ids::EnterpriseId;
use crate::task::Status;
use crate::{Error, vocabulary};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

vocabulary!(
    /// Where a demand came from.
    Channel, "channel" {
        /// Found by a liaison on a visit (包联走访).
        Visit = "visit" / "包联走访" | "走访",
        /// The 12345 government service hotline.
        Hotline12345 = "hotline_12345" / "12345热线" | "12345",
        /// The 4512345 enterprise hotline.
        Hotline4512345 = "hotline_4512345" / "4512345热线" | "4512345",
        /// Raised on a 项目服务日 (001 §14).
        ServiceDay = "service_day" / "项目服务日",
        /// Submitted by the enterprise on the public form.
        Online = "online" / "网上提交",
        Other = "other" / "其他",
    }
);

vocabulary!(
    /// What a demand is about.
    DemandKind, "demand_kind" {
        Policy = "policy" / "政策咨询与兑现",
        Approval = "approval" / "审批手续",
        Factors = "factors" / "要素保障" | "用地用水用电",
        Finance = "finance" / "融资需求",
        Labour = "labour" / "用工招工",
        Market = "market" / "市场拓展",
        Infrastructure = "infrastructure" / "基础设施配套",
        Rights = "rights" / "法律与权益保护",
        Other = "other" / "其他",
    }
);

vocabulary!(
    /// How the enterprise rates the handling.
    Satisfaction, "satisfaction" {
        Satisfied = "satisfied" / "满意",
        Basic = "basic" / "基本满意",
        Unsatisfied = "unsatisfied" / "不满意",
    }
);

/// The limits of the intake, as data: sizes of the fields and the body, and how often one client
/// address may submit and look up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IntakeLimits {
    /// The largest body a public request may send, in bytes.
    pub max_body_bytes: usize,
    pub name_chars: usize,
    pub contact_chars: usize,
    pub phone_chars: usize,
    pub title_chars: usize,
    pub text_chars: usize,
    pub comment_chars: usize,
    /// Submissions one address may make per hour.
    pub submissions_per_hour: u32,
    /// Look-ups (progress pages, ratings) one address may make per minute.
    pub lookups_per_minute: u32,
}

/// The intake limits in force.
pub const INTAKE: IntakeLimits = IntakeLimits {
    max_body_bytes: 16 * 1024,
    name_chars: 100,
    contact_chars: 50,
    phone_chars: 30,
    title_chars: 100,
    text_chars: 2_000,
    comment_chars: 500,
    submissions_per_hour: 5,
    lookups_per_minute: 30,
};

/// A rate limit per key as a generic cell rate: at most `limit` events in any `window`, the
/// allowance refilling evenly. Keeps one instant (the theoretical arrival time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateCell {
    tat: Timestamp,
}

impl Default for RateCell {
    fn default() -> Self {
        Self { tat: Timestamp::UNIX_EPOCH }
    }
}

impl RateCell {
    /// Admits one event at `now`, or refuses it with the seconds to wait.
    pub fn admit(&mut self, now: Timestamp, limit: u32, window: SignedDuration) -> Result<(), Error> {
        let interval = window / limit.max(1) as i32;
        let next = self.tat.max(now) + interval;
        let ahead = next.duration_since(now);
        if ahead > window {
            let wait = (ahead - window).as_secs().max(1) as u64;
            return Err(Error::TooManyRequests { retry_after_secs: wait });
        }
        self.tat = next;
        Ok(())
    }

    /// Whether the cell is back to a full allowance at `now` (and may be forgotten).
    pub fn idle(&self, now: Timestamp) -> bool {
        self.tat <= now
    }
}

/// The alphabet of query codes (Crockford's base 32: no I, L, O, U).
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Random bytes in a query code: 160 bits.
pub const CODE_BYTES: usize = 20;
/// Characters of a query code, without the dashes.
const CODE_CHARS: usize = CODE_BYTES * 8 / 5;

/// A demand's query code (查询码): 32 characters of base 32 from 160 random bits, shown in
/// groups of four ("7K3M-…"). Shown to the enterprise once; only its hash is kept.
#[derive(Clone, PartialEq, Eq)]
pub struct QueryCode(String);

impl std::fmt::Debug for QueryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QueryCode(…)")
    }
}

impl QueryCode {
    /// The code made from `bytes` (random, from the caller).
    pub fn from_bytes(bytes: &[u8; CODE_BYTES]) -> Self {
        let mut out = String::with_capacity(CODE_CHARS);
        let (mut acc, mut bits) = (0u32, 0u32);
        for b in bytes {
            acc = (acc << 8) | u32::from(*b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                out.push(CODE_ALPHABET[((acc >> bits) & 31) as usize] as char);
            }
            acc &= (1 << bits) - 1;
        }
        Self(out)
    }

    /// Reads a code as typed: dashes and spaces dropped, letters upper-cased, O read as 0 and I,
    /// L as 1. Anything else is not a code.
    pub fn parse(typed: &str) -> Option<Self> {
        let mut out = String::with_capacity(CODE_CHARS);
        for c in typed.chars() {
            let c = match c.to_ascii_uppercase() {
                '-' | ' ' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            if !c.is_ascii() || !CODE_ALPHABET.contains(&(c as u8)) || out.len() >= CODE_CHARS {
                return None;
            }
            out.push(c);
        }
        (out.len() == CODE_CHARS).then_some(Self(out))
    }

    /// The canonical characters, without dashes (what is hashed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code as shown: groups of four joined by dashes.
    pub fn display(&self) -> String {
        self.0.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join("-")
    }
}

/// Compares two strings (hashes) in time that does not depend on where they differ.
pub fn equal_in_constant_time(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The unchecked shape of a demand, from the public form, the office's intake or a visit.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DemandInput {
    /// The enterprise in the key list, when it is one (the office's intake).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub enterprise_id: Option<EnterpriseId>,
    /// The enterprise's name as given.
    pub enterprise_name: String,
    /// 统一社会信用代码, optional; checked when given.
    pub credit_code: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// A [`Channel`] code or label (the public form is always 网上提交).
    pub channel: String,
    /// A [`DemandKind`] code or label.
    pub kind: String,
    /// A short title; the first words of the text when empty.
    pub title: String,
    pub text: String,
    /// Where it came from: a hotline work-order number, a visit (`visit:12`) …
    pub reference: String,
}

/// What an enterprise sends on the public form: no channel (always 网上提交), no reference, no
/// key-list id (the credit code finds it).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicDemandInput {
    pub enterprise_name: String,
    /// 统一社会信用代码, optional; checked when given.
    pub credit_code: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// A [`DemandKind`] code or label.
    pub kind: String,
    pub title: String,
    pub text: String,
}

impl PublicDemandInput {
    /// Checks it as a demand submitted online.
    pub fn parse(self) -> Result<NewDemand, Error> {
        DemandInput {
            enterprise_id: None,
            enterprise_name: self.enterprise_name,
            credit_code: self.credit_code,
            contact_name: self.contact_name,
            contact_phone: self.contact_phone,
            channel: Channel::Online.code().into(),
            kind: self.kind,
            title: self.title,
            text: self.text,
            reference: String::new(),
        }
        .parse(Channel::Online)
    }
}

/// A checked demand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewDemand {
    pub enterprise_id: Option<EnterpriseId>,
    pub enterprise_name: String,
    pub credit_code: Option<CreditCode>,
    pub contact_name: String,
    pub contact_phone: String,
    pub channel: Channel,
    pub kind: DemandKind,
    pub title: String,
    pub text: String,
    pub reference: String,
}

fn field(name: &'static str, label: &str, value: &str, max: usize, required: bool) -> Result<String, Error> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(Error::invalid(name, format!("请填写{label}")));
    }
    if v.chars().count() > max {
        return Err(Error::invalid(name, format!("{label}过长（最多 {max} 字）")));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(Error::invalid(name, format!("{label}含有不可见的控制字符")));
    }
    Ok(v.to_string())
}

impl DemandInput {
    /// Checks the input against [`INTAKE`]; `channel` is used when the input names none.
    pub fn parse(self, default_channel: Channel) -> Result<NewDemand, Error> {
        let l = INTAKE;
        let enterprise_name = field("enterprise_name", "企业名称", &self.enterprise_name, l.name_chars, true)?;
        let credit_code = match self.credit_code.trim() {
            "" => None,
            c => Some(c.parse::<CreditCode>()?),
        };
        let contact_name = field("contact_name", "联系人", &self.contact_name, l.contact_chars, true)?;
        let contact_phone = field("contact_phone", "联系电话", &self.contact_phone, l.phone_chars, true)?;
        if !contact_phone.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')')) {
            return Err(Error::invalid("contact_phone", "联系电话只能包含数字和“-”"));
        }
        let channel = match self.channel.trim() {
            "" => default_channel,
            c => c.parse()?,
        };
        let kind = match self.kind.trim() {
            "" => return Err(Error::invalid("kind", "请选择诉求类别")),
            k => k.parse()?,
        };
        let text = field("text", "诉求内容", &self.text, l.text_chars, true)?;
        let title = match field("title", "诉求标题", &self.title, l.title_chars, false)? {
            t if t.is_empty() => {
                let first: String = text.lines().next().unwrap_or("").chars().take(30).collect();
                format!("{enterprise_name}：{first}")
            }
            t => t,
        };
        let reference = field("reference", "来源编号", &self.reference, l.title_chars, false)?;
        Ok(NewDemand {
            enterprise_id: self.enterprise_id,
            enterprise_name,
            credit_code,
            contact_name,
            contact_phone,
            channel,
            kind,
            title,
            text,
            reference,
        })
    }
}

/// Checks a rating's or a return visit's comment.
pub fn check_comment(text: &str) -> Result<String, Error> {
    field("comment", "评价意见", text, INTAKE.comment_chars, false)
}

/// One dated step of a demand as the enterprise sees it: plain words, no people, no notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicStep {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    pub text: &'static str,
}

/// What the enterprise may know of its demand's task: its status, its clock, and the demand's
/// own dates.
#[derive(Debug, Clone, Default)]
pub struct PublicFacts {
    pub submitted_at: Option<Timestamp>,
    /// `None` while the demand waits in the office's queue.
    pub task_status: Option<Status>,
    pub clock: BTreeMap<ClockEvent, Timestamp>,
    pub return_visit_at: Option<Timestamp>,
    pub rated_at: Option<Timestamp>,
}

impl PublicFacts {
    /// The status in plain words.
    pub fn status(&self) -> &'static str {
        match self.task_status {
            None => "已收到，待分派承办单位",
            Some(Status::Closed) => "已办结",
            Some(Status::Cancelled) => "已撤销",
            Some(Status::Suspended) => "暂停办理",
            Some(_) if self.clock.contains_key(&ClockEvent::Resolved) => "已解决或确认服务，正在办结",
            Some(_) if self.clock.contains_key(&ClockEvent::Contacted) => "承办单位已联系企业，正在办理",
            Some(_) => "已分派承办单位，待联系企业",
        }
    }

    /// Whether the enterprise may rate the handling now: once the demand is solved or confirmed
    /// (or closed), and only once.
    pub fn may_rate(&self) -> bool {
        self.rated_at.is_none()
            && (self.clock.contains_key(&ClockEvent::Resolved) || self.task_status == Some(Status::Closed))
    }

    /// The dated steps, oldest first.
    pub fn steps(&self) -> Vec<PublicStep> {
        let mut steps = Vec::new();
        if let Some(at) = self.submitted_at {
            steps.push(PublicStep { at, text: "诉求已提交" });
        }
        let said = [
            (ClockEvent::Received, "已分派承办单位"),
            (ClockEvent::Contacted, "承办单位已与企业取得联系"),
            (ClockEvent::Resolved, "诉求已解决或确认服务"),
            (ClockEvent::OutcomeReported, "诉求已办结"),
        ];
        if self.task_status.is_some() {
            for (event, text) in said {
                if let Some(at) = self.clock.get(&event) {
                    steps.push(PublicStep { at: *at, text });
                }
            }
        }
        if let Some(at) = self.return_visit_at {
            steps.push(PublicStep { at, text: "已回访" });
        }
        if let Some(at) = self.rated_at {
            steps.push(PublicStep { at, text: "企业已评价" });
        }
        steps.sort_by_key(|s| s.at);
        steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> DemandInput {
        DemandInput {
            enterprise_name: " 奈曼旗某某农牧业有限公司 ".into(),
            contact_name: "王经理".into(),
            contact_phone: "0475-1234567".into(),
            kind: "要素保障".into(),
            text: "厂区用电扩容申请迟迟未批\n请协调".into(),
            ..Default::default()
        }
    }

    #[test]
    fn vocabularies_read_codes_labels_and_aliases() {
        assert_eq!("4512345".parse::<Channel>().unwrap(), Channel::Hotline4512345);
        assert_eq!("项目服务日".parse::<Channel>().unwrap(), Channel::ServiceDay);
        assert_eq!("走访".parse::<Channel>().unwrap(), Channel::Visit);
        assert_eq!("basic".parse::<Satisfaction>().unwrap().label(), "基本满意");
        assert!("很满意".parse::<Satisfaction>().is_err());
        assert_eq!("用地用水用电".parse::<DemandKind>().unwrap(), DemandKind::Factors);
    }

    #[test]
    fn a_demand_is_checked_and_titled_from_its_text() {
        let d = input().parse(Channel::Online).unwrap();
        assert_eq!(d.enterprise_name, "奈曼旗某某农牧业有限公司");
        assert_eq!(d.channel, Channel::Online);
        assert_eq!(d.kind, DemandKind::Factors);
        assert_eq!(d.title, "奈曼旗某某农牧业有限公司：厂区用电扩容申请迟迟未批");
        assert_eq!(d.credit_code, None);
        // A credit code is optional but checked when given.
        let bad = DemandInput { credit_code: "91150526MA0N000000".into(), ..input() };
        assert!(matches!(bad.parse(Channel::Online), Err(Error::Invalid { ref field, .. }) if field == "credit_code"));
        let good = CreditCode::completing("91150526MA0N00000").unwrap();
        let d = DemandInput { credit_code: good.to_string(), ..input() }.parse(Channel::Online).unwrap();
        assert_eq!(d.credit_code, Some(good));
        // Required fields, sizes, control characters, phone shape, an unknown kind.
        let e = |i: DemandInput| match i.parse(Channel::Online) {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(e(DemandInput { enterprise_name: " ".into(), ..input() }), "enterprise_name");
        assert_eq!(e(DemandInput { text: "字".repeat(INTAKE.text_chars + 1), ..input() }), "text");
        assert_eq!(e(DemandInput { contact_name: "a\u{0}b".into(), ..input() }), "contact_name");
        assert_eq!(e(DemandInput { contact_phone: "call me".into(), ..input() }), "contact_phone");
        assert_eq!(e(DemandInput { kind: "".into(), ..input() }), "kind");
        assert_eq!(e(DemandInput { kind: "投诉".into(), ..input() }), "demand_kind");
        assert_eq!(e(DemandInput { channel: "微信".into(), ..input() }), "channel");
        assert!(DemandInput { text: "字".repeat(INTAKE.text_chars), ..input() }.parse(Channel::Online).is_ok());
    }

    #[test]
    fn query_codes_are_160_bits_in_base_32_and_read_forgivingly() {
        let code = QueryCode::from_bytes(&[0u8; CODE_BYTES]);
        assert_eq!(code.as_str(), "0".repeat(32));
        let code = QueryCode::from_bytes(&[0xff; CODE_BYTES]);
        assert_eq!(code.as_str(), "Z".repeat(32));
        let bytes: [u8; CODE_BYTES] = std::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(11));
        let code = QueryCode::from_bytes(&bytes);
        let shown = code.display();
        assert_eq!(shown.len(), 32 + 7);
        assert_eq!(QueryCode::parse(&shown), Some(code.clone()));
        assert_eq!(QueryCode::parse(&shown.to_lowercase().replace('-', " ")), Some(code.clone()));
        // O reads as 0, I and L as 1.
        assert_eq!(QueryCode::parse(&"O".repeat(32)).unwrap().as_str(), "0".repeat(32));
        assert_eq!(QueryCode::parse(&"il".repeat(16)).unwrap().as_str(), "1".repeat(32));
        // Wrong length or characters are not codes.
        assert_eq!(QueryCode::parse(&"A".repeat(31)), None);
        assert_eq!(QueryCode::parse(&"A".repeat(33)), None);
        assert_eq!(QueryCode::parse(&format!("{}U", "A".repeat(31))), None);
        assert_eq!(QueryCode::parse(&format!("{}码", "A".repeat(31))), None);
        assert_eq!(format!("{code:?}"), "QueryCode(…)", "a code is never printed by Debug");
    }

    #[test]
    fn hashes_compare_equal_only_when_identical() {
        assert!(equal_in_constant_time("abc", "abc"));
        assert!(!equal_in_constant_time("abc", "abd"));
        assert!(!equal_in_constant_time("abc", "ab"));
    }

    #[test]
    fn a_rate_cell_admits_the_limit_in_a_window_and_refills_evenly() {
        let t0 = Timestamp::from_second(1_800_000_000).unwrap();
        let hour = SignedDuration::from_hours(1);
        let mut c = RateCell::default();
        for _ in 0..5 {
            c.admit(t0, 5, hour).unwrap();
        }
        assert_eq!(c.admit(t0, 5, hour), Err(Error::TooManyRequests { retry_after_secs: 720 }));
        // One allowance back every 12 minutes.
        let later = t0 + SignedDuration::from_mins(12);
        c.admit(later, 5, hour).unwrap();
        assert!(c.admit(later, 5, hour).is_err());
        assert!(!c.idle(later));
        assert!(c.idle(t0 + hour + SignedDuration::from_mins(12)));
    }

    #[test]
    fn the_public_page_says_the_status_and_dated_steps_in_plain_words() {
        let t = |s: i64| Timestamp::from_second(1_800_000_000 + s).unwrap();
        let mut f = PublicFacts { submitted_at: Some(t(0)), ..Default::default() };
        assert_eq!(f.status(), "已收到，待分派承办单位");
        assert!(!f.may_rate());
        f.task_status = Some(Status::Signed);
        f.clock.insert(ClockEvent::Received, t(10));
        f.clock.insert(ClockEvent::Signed, t(20));
        assert_eq!(f.status(), "已分派承办单位，待联系企业");
        f.clock.insert(ClockEvent::Contacted, t(20));
        assert_eq!(f.status(), "承办单位已联系企业，正在办理");
        f.clock.insert(ClockEvent::Resolved, t(30));
        assert!(f.may_rate());
        f.rated_at = Some(t(40));
        assert!(!f.may_rate(), "rated once");
        let steps: Vec<_> = f.steps().into_iter().map(|s| s.text).collect();
        assert_eq!(
            steps,
            ["诉求已提交", "已分派承办单位", "承办单位已与企业取得联系", "诉求已解决或确认服务", "企业已评价"]
        );
    }
}
