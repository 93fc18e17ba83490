//! Resolving unit names as documents write them against a directory of units and groups with
//! their aliases, and finding the closest known names for one that is not there.

use duban_domain::org::{DirectoryEntry, UnitDirectory};
use std::collections::HashMap;

/// What a name resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    /// The canonical name of the unit or group.
    pub canonical: String,
    pub is_group: bool,
}

/// Every known name and alias.
#[derive(Debug, Clone)]
pub struct Names {
    map: HashMap<String, Known>,
    canonicals: Vec<String>,
    /// The names with a list separator inside, known and standard, longest first.
    compounds: Vec<String>,
}

/// Standard collectives whose names contain a list separator, kept whole with or without a
/// directory.
const STANDARD_COMPOUNDS: &[&str] = &[
    "各苏木乡镇场、街道办事处",
    "各苏木乡镇场、街道",
    "各苏木乡镇（场）、街道",
    "各苏木乡镇场（街道）",
    "苏木乡镇场、街道",
];

/// Endings that make a list entry mean "X and the others concerned"; the name is X.
const ETC: &[&str] = &["等相关部门", "等有关部门", "等相关单位", "等有关单位", "等部门", "等单位"];

impl Default for Names {
    /// No directory: names are kept as written; only the standard collectives are known to
    /// contain separators.
    fn default() -> Self {
        Self::new([])
    }
}

impl Names {
    /// From (name, canonical name, is a group) triples.
    pub fn new(entries: impl IntoIterator<Item = (String, String, bool)>) -> Self {
        let mut map = HashMap::new();
        let mut canonicals = Vec::new();
        for (name, canonical, is_group) in entries {
            if name == canonical && !canonicals.contains(&canonical) {
                canonicals.push(canonical.clone());
            }
            map.insert(name, Known { canonical, is_group });
        }
        let mut compounds: Vec<String> = map.keys().filter(|n| n.contains(['、', '，', ','])).cloned().collect();
        for extra in STANDARD_COMPOUNDS {
            if !compounds.iter().any(|c| c == extra) {
                compounds.push((*extra).to_string());
            }
        }
        // Longest first, so the longest spelling is protected before its prefixes.
        compounds.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
        Self { map, canonicals, compounds }
    }

    /// From a unit directory file.
    pub fn from_directory(dir: &UnitDirectory) -> Self {
        let entries = dir.index().unwrap_or_default().into_iter().map(|(name, e)| match e {
            DirectoryEntry::Unit(i) => (name.to_string(), dir.units[i].name.clone(), false),
            DirectoryEntry::Group(i) => (name.to_string(), dir.groups[i].name.clone(), true),
        });
        Self::new(entries.collect::<Vec<_>>())
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Names that contain list separators (各苏木乡镇场、街道), known and standard, longest first:
    /// a list must not be split inside them.
    pub fn compound_names(&self) -> &[String] {
        &self.compounds
    }

    /// The unit or group a name points to, trying the name as written, without and with the
    /// banner prefix 旗, and without a trailing 等相关部门.
    pub fn resolve(&self, name: &str) -> Option<&Known> {
        let name = strip_etc(name.trim());
        self.map
            .get(name)
            .or_else(|| name.strip_prefix('旗').and_then(|n| self.map.get(n)))
            .or_else(|| self.map.get(&format!("旗{name}")))
    }

    /// The `k` canonical names most like `name` (by shared characters and bigrams).
    pub fn closest(&self, name: &str, k: usize) -> Vec<String> {
        let grams = |s: &str| -> Vec<String> {
            let c: Vec<char> = s.chars().filter(|c| *c != '旗').collect();
            let mut g: Vec<String> = c.windows(2).map(|w| w.iter().collect()).collect();
            g.extend(c.iter().map(|c| c.to_string()));
            g
        };
        let target = grams(name);
        let mut scored: Vec<(f64, &String)> = self
            .map
            .iter()
            .map(|(alias, known)| {
                let g = grams(alias);
                let shared = target.iter().filter(|t| g.contains(t)).count() as f64;
                (shared / ((target.len() + g.len()) as f64).max(1.0), &known.canonical)
            })
            .filter(|(s, _)| *s > 0.15)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        let mut out: Vec<String> = Vec::new();
        for (_, c) in scored {
            if !out.contains(c) {
                out.push(c.clone());
            }
            if out.len() == k {
                break;
            }
        }
        out
    }

    /// The canonical names, in directory order.
    pub fn canonicals(&self) -> &[String] {
        &self.canonicals
    }
}

/// The name without a trailing "等相关部门" or similar (等, 等有关方面, 等部门和单位 …).
pub fn strip_etc(name: &str) -> &str {
    let name = name.trim();
    let stripped = ETC.iter().find_map(|e| name.strip_suffix(e)).unwrap_or(name);
    let stripped = match stripped.rfind('等') {
        Some(at) if at > 0 && UNNAMED_TAIL.contains(&&stripped[at + '等'.len_utf8()..]) => &stripped[..at],
        _ => stripped,
    };
    stripped.trim()
}

/// What may follow 等 in a list's unnamed tail.
const UNNAMED_TAIL: &[&str] = &[
    "",
    "有关方面",
    "相关方面",
    "有关部门和单位",
    "相关部门和单位",
    "部门和单位",
    "有关机构",
    "相关机构",
    "机构",
    "方面",
    "地区",
    "有关地区",
    "单位",
    "部门",
    "有关部门",
    "相关部门",
    "有关单位",
    "相关单位",
];

/// Whether a list entry names no one in particular (有关部门, 相关单位): it is not a unit.
pub fn is_unnamed(name: &str) -> bool {
    const UNNAMED: &[&str] = &[
        "有关部门",
        "相关部门",
        "有关单位",
        "相关单位",
        "有关方面",
        "相关方面",
        "其他有关部门",
        "有关部门和单位",
        "相关部门和单位",
        "有关地区",
        "其他部门",
    ];
    UNNAMED.contains(&name.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names::new([
            ("旗住房和城乡建设局".into(), "旗住房和城乡建设局".into(), false),
            ("旗住建局".into(), "旗住房和城乡建设局".into(), false),
            ("住建局".into(), "旗住房和城乡建设局".into(), false),
            ("旗人民检察院".into(), "旗人民检察院".into(), false),
            ("检察院".into(), "旗人民检察院".into(), false),
            ("各苏木乡镇场、街道".into(), "各苏木乡镇场、街道".into(), true),
        ])
    }

    #[test]
    fn names_resolve_through_aliases_prefixes_and_etc() {
        let n = names();
        assert_eq!(n.resolve("住建局").unwrap().canonical, "旗住房和城乡建设局");
        assert_eq!(n.resolve("旗检察院").unwrap().canonical, "旗人民检察院");
        assert_eq!(n.resolve("检察院等相关部门").unwrap().canonical, "旗人民检察院");
        assert!(n.resolve("各苏木乡镇场、街道").unwrap().is_group);
        assert!(n.resolve("旗外星局").is_none());
        let compounds = n.compound_names();
        assert!(compounds.iter().any(|c| c == "各苏木乡镇场、街道"));
        assert!(compounds.windows(2).all(|w| w[0].chars().count() >= w[1].chars().count()));
        assert!(Names::default().compound_names().iter().any(|c| c == "苏木乡镇场、街道"));
    }

    #[test]
    fn the_closest_names_are_offered_for_an_unknown_one() {
        let n = names();
        assert_eq!(n.closest("旗住建委", 3)[0], "旗住房和城乡建设局");
        assert!(n.closest("完全无关", 3).is_empty());
    }
}
