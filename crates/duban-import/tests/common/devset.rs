//! The importer's development set (issue 11): hand labels of real task-assignment documents and
//! the scoring of a preview against them.
//!
//! The documents are not in the repository (`../shared/corpus/` is never copied; the seeds are
//! in `fixtures/seeds/`), and neither is their text: a labelled task is located by its
//! *anchor*, hashes of a few overlapping six-character pieces of the text where the task starts
//! (letters and digits only, full-width folded to ASCII). A task the importer found matches a
//! label when at least half of the label's pieces occur in its text; each found task matches at
//! most one label, the best first.

#![allow(dead_code)] // shared by the test and the example that writes the labels

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// Characters per piece of an anchor.
const PIECE: usize = 6;
/// Pieces an anchor holds at the most.
const PIECES: usize = 8;

/// The labels of one document.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DocLabels {
    /// The file name in `../shared/corpus/` or `fixtures/seeds/`.
    pub file: String,
    /// Every piece of the document's title as a person read it (a cover notice's whole title, 关于印发《X》的通知).
    pub title_pieces: Vec<String>,
    pub doc_number: Option<String>,
    pub issuer: Option<String>,
    pub issued: Option<Date>,
    /// The document's year (deadlines without a year belong to it).
    pub year: i16,
    pub tasks: Vec<TaskLabel>,
}

/// One task as a supervision office would enter it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskLabel {
    /// The item number as printed (for people reading the labels).
    pub number: String,
    pub anchor: Vec<String>,
    pub lead: Vec<String>,
    pub coop: Vec<String>,
    pub deadline: Option<Date>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<Date>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ongoing: bool,
}

/// Letters and digits only, full-width ASCII folded, lower case.
pub fn normalize(s: &str) -> Vec<char> {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// FNV-1a, 48 bits, as hex.
fn hash(piece: &[char]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for c in piece.iter().collect::<String>().bytes() {
        h ^= u64::from(c);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:012x}", h >> 16)
}

/// The anchor of a quote: the pieces at every third character, at most [`PIECES`].
pub fn anchor(quote: &str) -> Vec<String> {
    let n = normalize(quote);
    if n.len() <= PIECE {
        return vec![hash(&n)];
    }
    (0..=n.len() - PIECE).step_by(3).take(PIECES).map(|i| hash(&n[i..i + PIECE])).collect()
}

/// Every piece of a text, hashed.
pub fn pieces(text: &str) -> HashSet<String> {
    let n = normalize(text);
    let mut out: HashSet<String> = n.windows(PIECE).map(hash).collect();
    if n.len() <= PIECE {
        out.insert(hash(&n));
    }
    out
}

/// The share of an anchor's pieces found in a set of pieces.
pub fn overlap(anchor: &[String], pieces: &HashSet<String>) -> f64 {
    if anchor.is_empty() {
        return 0.0;
    }
    anchor.iter().filter(|a| pieces.contains(*a)).count() as f64 / anchor.len() as f64
}

/// Whether a title read is the labelled one or a part of it that names the document (the plan X
/// of 关于印发《X》的通知): most of its pieces are the label's, and it is not a scrap (eight characters at least).
pub fn same_title(label_pieces: &[String], read: &str) -> bool {
    if label_pieces.is_empty() {
        return true;
    }
    let read: HashSet<String> = pieces(read);
    let inside = read.iter().filter(|p| label_pieces.contains(p)).count();
    inside * 5 >= read.len() * 4 && read.len() >= 3
}

/// Unit names compared as sets, whitespace ignored.
pub fn same_units(a: &[String], b: &[String]) -> bool {
    let set = |v: &[String]| -> std::collections::BTreeSet<String> {
        v.iter().map(|s| s.chars().filter(|c| !c.is_whitespace()).collect()).collect()
    };
    set(a) == set(b)
}

/// What one found task says, for scoring.
pub struct Found<'a> {
    /// Number and text, where the anchor is looked for.
    pub text: String,
    pub lead: &'a [String],
    pub coop: &'a [String],
    pub deadline: Option<Date>,
}

/// The scores of one document.
#[derive(Debug, Clone, Default)]
pub struct Score {
    pub labelled: usize,
    pub found: usize,
    pub matched: usize,
    /// Matched with the same lead and cooperating units.
    pub units: usize,
    /// Matched with the same lead units.
    pub lead: usize,
    /// Labels with a deadline.
    pub dated: usize,
    /// Of those, matched with the same deadline.
    pub deadlines: usize,
    /// Labels with a lead unit, and of those, matched with the same lead.
    pub with_lead: usize,
    pub lead_of_with_lead: usize,
    /// Labels the importer did not find, by number (for reading the output).
    pub missed: Vec<String>,
    /// Matched labels whose units differ: number, labelled lead and cooperating units, and
    /// what was found (printed with `DEVSET_SHOW=1` while tuning).
    pub wrong: Vec<String>,
    /// The opening of found tasks that match no label (printed with `DEVSET_SHOW=1`).
    pub extra: Vec<String>,
}

impl Score {
    pub fn add(&mut self, o: &Score) {
        self.labelled += o.labelled;
        self.found += o.found;
        self.matched += o.matched;
        self.units += o.units;
        self.lead += o.lead;
        self.dated += o.dated;
        self.deadlines += o.deadlines;
        self.with_lead += o.with_lead;
        self.lead_of_with_lead += o.lead_of_with_lead;
    }
}

/// Scores the tasks found in a document against its labels.
pub fn score(labels: &[TaskLabel], found: &[Found<'_>]) -> Score {
    let sets: Vec<HashSet<String>> = found.iter().map(|f| pieces(&f.text)).collect();
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (i, l) in labels.iter().enumerate() {
        for (j, s) in sets.iter().enumerate() {
            let o = overlap(&l.anchor, s);
            if o >= 0.5 {
                pairs.push((o, i, j));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let (mut label_of, mut taken) = (vec![None; labels.len()], vec![false; found.len()]);
    for (_, i, j) in pairs {
        if label_of[i].is_none() && !taken[j] {
            label_of[i] = Some(j);
            taken[j] = true;
        }
    }
    let mut s = Score { labelled: labels.len(), found: found.len(), ..Score::default() };
    s.extra = found.iter().zip(&taken).filter(|(_, t)| !**t).map(|(f, _)| f.text.chars().take(40).collect()).collect();
    for (l, m) in labels.iter().zip(&label_of) {
        s.dated += usize::from(l.deadline.is_some());
        s.with_lead += usize::from(!l.lead.is_empty());
        let Some(j) = m else {
            s.missed.push(l.number.clone());
            continue;
        };
        let f = &found[*j];
        s.matched += 1;
        let lead = same_units(&l.lead, f.lead);
        s.lead += usize::from(lead);
        s.lead_of_with_lead += usize::from(lead && !l.lead.is_empty());
        let units = lead && same_units(&l.coop, f.coop);
        s.units += usize::from(units);
        if !units {
            s.wrong
                .push(format!("{} labelled {:?} / {:?}, found {:?} / {:?}", l.number, l.lead, l.coop, f.lead, f.coop));
        }
        s.deadlines += usize::from(l.deadline.is_some() && l.deadline == f.deadline);
    }
    s
}
