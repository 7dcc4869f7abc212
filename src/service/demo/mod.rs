//! Demo data: realistic users, workspaces and grants, and optionally a year of history in the
//! audit trail that ends exactly in the state loaded, for trying the console and measuring it.

mod history;

use std::collections::BTreeMap;

use serde::Serialize;

use super::audit::{actions, event, Change};
use super::{Actor, ServiceResult, Services};
use crate::auth::secrets::{new_id, new_ordered_id};
use crate::domain::text::fold_key;
use crate::domain::users::{Email, User};
use crate::domain::workspaces::{Workspace, WorkspaceInput};
use crate::storage::GrantRow;

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct DemoSize {
    pub users: usize,
    pub workspaces: usize,
    /// One more workspace, "All staff", granted to this many of the users (for measuring
    /// membership changes of a large group).
    #[serde(default)]
    pub big_workspace: usize,
    /// Changes to record in the audit trail over the past year, besides one creation event
    /// per user and workspace; 0 records the load as a single event.
    #[serde(default)]
    pub history: usize,
}

const GIVEN: &[&str] = &[
    "Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Radia", "Tim", "Frances", "Edsger",
    "Hedy", "John", "Katherine", "Donald", "Sophie", "Guido", "Shafi", "Leslie", "Anita", "Niklaus", "Karen", "Vint",
];
const FAMILY: &[&str] = &[
    "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Perlman", "Berners-Lee",
    "Allen", "Dijkstra", "Lamarr", "McCarthy", "Johnson", "Knuth", "Wilson", "Rossum", "Goldwasser", "Lamport",
    "Borg", "Wirth", "Jones", "Cerf",
];
const AREAS: &[&str] = &["Finance", "Sales", "Supply Chain", "Workforce", "Marketing", "Operations", "IT", "Legal"];
const KINDS: &[&str] = &["Planning", "Forecast", "Reporting", "Sandbox", "Consolidation", "Budget"];

const YEAR_MS: i64 = 365 * 24 * 3600 * 1000;

/// A small deterministic generator: demo data is the same for the same size.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % bound.max(1) as u64) as usize
    }
}

/// A demo user as the load builds it: its final state and the grants it ends with.
struct DemoUser {
    user: User,
    /// Workspace index -> when and by whom it was granted.
    grants: BTreeMap<usize, (i64, String)>,
}

fn demo_user(i: usize, run: &str, rng: &mut Lcg, created: i64) -> User {
    let given = GIVEN[rng.next(GIVEN.len())];
    let family = FAMILY[rng.next(FAMILY.len())];
    let user_name = format!("{}.{}{}.{run}@example.com", given.to_lowercase(), family.to_lowercase(), i + 1);
    User {
        id: new_ordered_id(),
        user_name: user_name.clone(),
        external_id: Some(format!("E{run}{:07}", i + 1)),
        given_name: given.into(),
        family_name: family.into(),
        display_name: format!("{given} {family}"),
        email: user_name.clone(),
        active: true,
        created,
        last_modified: created,
        version: 1,
        emails: vec![Email { value: user_name, kind: Some("work".into()), primary: true, display: None }],
        extra: Default::default(),
        managed_by: None,
    }
}

impl Services {
    /// Adds `size` realistic users and workspaces with grants in one transaction. Names get a
    /// run-unique suffix so loading twice adds more instead of failing. Without history the
    /// load is one audit event; with it, every user and workspace has its creation event and
    /// `history` changes follow over the past year, ending in the state loaded.
    pub async fn load_demo_data(&self, actor: &Actor, size: DemoSize) -> ServiceResult<()> {
        actor.require_write()?;
        let now = self.now();
        let run = new_id()[..6].to_string();
        let mut rng = Lcg(size.users as u64 ^ 0x5eed);
        let start = if size.history > 0 { now - YEAR_MS } else { now };
        let mut workspaces: Vec<Workspace> = (0..size.workspaces)
            .map(|i| {
                let name = format!("{} {} {} {run}", AREAS[i % AREAS.len()], KINDS[(i / AREAS.len()) % KINDS.len()], i + 1);
                Workspace::new(new_id(), WorkspaceInput { name, description: "Demo workspace".into() }, None, start)
            })
            .collect();
        if size.big_workspace > 0 {
            let input = WorkspaceInput { name: format!("All staff {run}"), description: "Demo workspace everyone is in".into() };
            workspaces.push(Workspace::new(new_id(), input, None, start));
        }
        let mut users: Vec<DemoUser> = (0..size.users)
            .map(|i| {
                // With history, users arrive over the first tenth of the year.
                let created = start + (i as i64) * (YEAR_MS / 10) / (size.users.max(1) as i64) * i64::from(size.history > 0);
                let mut user = demo_user(i, &run, &mut rng, created);
                user.active = rng.next(10) != 0;
                let mut grants = BTreeMap::new();
                if size.workspaces > 0 {
                    let count = rng.next(4.min(size.workspaces) + 1);
                    let first = rng.next(size.workspaces);
                    for g in 0..count {
                        grants.insert((first + g) % size.workspaces, (created, actor.name.clone()));
                    }
                }
                if i < size.big_workspace {
                    grants.insert(workspaces.len() - 1, (created, actor.name.clone()));
                }
                DemoUser { user, grants }
            })
            .collect();

        let mut tx = self.store.write().await?;
        for ws in &workspaces {
            tx.insert_workspace(ws).await?;
        }
        if size.history > 0 {
            history::record(&mut tx, &mut users, &workspaces, &mut rng, &run, start, now, size.history).await?;
        }
        // In user-name order: the indexes kept in that order (user names, status, the search
        // terms, one run of entries per term) then grow at a few places the page cache holds,
        // instead of at random places all over a store larger than the cache.
        let mut loading: Vec<&User> = users.iter().map(|d| &d.user).collect();
        loading.sort_by_cached_key(|u| fold_key(&u.user_name));
        for user in loading {
            tx.insert_user(user).await?;
        }
        let grants: Vec<GrantRow> = users
            .iter()
            .flat_map(|d| {
                d.grants.iter().map(|(w, (at, by))| GrantRow {
                    user_id: d.user.id.clone(),
                    user_name: d.user.user_name.clone(),
                    workspace_id: workspaces[*w].id.clone(),
                    granted_at: *at,
                    granted_by: by.clone(),
                })
            })
            .collect();
        tx.load_grants(&grants).await?;
        let change = Change { action: actions::DEMO_DATA_LOAD, target_kind: "store", target_id: "demo", target_name: "demo data" };
        tx.append_audit(&event(actor, change, None::<&DemoSize>, Some(&size), now)).await?;
        tx.commit().await?;
        self.anchors.users_reordered();
        self.store.optimize().await?;
        Ok(())
    }
}
