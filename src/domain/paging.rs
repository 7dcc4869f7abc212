use serde::{Deserialize, Serialize};

use super::batches::count_of;
use super::text::group_digits;

/// Rows a list page shows.
pub const PAGE_SIZE: usize = 50;

/// One page of a list sorted by a unique key, paged by that key (keyset paging), so the cost of
/// a page does not grow with the table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    /// Key to pass as `after` for the next page, if there is one.
    pub next: Option<String>,
    /// Key to pass as `before` for the previous page, if there is one.
    pub prev: Option<String>,
}

/// How many rows a list matches: all of them, or at least a number, where counting every match
/// would cost far more than the page (a search matching 40,000 of 1,000,000 users).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Total {
    Exactly(i64),
    AtLeast(i64),
}

impl Total {
    /// `found`, exactly if counting saw every match (`complete`).
    pub fn counted(found: i64, complete: bool) -> Total {
        if complete { Total::Exactly(found) } else { Total::AtLeast(found) }
    }

    /// The number, or the least it can be.
    pub fn at_least(self) -> i64 {
        match self {
            Total::Exactly(n) | Total::AtLeast(n) => n,
        }
    }

    /// "41,545" or "at least 2,000".
    pub fn text(self) -> String {
        match self {
            Total::Exactly(n) => group_digits(n),
            Total::AtLeast(n) => format!("at least {}", group_digits(n)),
        }
    }

    /// "1 user", "41,545 users" or "at least 2,000 users".
    pub fn of(self, one: &str, many: &str) -> String {
        match self {
            Total::Exactly(n) => count_of(n, one, many),
            Total::AtLeast(_) => format!("{} {many}", self.text()),
        }
    }
}

/// Where a page starts: after a key, before a key, or at the beginning.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Cursor {
    #[default]
    First,
    After(String),
    Before(String),
}

impl Cursor {
    pub fn from_query(after: Option<String>, before: Option<String>) -> Self {
        match (after.filter(|s| !s.is_empty()), before.filter(|s| !s.is_empty())) {
            (Some(a), _) => Cursor::After(a),
            (None, Some(b)) => Cursor::Before(b),
            _ => Cursor::First,
        }
    }
}
