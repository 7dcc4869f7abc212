//! Credentials this instance verified in the last second, so that a busy identity provider's
//! requests skip the store's lookup (a query per request held SCIM to a fifth of what the
//! process can serve).
//!
//! A second is how long a revocation or policy change made elsewhere (another instance on the
//! same PostgreSQL database, or the command line) may take to reach this instance. A change
//! made through this instance forgets everything at once, and a lookup that was under way
//! while it happened is not kept, so here a revoked credential stops on its next request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::storage::CredentialRecord;

/// How long a verification is trusted, counted from before the lookup that made it.
const FRESH_FOR: Duration = Duration::from_secs(1);
/// Only verified credentials are kept, so this bounds (username, password) pairs of Basic
/// credentials and bearer tokens in use; past it, stale entries go first, then all.
const MAX_ENTRIES: usize = 1024;

#[derive(Default)]
pub(crate) struct VerifiedCredentials {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Bumped by every forget: a lookup started before it must not be kept.
    generation: u64,
    /// Shared with the requests that use them: a hit costs no copy of the record.
    entries: HashMap<String, (Instant, Arc<CredentialRecord>)>,
}

/// Taken before a lookup, handed back to `remember` with its result.
pub(crate) struct Lookup {
    generation: u64,
    started: Instant,
}

impl VerifiedCredentials {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The credential verified under `key` within the last second.
    pub fn get(&self, key: &str) -> Option<Arc<CredentialRecord>> {
        let state = self.state();
        let (at, record) = state.entries.get(key)?;
        (at.elapsed() < FRESH_FOR).then(|| record.clone())
    }

    pub fn start_lookup(&self) -> Lookup {
        Lookup { generation: self.state().generation, started: Instant::now() }
    }

    /// Keeps a verified (live, matching) credential, unless something was forgotten meanwhile.
    pub fn remember(&self, key: String, record: &Arc<CredentialRecord>, lookup: Lookup) {
        let mut state = self.state();
        if state.generation != lookup.generation {
            return;
        }
        if state.entries.len() >= MAX_ENTRIES {
            state.entries.retain(|_, (at, _)| at.elapsed() < FRESH_FOR);
            if state.entries.len() >= MAX_ENTRIES {
                state.entries.clear();
            }
        }
        state.entries.insert(key, (lookup.started, record.clone()));
    }

    /// Notes the time just recorded as the credential's last use, so the next requests do not
    /// record it again.
    pub fn used(&self, key: &str, at: i64) {
        if let Some((_, record)) = self.state().entries.get_mut(key) {
            Arc::make_mut(record).last_used = Some(at);
        }
    }

    /// Forgets every verification: a credential was revoked or its policy changed.
    pub fn forget_all(&self) {
        let mut state = self.state();
        state.generation += 1;
        state.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> CredentialRecord {
        CredentialRecord {
            id: "c1".into(),
            name: "okta".into(),
            kind: "bearer".into(),
            username: None,
            secret_hash: "h".into(),
            created: 0,
            created_by: "admin".into(),
            last_used: None,
            revoked: None,
            access_policy: String::new(),
            owned_fields: String::new(),
            on_delete: String::new(),
            brake_on: false,
            brake_count: 0,
            brake_percent: 0,
            brake_tripped_at: None,
            brake_allowed_until: None,
        }
    }

    #[test]
    fn a_lookup_that_overlapped_a_forget_is_not_kept() {
        let verified = VerifiedCredentials::default();
        let lookup = verified.start_lookup();
        verified.forget_all();
        verified.remember("k".into(), &Arc::new(record()), lookup);
        assert!(verified.get("k").is_none());
        let lookup = verified.start_lookup();
        verified.remember("k".into(), &Arc::new(record()), lookup);
        assert_eq!(verified.get("k").map(|r| r.id.clone()), Some("c1".into()));
        verified.forget_all();
        assert!(verified.get("k").is_none());
    }

    #[test]
    fn entries_expire_after_a_second() {
        let verified = VerifiedCredentials::default();
        let lookup = Lookup { generation: 0, started: Instant::now() - FRESH_FOR };
        verified.remember("k".into(), &Arc::new(record()), lookup);
        assert!(verified.get("k").is_none());
    }
}
