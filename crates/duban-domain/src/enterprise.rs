//! Key enterprises and key projects (重点企业、重点项目; REQUIREMENTS §8, issue 14 §1).
//!
//! The lists the service to enterprises hangs on: liaison (包联), project stewards (项目管家),
//! pre-procedures (前期手续) and enterprise demands (企业诉求) all point at an [`Enterprise`] or a
//! [`Project`]. What someone must handle by a deadline about them is a task on the one engine
//! (sources [`Liaison`](crate::facts::Source::Liaison), [`Steward`](crate::facts::Source::Steward),
//! [`Procedure`](crate::facts::Source::Procedure), [`Enterprise`](crate::facts::Source::Enterprise));
//! this module holds only the records and their parsing:
//!
//! - [`CreditCode`]: the 18-character 统一社会信用代码, checked against its check digit
//!   (GB 32100-2015).
//! - [`Yuan`]: an exact amount of money, kept in fen (分), parsed from what ledgers write
//!   ("1.5亿", "5000万元", "12,345.67").
//! - [`EnterpriseInput`] → [`NewEnterprise`], [`ProjectInput`] → [`NewProject`]: parse, don't
//!   validate.

use crate::ids::{EnterpriseId, ProjectId, UnitId};
use crate::{Error, vocabulary};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The characters of a 统一社会信用代码 and their values (GB 32100-2015: digits and upper-case
/// letters without I, O, S, V, Z).
const CREDIT_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// The weights of positions 1–17.
const CREDIT_WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A 统一社会信用代码 (unified social credit code): 18 characters whose last is a check digit.
/// Spaces are dropped and letters upper-cased on input.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreditCode(String);

impl CreditCode {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code whose first 17 characters are `first17`, with the check character they call
    /// for (demo data, benchmarks, tests).
    pub fn completing(first17: &str) -> Result<Self, Error> {
        let upper = first17.to_uppercase();
        let check = (upper.len() == 17).then(|| Self::check_char(upper.as_bytes())).flatten();
        match check {
            Some(c) => format!("{upper}{}", c as char).parse(),
            None => Err(Error::invalid("credit_code", format!("“{first17}”不是统一社会信用代码的前17位"))),
        }
    }

    /// The check character the first 17 characters call for.
    fn check_char(first17: &[u8]) -> Option<u8> {
        let mut sum = 0u32;
        for (c, w) in first17.iter().zip(CREDIT_WEIGHTS) {
            let v = CREDIT_CHARS.iter().position(|x| x == c)? as u32;
            sum += v * w;
        }
        let check = (31 - sum % 31) % 31;
        CREDIT_CHARS.get(check as usize).copied()
    }
}

impl FromStr for CreditCode {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let code: String = s.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect();
        let bad = |m: String| Err(Error::invalid("credit_code", m));
        if code.chars().count() != 18 {
            return bad(format!("统一社会信用代码应为18位，“{}”是{}位", code, code.chars().count()));
        }
        let bytes = code.as_bytes();
        if let Some(c) = code.chars().find(|c| !c.is_ascii() || !CREDIT_CHARS.contains(&(*c as u8))) {
            return bad(format!("统一社会信用代码含有无效字符“{c}”（不使用I、O、S、V、Z）"));
        }
        match Self::check_char(&bytes[..17]) {
            Some(check) if check == bytes[17] => Ok(Self(code)),
            Some(check) => bad(format!("统一社会信用代码“{code}”校验位不符（应为{}）", check as char)),
            None => bad(format!("统一社会信用代码“{code}”无效")),
        }
    }
}

impl<'de> Deserialize<'de> for CreditCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(|e: Error| serde::de::Error::custom(e.to_string()))
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An exact amount of money in fen (分). Parsed from yuan with up to two decimals and an
/// optional unit (元, 万, 万元, 亿, 亿元); shown in 万元 as ledgers write it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Yuan(pub i64);

impl Yuan {
    /// The largest amount accepted: ten thousand 亿元 (1e12 yuan).
    const MAX_FEN: i64 = 100_000_000_000_000;

    pub fn fen(self) -> i64 {
        self.0
    }

    /// `n` 万元.
    pub fn wan(n: i64) -> Self {
        Self(n * 1_000_000)
    }

    /// `n` 亿元.
    pub fn yi(n: i64) -> Self {
        Self(n * 10_000_000_000)
    }

    /// In 万元, exact, without trailing zeros: "5000万元", "12.5万元", "0.0123万元".
    pub fn wan_label(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let fen = self.0.unsigned_abs();
        let whole = fen / 1_000_000;
        let frac = fen % 1_000_000;
        if frac == 0 {
            format!("{sign}{whole}万元")
        } else {
            let digits = format!("{frac:06}");
            format!("{sign}{whole}.{}万元", digits.trim_end_matches('0'))
        }
    }
}

impl fmt::Display for Yuan {
    /// In yuan with two decimals: "12345.67".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let fen = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", fen / 100, fen % 100)
    }
}

impl FromStr for Yuan {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        let bad =
            || Error::invalid("amount", format!("“{}”不是有效的金额（例：5000万元、1.5亿元、12345.67元）", s.trim()));
        let t: String = s.chars().filter(|c| !c.is_whitespace() && *c != ',' && *c != '，').collect();
        let t = t.strip_suffix('元').unwrap_or(&t);
        let (num, scale) = if let Some(n) = t.strip_suffix('亿') {
            (n, 100_000_000i128)
        } else if let Some(n) = t.strip_suffix('万') {
            (n, 10_000)
        } else {
            (t, 1)
        };
        let (int_part, frac_part) = num.split_once('.').unwrap_or((num, ""));
        if int_part.is_empty() && frac_part.is_empty()
            || !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
            || int_part.len() > 15
            || frac_part.len() > 10
        {
            return Err(bad());
        }
        // The number times 10^len(frac), then to fen; every digit must land on a whole fen.
        let mut n: i128 = 0;
        for b in int_part.bytes().chain(frac_part.bytes()) {
            n = n * 10 + i128::from(b - b'0');
        }
        let den = 10i128.pow(frac_part.len() as u32);
        let fen_num = n * scale * 100;
        if fen_num % den != 0 {
            return Err(Error::invalid("amount", format!("金额“{}”精确到分以下", s.trim())));
        }
        let fen = fen_num / den;
        if fen > i128::from(Self::MAX_FEN) {
            return Err(bad());
        }
        Ok(Self(fen as i64))
    }
}

vocabulary!(
    /// Whether an enterprise is 规模以上工业 or 限额以上批零住餐 (003 (200)): both must have a
    /// steward.
    Scale, "scale" {
        AboveScaleIndustry = "above_scale_industry" / "规上工业" | "规模以上工业" | "规上",
        AboveLimitTrade = "above_limit_trade" / "限上贸易" | "限额以上" | "限上",
        Other = "other" / "其他" | "规下" | "限下",
    }
);

impl Scale {
    /// 规上 and 限上 enterprises must have a project steward (003 (200)).
    pub fn needs_steward(self) -> bool {
        !matches!(self, Scale::Other)
    }
}

vocabulary!(
    /// Where a project stands.
    ProjectStage, "stage" {
        Signed = "signed" / "已签约" | "签约",
        Preparing = "preparing" / "前期手续" | "前期",
        Building = "building" / "在建" | "开工",
        Operating = "operating" / "投产" | "竣工投产" | "竣工",
        Stopped = "stopped" / "终止" | "停建",
    }
);

/// A key enterprise as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewEnterprise {
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub credit_code: CreditCode,
    pub industry: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub scale: Scale,
    pub address: String,
    pub contact_name: String,
    pub contact_phone: String,
    /// The unit whose area it is in (苏木镇、园区) or that is its 主管部门, when known.
    pub unit_id: Option<UnitId>,
    pub note: String,
}

/// A key enterprise in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enterprise {
    pub id: EnterpriseId,
    #[serde(flatten)]
    pub fields: NewEnterprise,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    /// Incremented on every write; an edit names the version it read.
    pub version: i64,
}

/// The unchecked shape of an enterprise from the API, a form or a ledger row.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnterpriseInput {
    pub name: Option<String>,
    pub credit_code: Option<String>,
    pub industry: Option<String>,
    pub scale: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub unit_id: Option<UnitId>,
    pub note: Option<String>,
}

/// Trims `s` and checks it is not longer than `max` characters.
fn text(field: &str, label: &str, s: Option<String>, max: usize) -> Result<String, Error> {
    let s = s.unwrap_or_default().trim().to_string();
    if s.chars().count() > max {
        return Err(Error::invalid(field, format!("{label}不能超过{max}个字")));
    }
    if s.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Error::invalid(field, format!("{label}含有控制字符")));
    }
    Ok(s)
}

fn required(field: &str, label: &str, s: Option<String>, max: usize) -> Result<String, Error> {
    let s = text(field, label, s, max)?;
    if s.is_empty() {
        return Err(Error::invalid(field, format!("请填写{label}")));
    }
    Ok(s)
}

impl EnterpriseInput {
    pub fn parse(self) -> Result<NewEnterprise, Error> {
        let credit_code = match self.credit_code.as_deref().map(str::trim) {
            None | Some("") => return Err(Error::invalid("credit_code", "请填写统一社会信用代码")),
            Some(c) => c.parse()?,
        };
        Ok(NewEnterprise {
            name: required("name", "企业名称", self.name, 100)?,
            credit_code,
            industry: text("industry", "所属行业", self.industry, 50)?,
            scale: match self.scale.as_deref().map(str::trim) {
                None | Some("") => Scale::Other,
                Some(s) => s.parse()?,
            },
            address: text("address", "地址", self.address, 200)?,
            contact_name: text("contact_name", "联系人", self.contact_name, 50)?,
            contact_phone: text("contact_phone", "联系电话", self.contact_phone, 50)?,
            unit_id: self.unit_id,
            note: text("note", "备注", self.note, 2000)?,
        })
    }
}

/// A key project as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewProject {
    pub name: String,
    /// The investor as written (投资主体).
    pub investor: String,
    /// The investor when it is in the enterprise list.
    pub enterprise_id: Option<EnterpriseId>,
    /// Total investment (总投资), exact.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub total_investment: Yuan,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub stage: ProjectStage,
    /// The day the investment agreement was signed (签约日期).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub signed_on: Option<Date>,
    pub location: String,
    pub industry: String,
    /// The unit responsible for the project (责任单位), when named.
    pub unit_id: Option<UnitId>,
    pub note: String,
}

/// A key project in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Project {
    pub id: ProjectId,
    #[serde(flatten)]
    pub fields: NewProject,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub updated_at: Timestamp,
    pub version: i64,
}

/// A signed investment project over this total investment must have a steward (003 (200)).
pub const STEWARD_THRESHOLD: Yuan = Yuan(1000 * 1_000_000);

impl NewProject {
    /// A signed investment project over 1000万 ([`STEWARD_THRESHOLD`]) must have a steward
    /// (003 (200)).
    pub fn needs_steward(&self) -> bool {
        self.signed_on.is_some() && self.stage != ProjectStage::Stopped && self.total_investment > STEWARD_THRESHOLD
    }
}

/// The unchecked shape of a project. `total_investment` is written as ledgers write it
/// ("1.2亿", "5000万元", or yuan).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectInput {
    pub name: Option<String>,
    pub investor: Option<String>,
    pub enterprise_id: Option<EnterpriseId>,
    pub total_investment: Option<String>,
    pub stage: Option<String>,
    pub signed_on: Option<String>,
    pub location: Option<String>,
    pub industry: Option<String>,
    pub unit_id: Option<UnitId>,
    pub note: Option<String>,
}

impl ProjectInput {
    pub fn parse(self) -> Result<NewProject, Error> {
        let total_investment = match self.total_investment.as_deref().map(str::trim) {
            None | Some("") => return Err(Error::invalid("total_investment", "请填写总投资")),
            Some(s) => s.parse::<Yuan>().map_err(|e| match e {
                Error::Invalid { message, .. } => Error::invalid("total_investment", message),
                e => e,
            })?,
        };
        let signed_on = match self.signed_on.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(
                s.replace(['/', '.'], "-")
                    .parse::<Date>()
                    .map_err(|_| Error::invalid("signed_on", format!("“{s}”不是有效的签约日期（例：2026-03-01）")))?,
            ),
        };
        Ok(NewProject {
            name: required("name", "项目名称", self.name, 200)?,
            investor: text("investor", "投资主体", self.investor, 100)?,
            enterprise_id: self.enterprise_id,
            total_investment,
            stage: match self.stage.as_deref().map(str::trim) {
                None | Some("") => ProjectStage::Signed,
                Some(s) => s.parse()?,
            },
            signed_on,
            location: text("location", "建设地点", self.location, 200)?,
            industry: text("industry", "所属行业", self.industry, 50)?,
            unit_id: self.unit_id,
            note: text("note", "备注", self.note, 2000)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a valid code from 17 characters by computing its check character.
    fn with_check(first17: &str) -> String {
        let c = CreditCode::check_char(first17.as_bytes()).unwrap() as char;
        format!("{first17}{c}")
    }

    #[test]
    fn credit_codes_are_checked_by_their_check_digit() {
        // A code published as an example in GB 32100-2015 materials.
        let ok: CreditCode = "91350100M000100Y43".parse().unwrap();
        assert_eq!(ok.as_str(), "91350100M000100Y43");
        assert_eq!("91350100m000100y43 ".parse::<CreditCode>().unwrap(), ok);
        let e = "91350100M000100Y44".parse::<CreditCode>().unwrap_err().to_string();
        assert!(e.contains("校验位") && e.contains("应为3"), "{e}");
        assert!("9135010".parse::<CreditCode>().unwrap_err().to_string().contains("18位"));
        assert!("91350100M000100I43".parse::<CreditCode>().unwrap_err().to_string().contains("无效字符"));
        assert!("91350100M000100测43".parse::<CreditCode>().is_err());
        let built = with_check("91152723MA0N12345");
        assert_eq!(CreditCode::completing("91152723ma0n12345").unwrap().as_str(), built);
        assert!(CreditCode::completing("9115").is_err());
        assert!(CreditCode::completing("91152723MA0N1234I").is_err());
        assert_eq!(built.parse::<CreditCode>().unwrap().as_str(), built);
        // Every wrong last character is refused.
        for c in CREDIT_CHARS.iter().filter(|c| **c != built.as_bytes()[17]) {
            let wrong = format!("{}{}", &built[..17], *c as char);
            assert!(wrong.parse::<CreditCode>().is_err(), "{wrong}");
        }
    }

    #[test]
    fn amounts_are_exact() {
        assert_eq!("5000万".parse::<Yuan>().unwrap(), Yuan::wan(5000));
        assert_eq!("5,000万元".parse::<Yuan>().unwrap(), Yuan::wan(5000));
        assert_eq!("1.5亿".parse::<Yuan>().unwrap(), Yuan::wan(15000));
        assert_eq!("1.5亿元".parse::<Yuan>().unwrap().wan_label(), "15000万元");
        assert_eq!("12345.67".parse::<Yuan>().unwrap(), Yuan(1_234_567));
        assert_eq!("12345.67元".parse::<Yuan>().unwrap().to_string(), "12345.67");
        assert_eq!("0.0001万".parse::<Yuan>().unwrap(), Yuan(100));
        assert_eq!(Yuan(1_234_567).wan_label(), "1.234567万元");
        assert!("0.001".parse::<Yuan>().is_err());
        assert!("1.23456789万".parse::<Yuan>().is_err());
        assert!("abc".parse::<Yuan>().is_err());
        assert!("".parse::<Yuan>().is_err());
        assert!("-5".parse::<Yuan>().is_err());
        assert!("99999999999999999999亿".parse::<Yuan>().is_err());
        assert!("1e5".parse::<Yuan>().is_err());
    }

    #[test]
    fn inputs_parse_or_say_why() {
        let e = EnterpriseInput {
            name: Some("甲公司".into()),
            credit_code: Some("91350100M000100Y43".into()),
            scale: Some("规上".into()),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(e.scale, Scale::AboveScaleIndustry);
        assert!(e.scale.needs_steward());
        let err = EnterpriseInput { name: Some("甲".into()), ..Default::default() }.parse().unwrap_err();
        assert!(err.to_string().contains("统一社会信用代码"));
        let p = ProjectInput {
            name: Some("风电项目".into()),
            total_investment: Some("1.2亿".into()),
            signed_on: Some("2026/3/1".into()),
            ..Default::default()
        };
        assert!(p.clone().parse().is_err(), "2026/3/1 is not a zero-padded date");
        let p = ProjectInput { signed_on: Some("2026/03/01".into()), ..p }.parse().unwrap();
        assert_eq!(p.total_investment, Yuan::wan(12000));
        assert!(p.needs_steward());
        let small = ProjectInput {
            name: Some("小".into()),
            total_investment: Some("1000万".into()),
            signed_on: Some("2026-03-01".into()),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert!(!small.needs_steward(), "over 1000万, not at it");
    }
}
