//! Paging for every list of the pages (issue 12 §5): a list shows one page at a time, with
//! 上一页/下一页, 第 n / m 页 and a choice of page size (10, 20, 50 or 100 lines), carried in
//! the address (`page`, `per_page`) with the list's other parameters.

use crate::http::list::page_count;

/// The page sizes a viewer may choose.
pub const PAGE_SIZES: [u32; 4] = [10, 20, 50, 100];

/// The page size asked for, if it is one of [`PAGE_SIZES`]; `default` otherwise.
pub fn page_size(asked: &str, default: u32) -> u32 {
    asked.trim().parse().ok().filter(|n| PAGE_SIZES.contains(n)).unwrap_or(default)
}

/// A page size the pager offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSize {
    pub n: u32,
    pub href: String,
    pub on: bool,
}

/// The pager under a list: where its links go and what it says.
#[derive(Debug, Clone, Default)]
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub total: u64,
    pub per_page: u32,
    /// The list's address with its other parameters, ending in `?` or `&`.
    base: String,
}

impl Pager {
    /// The pager of a list at `path` with the query string `query` (without page and size).
    pub fn new(path: &str, query: &str, page: u32, per_page: u32, total: u64) -> Self {
        let base = if query.is_empty() { format!("{path}?") } else { format!("{path}?{query}&") };
        let pages = page_count(total, per_page);
        Pager { page: page.clamp(1, pages), pages, total, per_page, base }
    }

    fn href(&self, page: u32, per_page: u32) -> String {
        format!("{}page={page}&per_page={per_page}", self.base)
    }

    /// The previous page's address, on any page but the first.
    pub fn prev(&self) -> Option<String> {
        (self.page > 1).then(|| self.href(self.page - 1, self.per_page))
    }

    /// The next page's address, on any page but the last.
    pub fn next(&self) -> Option<String> {
        (self.page < self.pages).then(|| self.href(self.page + 1, self.per_page))
    }

    /// Each page size with its address (from the first page) and whether it is the one shown.
    pub fn sizes(&self) -> Vec<PageSize> {
        PAGE_SIZES.iter().map(|&n| PageSize { n, href: self.href(1, n), on: n == self.per_page }).collect()
    }

    /// Whether the list has more than one page or more lines than the smallest page.
    pub fn shown(&self) -> bool {
        self.total > u64::from(PAGE_SIZES[0])
    }
}

/// One page of a list held in memory (the admin lists: units, people).
pub fn slice<T>(items: Vec<T>, page: u32, per_page: u32) -> Vec<T> {
    let skip = usize::try_from(page.saturating_sub(1)).unwrap_or(0).saturating_mul(per_page as usize);
    items.into_iter().skip(skip).take(per_page as usize).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pager_links_its_neighbours_and_sizes() {
        let p = Pager::new("/tasks", "status=assigned", 2, 10, 25);
        assert_eq!(p.pages, 3);
        assert_eq!(p.prev().as_deref(), Some("/tasks?status=assigned&page=1&per_page=10"));
        assert_eq!(p.next().as_deref(), Some("/tasks?status=assigned&page=3&per_page=10"));
        let fifty = PageSize { n: 50, href: "/tasks?status=assigned&page=1&per_page=50".into(), on: false };
        assert_eq!(p.sizes()[2], fifty);
        assert!(p.sizes()[0].on);
        let first = Pager::new("/public", "", 9, 50, 3);
        assert_eq!((first.page, first.prev(), first.next()), (1, None, None));
        assert_eq!(page_size("20", 50), 20);
        assert_eq!(page_size("7", 50), 50);
        assert_eq!(page_size("", 10), 10);
        assert_eq!(slice((1..=25).collect(), 3, 10), vec![21, 22, 23, 24, 25]);
    }
}
