//! Points, exact to the hundredth: scores are added, capped and weighted without floating point,
//! so an independent computation from the same events gives the same figure to the digit.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::{Add, AddAssign, Neg};

/// A score in hundredths of a point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Points(pub i64);

impl Points {
    pub const ZERO: Points = Points(0);

    /// Whole points.
    pub const fn whole(n: i64) -> Self {
        Points(n * 100)
    }

    /// `self × n`.
    pub fn times(self, n: i64) -> Self {
        Points(self.0.saturating_mul(n))
    }

    /// `self × percent / 100`, rounded half away from zero to the hundredth.
    pub fn percent(self, percent: i64) -> Self {
        Points(div_round(self.0.saturating_mul(percent), 100))
    }

    /// `self × num / den`, rounded half away from zero (zero when `den` is zero).
    pub fn ratio(self, num: i64, den: i64) -> Self {
        if den == 0 { Points(0) } else { Points(div_round(self.0.saturating_mul(num), den)) }
    }

    /// Parses "1", "-2.5", "0.25" (at most two decimals).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        let (neg, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if int.is_empty() && frac.is_empty() || frac.len() > 2 {
            return None;
        }
        if !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
            return None;
        }
        let whole: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
        let hundredths: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().ok()? * 10,
            _ => frac.parse().ok()?,
        };
        let v = whole.checked_mul(100)?.checked_add(hundredths)?;
        Some(Points(if neg { -v } else { v }))
    }

    /// From a TOML or JSON number with at most two decimals.
    pub fn from_f64(x: f64) -> Option<Self> {
        let v = (x * 100.0).round();
        (v.is_finite() && v.abs() < 1e15 && (v - x * 100.0).abs() < 1e-6).then_some(Points(v as i64))
    }
}

fn div_round(n: i64, d: i64) -> i64 {
    let q = n / d;
    let r = n % d;
    if r.abs() * 2 >= d.abs() { q + if (n < 0) == (d < 0) { 1 } else { -1 } } else { q }
}

impl Add for Points {
    type Output = Points;
    fn add(self, o: Points) -> Points {
        Points(self.0.saturating_add(o.0))
    }
}

impl AddAssign for Points {
    fn add_assign(&mut self, o: Points) {
        self.0 = self.0.saturating_add(o.0);
    }
}

impl Neg for Points {
    type Output = Points;
    fn neg(self) -> Points {
        Points(-self.0)
    }
}

impl std::iter::Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        iter.fold(Points::ZERO, |a, b| a + b)
    }
}

/// "12", "-2.5", "0.25".
impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let (int, frac) = (self.0.abs() / 100, self.0.abs() % 100);
        match frac {
            0 => write!(f, "{sign}{int}"),
            x if x % 10 == 0 => write!(f, "{sign}{int}.{}", x / 10),
            x => write!(f, "{sign}{int}.{x:02}"),
        }
    }
}

impl Serialize for Points {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Float(f64),
            Text(String),
        }
        let bad = || serde::de::Error::custom("分值须是数字，最多两位小数");
        match Raw::deserialize(d)? {
            Raw::Int(n) => n.checked_mul(100).map(Points).ok_or_else(bad),
            Raw::Float(x) => Points::from_f64(x).ok_or_else(bad),
            Raw::Text(s) => Points::parse(&s).ok_or_else(bad),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_exactly() {
        for (s, v, back) in [("1", 100, "1"), ("-2.5", -250, "-2.5"), ("0.25", 25, "0.25"), ("+3.10", 310, "3.1")] {
            let p = Points::parse(s).unwrap();
            assert_eq!(p, Points(v));
            assert_eq!(p.to_string(), back);
        }
        for bad in ["", ".", "1.234", "a", "1e3", "--1"] {
            assert_eq!(Points::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(Points(100).ratio(2, 3), Points(67));
        assert_eq!(Points(-100).ratio(2, 3), Points(-67));
        assert_eq!(Points(101).percent(50), Points(51));
        assert_eq!(Points(-101).percent(50), Points(-51));
        assert_eq!(Points(100).ratio(1, 0), Points(0));
    }
}
