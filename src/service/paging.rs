use super::{ServiceError, ServiceResult};
use crate::domain::paging::{Cursor, Page};

/// A position in a list ordered by time (the audit trail, the provisioning log) as a link
/// carries it: refused as bad input when it is not one, rather than failing in the store.
pub fn check_time_cursor(cursor: &Cursor) -> ServiceResult<()> {
    match cursor {
        Cursor::After(key) | Cursor::Before(key) if crate::storage::parse_time_key(key).is_err() => {
            Err(ServiceError::invalid("", "This page's position in the list is not valid; start again from the first page."))
        }
        _ => Ok(()),
    }
}

/// Builds a page from rows fetched with `limit + 1` (the extra row says whether more exist),
/// each with its sort key, in display order.
pub fn page_of<T>(mut rows: Vec<(String, T)>, cursor: &Cursor, limit: usize) -> Page<T> {
    let more = rows.len() > limit;
    if more {
        match cursor {
            Cursor::Before(_) => {
                rows.remove(0);
            }
            _ => {
                rows.truncate(limit);
            }
        }
    }
    let first = rows.first().map(|(k, _)| k.clone());
    let last = rows.last().map(|(k, _)| k.clone());
    let (next, prev) = match cursor {
        Cursor::First => (if more { last } else { None }, None),
        Cursor::After(_) => (if more { last } else { None }, first),
        Cursor::Before(_) => (last, if more { first } else { None }),
    };
    Page { rows: rows.into_iter().map(|(_, t)| t).collect(), next, prev }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(keys: &[&str]) -> Vec<(String, ())> {
        keys.iter().map(|k| (k.to_string(), ())).collect()
    }

    #[test]
    fn first_page_with_more_rows_links_only_forward() {
        let page = page_of(rows(&["a", "b", "c"]), &Cursor::First, 2);
        assert_eq!(page.rows.len(), 2);
        assert_eq!(page.next.as_deref(), Some("b"));
        assert_eq!(page.prev, None);
    }

    #[test]
    fn last_page_links_only_back() {
        let page = page_of(rows(&["c", "d"]), &Cursor::After("b".into()), 2);
        assert_eq!(page.next, None);
        assert_eq!(page.prev.as_deref(), Some("c"));
    }

    #[test]
    fn paging_back_drops_the_extra_row_at_the_front() {
        let page = page_of(rows(&["a", "b", "c"]), &Cursor::Before("d".into()), 2);
        assert_eq!(page.rows.len(), 2);
        assert_eq!(page.prev.as_deref(), Some("b"));
        assert_eq!(page.next.as_deref(), Some("c"));
    }
}
