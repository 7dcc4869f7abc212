//! Where SCIM's unfiltered pages start. An identity provider reading every user asks for
//! `startIndex=50001&count=100`: read with OFFSET, that walks 50,000 index entries first, so a
//! page cost as much as the users before it. Every hundredth user name in order, kept here,
//! lets a page start at the nearest kept name at or before it and walk at most 99 entries.
//!
//! The names are read again when a user is created, deleted or renamed through this instance
//! (it forgets them after the write commits, so a read that overlapped it is not kept), and
//! otherwise at most a second after they were read: a user created on another instance (or by
//! the command line) shifts later pages by one for up to a second, as it would between two
//! page requests anyway (RFC 7644 §3.4.2.4 promises no consistency across pages).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One kept name every `STEP` users.
pub(crate) const STEP: usize = 100;
/// Offsets below this are walked: reading the names would cost more than it saves.
pub(crate) const WORTH_IT_FROM: usize = 1_000;
const FRESH_FOR: Duration = Duration::from_secs(1);
/// Reading the names walks every user: at most once in this long, so that users created while
/// an identity provider pages deep do not make each page read them (pages walk meanwhile).
const READ_AT_MOST_EVERY: Duration = Duration::from_secs(1);

#[derive(Default)]
pub(crate) struct PageAnchors {
    state: Mutex<State>,
    /// One reader of the names at a time; the others walk meanwhile.
    reading: AtomicBool,
}

#[derive(Default)]
struct State {
    generation: u64,
    kept: Option<Kept>,
    last_read: Option<Instant>,
}

struct Kept {
    read_from: Instant,
    generation: u64,
    /// The user name key of users 0, STEP, 2 * STEP, ... in user-name order.
    keys: Arc<Vec<String>>,
}

/// The key of the user at `position` (0-based, user-name order), at or before the asked offset.
#[derive(Debug, Clone, PartialEq)]
pub struct Anchor {
    pub key: String,
    pub position: usize,
}

/// The one read of fresh names under way; dropped unfinished (its request cancelled), it lets
/// the next request read them.
pub(crate) struct Reading<'a> {
    anchors: &'a PageAnchors,
    generation: u64,
}

impl Reading<'_> {
    /// Keeps names read since `start_reading` (None: the read failed), unless users were
    /// reordered meanwhile.
    pub fn finish(self, read_from: Instant, keys: Option<Vec<String>>) {
        let mut state = self.anchors.state();
        if let Some(keys) = keys.filter(|_| state.generation == self.generation) {
            state.kept = Some(Kept { read_from, generation: self.generation, keys: Arc::new(keys) });
        }
    }
}

impl Drop for Reading<'_> {
    fn drop(&mut self) {
        self.anchors.reading.store(false, Ordering::Release);
    }
}

impl PageAnchors {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The anchor for a page at `offset`, if fresh names are kept.
    pub fn anchor(&self, offset: usize) -> Option<Anchor> {
        let state = self.state();
        let kept = state.kept.as_ref().filter(|k| k.generation == state.generation && k.read_from.elapsed() < FRESH_FOR)?;
        let index = (offset / STEP).min(kept.keys.len().checked_sub(1)?);
        Some(Anchor { key: kept.keys[index].clone(), position: index * STEP })
    }

    /// Claims the reading of fresh names; None while another request reads them, or when the
    /// last read began less than a second ago.
    pub fn start_reading(&self) -> Option<Reading<'_>> {
        if self.reading.swap(true, Ordering::AcqRel) {
            return None;
        }
        // From here on, dropping `reading` (returning None included) gives the claim back.
        let mut reading = Reading { anchors: self, generation: 0 };
        let mut state = self.state();
        if state.last_read.is_some_and(|at| at.elapsed() < READ_AT_MOST_EVERY) {
            return None;
        }
        state.last_read = Some(Instant::now());
        reading.generation = state.generation;
        drop(state);
        Some(reading)
    }

    /// A user was created, deleted or renamed here: the kept names no longer say where pages start.
    pub fn users_reordered(&self) {
        let mut state = self.state();
        state.generation += 1;
        state.kept = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As if the last read began long ago.
    fn long_after(anchors: &PageAnchors) -> &PageAnchors {
        anchors.state().last_read = None;
        anchors
    }

    fn keys(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("k{i:05}")).collect()
    }

    #[test]
    fn a_page_starts_at_the_kept_name_at_or_before_it() {
        let anchors = PageAnchors::default();
        assert_eq!(anchors.anchor(5_000), None);
        let reading = anchors.start_reading().unwrap();
        assert!(long_after(&anchors).start_reading().is_none(), "one reader at a time");
        reading.finish(Instant::now(), Some(keys(10)));
        assert_eq!(anchors.anchor(0), Some(Anchor { key: "k00000".into(), position: 0 }));
        assert_eq!(anchors.anchor(250), Some(Anchor { key: "k00002".into(), position: 200 }));
        assert_eq!(anchors.anchor(99_999), Some(Anchor { key: "k00009".into(), position: 900 }), "past the end: the last kept");
        anchors.users_reordered();
        assert_eq!(anchors.anchor(250), None);
        drop(long_after(&anchors).start_reading().unwrap());
        assert!(anchors.start_reading().is_none(), "read again a second after the last read at the soonest");
        assert!(long_after(&anchors).start_reading().is_some());
    }

    #[test]
    fn names_read_across_a_reordering_or_a_second_ago_are_not_used() {
        let anchors = PageAnchors::default();
        let reading = anchors.start_reading().unwrap();
        anchors.users_reordered();
        reading.finish(Instant::now(), Some(keys(10)));
        assert_eq!(anchors.anchor(250), None);
        let reading = long_after(&anchors).start_reading().unwrap();
        reading.finish(Instant::now() - FRESH_FOR, Some(keys(10)));
        assert_eq!(anchors.anchor(250), None);
        drop(long_after(&anchors).start_reading().unwrap());
        assert!(long_after(&anchors).start_reading().is_some(), "a dropped read lets the next one read");
    }
}
