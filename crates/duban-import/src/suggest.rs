//! Suggesting lead units for a task's text: a multinomial naive Bayes classifier over Chinese
//! words (jieba segmentation), trained on the tasks already in the ledgers. It serves tasks
//! whose text names no unit and tasks typed by hand.

use jieba_rs::Jieba;
use std::collections::HashMap;
use std::sync::LazyLock;

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Words that say nothing about who does the work.
const STOP: &[&str] = &[
    "推进",
    "加强",
    "进一步",
    "全面",
    "实现",
    "推动",
    "完善",
    "建立",
    "开展",
    "落实",
    "提升",
    "优化",
    "工作",
    "相关",
    "有关",
    "各类",
    "全旗",
    "按照",
    "要求",
    "以上",
    "以内",
    "完成",
    "积极",
    "持续",
    "强化",
    "健全",
    "机制",
    "实施",
    "做好",
    "提高",
    "情况",
    "进行",
    "底前",
    "月底",
    "年底",
    "工作日",
    "服务",
    "管理",
    "部门",
    "单位",
];

/// The words of a text that count for the classifier.
pub fn words(text: &str) -> Vec<String> {
    JIEBA
        .cut(text, false)
        .into_iter()
        .map(|t| t.word.trim())
        .filter(|w| w.chars().count() >= 2 && w.chars().all(char::is_alphanumeric) && !STOP.contains(w))
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

/// A trained classifier.
#[derive(Debug, Clone, Default)]
pub struct Suggester {
    labels: Vec<String>,
    /// Per label: task count, word counts, total words.
    docs: Vec<u32>,
    counts: Vec<HashMap<String, u32>>,
    totals: Vec<u32>,
    vocabulary: usize,
}

impl Suggester {
    /// Trains on (task text, lead unit) pairs.
    pub fn train<'a>(examples: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut s = Suggester::default();
        let mut vocab: std::collections::HashSet<String> = std::collections::HashSet::new();
        for (text, label) in examples {
            let i = match s.labels.iter().position(|l| l == label) {
                Some(i) => i,
                None => {
                    s.labels.push(label.to_string());
                    s.docs.push(0);
                    s.counts.push(HashMap::new());
                    s.totals.push(0);
                    s.labels.len() - 1
                }
            };
            s.docs[i] += 1;
            for w in words(text) {
                *s.counts[i].entry(w.clone()).or_default() += 1;
                s.totals[i] += 1;
                vocab.insert(w);
            }
        }
        s.vocabulary = vocab.len();
        s
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The `k` most likely lead units for `text`, best first, with their probabilities.
    pub fn suggest(&self, text: &str, k: usize) -> Vec<(String, f64)> {
        if self.labels.is_empty() {
            return Vec::new();
        }
        let ws = words(text);
        let n_docs: u32 = self.docs.iter().sum();
        let v = self.vocabulary.max(1) as f64;
        let mut scores: Vec<(usize, f64)> = (0..self.labels.len())
            .map(|i| {
                let prior = (f64::from(self.docs[i]) / f64::from(n_docs.max(1))).ln();
                let denom = f64::from(self.totals[i]) + v;
                let like: f64 = ws
                    .iter()
                    .map(|w| ((f64::from(self.counts[i].get(w).copied().unwrap_or(0)) + 1.0) / denom).ln())
                    .sum();
                (i, prior + like)
            })
            .collect();
        scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        // Probabilities from log scores, relative to the best.
        let best = scores.first().map_or(0.0, |s| s.1);
        let z: f64 = scores.iter().map(|s| (s.1 - best).exp()).sum();
        scores.into_iter().take(k).map(|(i, s)| (self.labels[i].clone(), (s - best).exp() / z)).collect()
    }
}

/// Top-1 and top-3 accuracy of the suggester by k-fold cross-validation over `examples`.
pub fn cross_validate(examples: &[(String, String)], folds: usize) -> (f64, f64, usize) {
    let folds = folds.max(2);
    let (mut top1, mut top3, mut n) = (0usize, 0usize, 0usize);
    for f in 0..folds {
        let train =
            examples.iter().enumerate().filter(|(i, _)| i % folds != f).map(|(_, (t, l))| (t.as_str(), l.as_str()));
        let model = Suggester::train(train);
        for (_, (text, label)) in examples.iter().enumerate().filter(|(i, _)| i % folds == f) {
            let got = model.suggest(text, 3);
            n += 1;
            if got.first().is_some_and(|(l, _)| l == label) {
                top1 += 1;
            }
            if got.iter().any(|(l, _)| l == label) {
                top3 += 1;
            }
        }
    }
    let n_f = n.max(1) as f64;
    (top1 as f64 / n_f, top3 as f64 / n_f, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_suggester_learns_who_does_what() {
        let s = Suggester::train([
            ("优化纳税缴费流程，推行增值税留抵退税", "旗税务局"),
            ("增值税留抵退税智能审批", "旗税务局"),
            ("不动产登记一窗受理", "旗自然资源局"),
            ("不动产抵押登记网上办理", "旗自然资源局"),
            ("政府采购云平台全流程电子化", "旗财政局"),
        ]);
        let got = s.suggest("推进增值税退税提速", 3);
        assert_eq!(got[0].0, "旗税务局");
        assert_eq!(got.len(), 3);
        assert!(got[0].1 > got[1].1);
        assert_eq!(s.suggest("不动产登记", 1)[0].0, "旗自然资源局");
        assert!(Suggester::default().suggest("任何", 3).is_empty());
    }
}
