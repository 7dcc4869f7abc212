use serde::Serialize;

use super::audit::{actions, event, Change};
use super::{Actor, ServiceResult, Services};
use crate::auth::secrets::new_id;
use crate::domain::users::{Email, User};
use crate::domain::workspaces::{Workspace, WorkspaceInput};

#[derive(Debug, Clone, Copy, Serialize)]
pub struct DemoSize {
    pub users: usize,
    pub workspaces: usize,
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

/// A small deterministic generator: demo data is the same for the same size.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % bound as u64) as usize
    }
}

impl Services {
    /// Adds `size` realistic users and workspaces with grants in one transaction and one audit
    /// event. Names get a run-unique suffix so loading twice adds more instead of failing.
    pub async fn load_demo_data(&self, actor: &Actor, size: DemoSize) -> ServiceResult<()> {
        actor.require_write()?;
        let now = self.now();
        let run = &new_id()[..6];
        let mut rng = Lcg(size.users as u64 ^ 0x5eed);
        let mut tx = self.store.write().await?;
        let mut workspace_ids = Vec::with_capacity(size.workspaces);
        for i in 0..size.workspaces {
            let name = format!("{} {} {} {run}", AREAS[i % AREAS.len()], KINDS[(i / AREAS.len()) % KINDS.len()], i + 1);
            let input = WorkspaceInput { name, description: "Demo workspace".into() };
            let ws = Workspace::new(new_id(), input, None, now);
            tx.insert_workspace(&ws).await?;
            workspace_ids.push(ws.id);
        }
        for i in 0..size.users {
            let given = GIVEN[rng.next(GIVEN.len())];
            let family = FAMILY[rng.next(FAMILY.len())];
            let user_name = format!("{}.{}{}.{run}@example.com", given.to_lowercase(), family.to_lowercase(), i + 1);
            let user = User {
                id: new_id(),
                user_name: user_name.clone(),
                external_id: Some(format!("E{run}{:07}", i + 1)),
                given_name: given.into(),
                family_name: family.into(),
                display_name: format!("{given} {family}"),
                email: user_name.clone(),
                active: rng.next(10) != 0,
                created: now,
                last_modified: now,
                version: 1,
                emails: vec![Email { value: user_name, kind: Some("work".into()), primary: true, display: None }],
                extra: Default::default(),
            };
            tx.insert_user(&user).await?;
            if !workspace_ids.is_empty() {
                let grants = rng.next(4.min(workspace_ids.len()) + 1);
                let start = rng.next(workspace_ids.len());
                for g in 0..grants {
                    let ws = &workspace_ids[(start + g) % workspace_ids.len()];
                    tx.insert_grant(&user.id, ws, &actor.name, now).await?;
                }
            }
        }
        let change = Change { action: actions::DEMO_DATA_LOAD, target_kind: "store", target_id: "demo", target_name: "demo data" };
        tx.append_audit(&event(actor, change, None::<&DemoSize>, Some(&size), now)).await?;
        tx.commit().await?;
        self.store.optimize().await?;
        Ok(())
    }
}
