//! The links between a list's pages, shared by the tabs that page.

use maud::{Markup, html};

/// Where a list page stands: `shown` rows from `skip`, pages of `page_size`, and whether a
/// next page exists.
pub struct Pages {
    pub skip: u32,
    pub shown: usize,
    pub page_size: u32,
    pub has_more: bool,
}

impl Pages {
    /// The page `rows` make, fetched one more than `page_size` (the extra one tells that a
    /// next page exists, and is cut off).
    pub fn cut<T>(rows: &mut Vec<T>, skip: u32, page_size: u32) -> Pages {
        let has_more = rows.len() > page_size as usize;
        rows.truncate(page_size as usize);
        Pages {
            skip,
            shown: rows.len(),
            page_size,
            has_more,
        }
    }

    pub fn is_first(&self) -> bool {
        self.skip == 0
    }
}

/// What the links say: to the previous page, to the next, and when a page is past the end.
pub struct PagerText {
    pub previous: &'static str,
    pub next: &'static str,
    pub past_the_end: &'static str,
}

/// The links, `link(skip)` being the address of the page from `skip`; nothing for a single
/// page.
pub fn pager(pages: &Pages, text: &PagerText, link: impl Fn(u32) -> String) -> Markup {
    let first = pages.skip + 1;
    let last = pages.skip + u32::try_from(pages.shown).unwrap_or(u32::MAX);
    html! {
        @if pages.skip > 0 || pages.has_more {
            nav.pager aria-label="Pages" {
                @if pages.skip > 0 {
                    a href=(link(pages.skip.saturating_sub(pages.page_size))) { (text.previous) }
                }
                span.range {
                    @if pages.shown == 0 { (text.past_the_end) } @else { (first) "–" (last) }
                }
                @if pages.has_more {
                    a href=(link(pages.skip + pages.page_size)) { (text.next) }
                }
            }
        }
    }
}
