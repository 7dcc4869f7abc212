use serde::{Deserialize, Serialize};

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
