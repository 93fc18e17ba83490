//! Numbering of 督办 notices: 督〔YYYY〕N号, counted per year from 1, the year being the year of
//! the day the notice is issued (not of the date it must be answered by: a notice issued on
//! 2022-12-30 is 督〔2022〕, even when its answer date falls in 2023).

use jiff::civil::Date;

/// Stands for a notice's number in the texts of a notice being issued (its trail event, its
/// messages, a naming's reason): the number is given out when the notice is recorded.
pub const NUMBER: &str = "{number}";

/// The year a notice issued on `issued_on` is numbered in.
pub fn year_of(issued_on: Date) -> i16 {
    issued_on.year()
}

/// The number of the `seq`-th notice of `year`.
pub fn number(year: i16, seq: i64) -> String {
    format!("督〔{year}〕{seq}号")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn numbered_in_the_year_of_issue() {
        assert_eq!(year_of(date(2022, 12, 30)), 2022);
        assert_eq!(number(year_of(date(2022, 12, 30)), 41), "督〔2022〕41号");
        assert_eq!(number(2023, 1), "督〔2023〕1号");
    }
}
