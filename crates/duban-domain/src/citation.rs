//! Where a rule comes from, in words a 督查室 uses: a rule's `clause` is written as the seed
//! document's number and the clause in it (`"002 三(一)2"`, `"001 §8"`); a page shows the
//! document's short name and the clause instead (《X区政府系统效能提升年实施方案》三(一)2,
//! 《提升政务工作创造力执行力公信力十五条措施》第八条).

/// The short names of the seed documents the built-in rules cite, by document number.
pub const DOCUMENTS: [(&str, &str); 5] = [
    ("000", "奈曼旗政府效能提升行动方案"),
    ("001", "进一步提升政务工作创造力执行力公信力十五条措施"),
    ("002", "X区政府系统效能提升年实施方案"),
    ("003", "奈曼旗落实通辽市优化营商环境攻坚年行动实施方案"),
    ("004", "提升政府系统执行力和行政效能九条措施"),
];

/// The short name of a seed document, by its number.
pub fn document_name(id: &str) -> Option<&'static str> {
    DOCUMENTS.iter().find(|(n, _)| *n == id).map(|(_, name)| *name)
}

/// A number up to 99 in Chinese numerals (第八条, 第十三条).
fn chinese_number(n: u32) -> Option<String> {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let digit = |d: u32| DIGITS.get(usize::try_from(d).ok()?).copied();
    match n {
        1..=9 => digit(n).map(String::from),
        10 => Some("十".into()),
        11..=19 => Some(format!("十{}", digit(n % 10)?)),
        20..=99 => {
            let ones = if n.is_multiple_of(10) { "" } else { digit(n % 10)? };
            Some(format!("{}十{ones}", digit(n / 10)?))
        }
        _ => None,
    }
}

/// A rule's clause as a page shows it: the document's name in 《》 and the clause (`§8` as
/// 第八条). A clause of a document this list does not know, or written another way, is shown as
/// it is; an empty one stays empty.
pub fn cite(clause: &str) -> String {
    let clause = clause.trim();
    let Some((doc, rest)) = clause.split_once(' ') else { return clause.to_string() };
    let Some(name) = document_name(doc) else { return clause.to_string() };
    let rest = rest.trim();
    let part = match rest.strip_prefix('§').and_then(|n| n.parse::<u32>().ok()).and_then(chinese_number) {
        Some(n) => format!("第{n}条"),
        None => rest.to_string(),
    };
    format!("《{name}》{part}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_are_cited_by_the_documents_name() {
        assert_eq!(cite("002 三(一)2"), "《X区政府系统效能提升年实施方案》三(一)2");
        assert_eq!(cite("001 §8"), "《进一步提升政务工作创造力执行力公信力十五条措施》第八条");
        assert_eq!(cite("001 §13"), "《进一步提升政务工作创造力执行力公信力十五条措施》第十三条");
        assert_eq!(cite("004 §5"), "《提升政府系统执行力和行政效能九条措施》第五条");
        assert_eq!(cite("000 二(四)2"), "《奈曼旗政府效能提升行动方案》二(四)2");
        assert_eq!(cite("9.2 of the deployment's own rules"), "9.2 of the deployment's own rules");
        assert_eq!(cite("777 §1"), "777 §1");
        assert_eq!(cite(""), "");
        assert_eq!(chinese_number(20).as_deref(), Some("二十"));
        assert_eq!(chinese_number(35).as_deref(), Some("三十五"));
    }

    #[test]
    fn every_builtin_rule_cites_a_known_document() {
        for name in crate::policy::Policy::builtin_names() {
            let p = crate::policy::Policy::builtin(name).unwrap();
            for r in &p.rules {
                assert!(cite(&r.clause).starts_with('《') || r.clause.is_empty(), "{name}: {}", r.clause);
            }
        }
    }
}
