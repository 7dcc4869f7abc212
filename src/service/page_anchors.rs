//! Where SCIM's unfiltered pages start. An identity provider reading every user asks for
//! `startIndex=50001&count=100`: read with OFFSET, that walks 50,000 index entries first, so a
//! page cost as much as the users before it. Every hundredth user name in order, kept here,
//! lets a page start at the nearest kept name at or before it and walk at most 99 entries.
//!
//! The names are read again when a user is created, deleted or renamed through this instance
//! (it forgets them after the write commits, so a read that overlapped it is not kept), and
//! otherwise once they are older than ten times what reading them took (a second at least;
//! about 5 s at 1,000,000 users), kept in use while they are checked (below) or read again: a
//! user created on another instance (or by the command line) shifts later pages by one for
//! that long, as it would between two page requests anyway (RFC 7644 §3.4.2.4 promises no
//! consistency across pages). At 1,000,000 users a second's freshness had requests walking
//! (250 ms a page) most of the time, while the names were read again and again.
//!
//! With no names kept (after a start, or a reordering here), one request reads them and the
//! others wait for that read rather than walk: at 1,000,000 users the read takes about 0.45 s,
//! while sixteen requests walking deep at once took seconds each.
//!
//! Stale names are first checked instead of read again: when the number of users and the
//! latest change to any user (`UsersOrder`, one indexed lookup) are what they were when the
//! names were read, they are kept fresh again. An identity provider paging through a quiet
//! store so costs one lookup where it cost reading every user once a second (at 100,000 users,
//! 50 ms a second; at 1,000,000, 450 ms every 4.5 s). The check can miss a rename, or a
//! creation paired with a deletion, made elsewhere: a change is stamped before it waits for the
//! write lock, so one made on another instance (or by the command line) can commit after a
//! later-stamped change, and another instance's clock may lag. Names are therefore renewed only
//! within `RENEWED_AT_MOST` of their last read in full: such a change shifts deep pages by one
//! for at most that plus their freshness (11 s, 15 s at 1,000,000 users, against one to five
//! before the check), which RFC 7644 allows between pages. Changes made here are never missed
//! (`users_reordered`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

/// One kept name every `STEP` users.
pub(crate) const STEP: usize = 100;
/// Offsets below this are walked: reading the names would cost more than it saves.
pub(crate) const WORTH_IT_FROM: usize = 1_000;
const FRESH_FOR: Duration = Duration::from_secs(1);
/// Names are fresh for this many times what reading them took, if that is longer.
const FRESH_PER_READ: u32 = 10;
/// A request waits for another's read of the names three times what the last read took (this
/// long before any read, and at most), then walks: a store whose names take longer to read than
/// a deep page takes to walk is walked, as before there was any waiting.
const WAIT_FOR_READ_AT_MOST: Duration = Duration::from_secs(5);
const WAIT_PER_READ: u32 = 3;
/// Reading the names walks every user: at most once in this long, so that users created while
/// an identity provider pages deep do not make each page read them (pages walk meanwhile).
const READ_AT_MOST_EVERY: Duration = Duration::from_secs(1);
/// Names checked unchanged are kept this long after they were read, at most: at 1,000,000
/// users a read every 10 s is a twentieth of a core, where one every 4.5 s was a tenth.
const RENEWED_AT_MOST: Duration = Duration::from_secs(10);

/// What changes when any user is created, deleted or renamed: how many users there are, and the
/// latest change to any of them (milliseconds).
pub type UsersOrder = (i64, i64);

pub(crate) struct PageAnchors {
    state: Mutex<State>,
    /// One reader of the names at a time; the others wait for it (`read_under_way`).
    reading: AtomicBool,
    /// How many reads have ended (kept, failed or dropped), for requests waiting on one.
    reads_ended: watch::Sender<u64>,
}

impl Default for PageAnchors {
    fn default() -> Self {
        PageAnchors { state: Mutex::default(), reading: AtomicBool::default(), reads_ended: watch::Sender::new(0) }
    }
}

#[derive(Default)]
struct State {
    generation: u64,
    kept: Option<Kept>,
    last_read: Option<Instant>,
    /// How long the last read that ended took.
    last_read_took: Option<Duration>,
}

struct Kept {
    /// When the names were last read or found unchanged: they are fresh `fresh_for` from then.
    read_from: Instant,
    /// When the names were read.
    read_whole_from: Instant,
    /// How long the names count as fresh (see `FRESH_PER_READ`).
    fresh_for: Duration,
    generation: u64,
    /// The users' order as it was before the names were read (None: it could not be read).
    order: Option<UsersOrder>,
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
    /// The users' order the kept names were read with, when they may be kept fresh again
    /// instead of read (see `renew`): names of this instance's current order, read less than
    /// `RENEWED_AT_MOST` ago.
    pub fn renewable(&self) -> Option<UsersOrder> {
        let state = self.anchors.state();
        let kept = state.kept.as_ref().filter(|k| k.generation == self.generation && k.read_whole_from.elapsed() < RENEWED_AT_MOST)?;
        kept.order
    }

    /// Keeps the kept names fresh again from `checked_from`, when the users' order was found as
    /// `renewable` said (read after `start_reading`), unless users were reordered here meanwhile.
    pub fn renew(self, checked_from: Instant) {
        let mut state = self.anchors.state();
        let generation = state.generation;
        if let Some(kept) = state.kept.as_mut().filter(|k| k.generation == generation && generation == self.generation) {
            kept.read_from = checked_from;
        }
    }

    /// Keeps names read since `start_reading` (None: the read failed), with the users' order
    /// read before them, unless users were reordered here meanwhile.
    pub fn finish(self, read_from: Instant, keys: Option<Vec<String>>, order: Option<UsersOrder>) {
        let took = read_from.elapsed();
        let mut state = self.anchors.state();
        state.last_read_took = Some(took);
        if let Some(keys) = keys.filter(|_| state.generation == self.generation) {
            let fresh_for = FRESH_FOR.max(took * FRESH_PER_READ);
            state.kept = Some(Kept { read_from, read_whole_from: read_from, fresh_for, generation: self.generation, order, keys: Arc::new(keys) });
        }
    }
}

impl Drop for Reading<'_> {
    fn drop(&mut self) {
        self.anchors.reading.store(false, Ordering::Release);
        self.anchors.reads_ended.send_modify(|ended| *ended += 1);
    }
}

impl PageAnchors {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The anchor for a page at `offset`, if fresh names are kept, or names that were fresh when
    /// a read of new ones began and no user was reordered here since.
    pub fn anchor(&self, offset: usize) -> Option<Anchor> {
        let state = self.state();
        let being_read = self.reading.load(Ordering::Acquire);
        let kept = state.kept.as_ref().filter(|k| {
            let fresh_for = if being_read { k.fresh_for * 2 } else { k.fresh_for };
            k.generation == state.generation && k.read_from.elapsed() < fresh_for
        })?;
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

    /// How long to wait for a read under way (see `WAIT_PER_READ`).
    pub fn wait_for_read(&self) -> Duration {
        self.state().last_read_took.map_or(WAIT_FOR_READ_AT_MOST, |took| (took * WAIT_PER_READ).min(WAIT_FOR_READ_AT_MOST))
    }

    /// While another request reads the names: what changes when that read ends (kept or not).
    pub fn read_under_way(&self) -> Option<watch::Receiver<u64>> {
        // Subscribed before looking, so a read ending in between still shows as a change.
        let ended = self.reads_ended.subscribe();
        self.reading.load(Ordering::Acquire).then_some(ended)
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
        reading.finish(Instant::now(), Some(keys(10)), None);
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
    fn a_read_under_way_says_when_it_ends_kept_or_dropped() {
        let anchors = PageAnchors::default();
        assert!(anchors.read_under_way().is_none());
        let reading = anchors.start_reading().unwrap();
        let ended = anchors.read_under_way().expect("a read is under way");
        assert!(!ended.has_changed().unwrap());
        assert_eq!(anchors.wait_for_read(), WAIT_FOR_READ_AT_MOST, "before any read");
        reading.finish(Instant::now() - Duration::from_millis(200), Some(keys(10)), None);
        assert!(ended.has_changed().unwrap());
        assert!((600..700).contains(&anchors.wait_for_read().as_millis()), "three times the last read");
        assert!(anchors.read_under_way().is_none());
        let reading = long_after(&anchors).start_reading().unwrap();
        let ended = anchors.read_under_way().unwrap();
        drop(reading);
        assert!(ended.has_changed().unwrap(), "a dropped read ends too");
    }

    #[test]
    fn names_read_across_a_reordering_or_a_second_ago_are_not_used() {
        let anchors = PageAnchors::default();
        let reading = anchors.start_reading().unwrap();
        anchors.users_reordered();
        reading.finish(Instant::now(), Some(keys(10)), None);
        assert_eq!(anchors.anchor(250), None);
        let reading = long_after(&anchors).start_reading().unwrap();
        reading.finish(Instant::now(), Some(keys(10)), None);
        assert!(anchors.anchor(250).is_some());
        read_ago(&anchors, FRESH_FOR);
        assert_eq!(anchors.anchor(250), None);
        drop(long_after(&anchors).start_reading().unwrap());
        assert!(long_after(&anchors).start_reading().is_some(), "a dropped read lets the next one read");
    }

    /// As if the kept names had been read `ago`.
    fn read_ago(anchors: &PageAnchors, ago: Duration) {
        anchors.state().kept.as_mut().unwrap().read_from = Instant::now() - ago;
    }

    #[test]
    fn names_found_unchanged_are_kept_fresh_again_until_ten_seconds_after_their_read() {
        let anchors = PageAnchors::default();
        let order = Some((10, 1_000));
        anchors.start_reading().unwrap().finish(Instant::now(), Some(keys(10)), order);
        read_ago(&anchors, FRESH_FOR);
        assert_eq!(anchors.anchor(250), None, "stale");
        let reading = long_after(&anchors).start_reading().unwrap();
        assert_eq!(reading.renewable(), order);
        reading.renew(Instant::now());
        assert_eq!(anchors.anchor(250), Some(Anchor { key: "k00002".into(), position: 200 }), "fresh again");

        // Read that long ago: read again, whatever the order says.
        anchors.state().kept.as_mut().unwrap().read_whole_from = Instant::now().checked_sub(RENEWED_AT_MOST).expect("a clock older than that");
        read_ago(&anchors, FRESH_FOR);
        assert_eq!(long_after(&anchors).start_reading().unwrap().renewable(), None);

        // Names read without the order are read again too.
        long_after(&anchors).start_reading().unwrap().finish(Instant::now(), Some(keys(10)), None);
        read_ago(&anchors, FRESH_FOR);
        assert_eq!(long_after(&anchors).start_reading().unwrap().renewable(), None);

        // A reordering here while the order is checked: the names are not renewed.
        long_after(&anchors).start_reading().unwrap().finish(Instant::now(), Some(keys(10)), order);
        read_ago(&anchors, FRESH_FOR);
        let reading = long_after(&anchors).start_reading().unwrap();
        anchors.users_reordered();
        assert_eq!(reading.renewable(), None);
        reading.renew(Instant::now());
        assert_eq!(anchors.anchor(250), None);
    }

    #[test]
    fn names_slow_to_read_stay_fresh_longer_and_serve_while_read_again() {
        let anchors = PageAnchors::default();
        let reading = anchors.start_reading().unwrap();
        // A read that took 300 ms: fresh for 3 s.
        reading.finish(Instant::now() - Duration::from_millis(300), Some(keys(10)), None);
        read_ago(&anchors, Duration::from_secs(2));
        assert_eq!(anchors.anchor(250), Some(Anchor { key: "k00002".into(), position: 200 }));
        read_ago(&anchors, Duration::from_secs(4));
        assert_eq!(anchors.anchor(250), None, "stale");
        let reading = long_after(&anchors).start_reading().unwrap();
        assert!(anchors.anchor(250).is_some(), "the stale names serve while new ones are read");
        drop(reading);
        assert_eq!(anchors.anchor(250), None);
        anchors.users_reordered();
        let _reading = long_after(&anchors).start_reading().unwrap();
        assert_eq!(anchors.anchor(250), None, "never across a reordering here");
    }
}
