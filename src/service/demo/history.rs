//! A year of demo history: the creation of every workspace and user, then changes through both
//! doors (identity providers over SCIM, administrators in the console) spread over the year.
//! The changes are played forward on the demo users, so the trail ends in the state loaded and
//! point-in-time reports rebuilt from it agree with the store.

use serde_json::{json, Map, Value};

use super::{DemoUser, Lcg, YEAR_MS};
use crate::domain::audit::actions;
use crate::domain::workspaces::Workspace;
use crate::service::audit::{event, Change};
use crate::service::users::snapshot;
use crate::service::{Actor, ActorKind, Door, ServiceResult};
use crate::domain::admins::Role;
use crate::storage::{AuditEvent, WriteTx};

/// Events written per statement batch.
const BATCH: usize = 500;

/// Who makes the demo changes: two identity providers and two administrators.
const ACTORS: [(ActorKind, &str, &str); 4] = [
    (ActorKind::ScimCredential, "demo-okta", "Okta (demo)"),
    (ActorKind::ScimCredential, "demo-entra", "Entra ID (demo)"),
    (ActorKind::Admin, "demo-alice", "alice (demo)"),
    (ActorKind::Admin, "demo-bob", "bob (demo)"),
];

struct Writer<'a> {
    tx: &'a mut WriteTx,
    pending: Vec<AuditEvent>,
    run: &'a str,
    count: usize,
}

impl Writer<'_> {
    fn actor(&mut self, which: usize) -> Actor {
        let (kind, id, name) = ACTORS[which];
        self.count += 1;
        Actor {
            kind,
            id: format!("{id}-{}", self.run),
            name: name.into(),
            role: Role::SecurityAdmin,
            door: if kind == ActorKind::Admin { Door::Console } else { Door::Scim },
            // Each change its own request, as each SCIM call or console action is.
            request_id: format!("demo-{}-{}", self.run, self.count),
            must_change_password: false,
            policy: None,
            batch: None,
        }
    }

    async fn push(&mut self, event: AuditEvent) -> ServiceResult<()> {
        self.pending.push(event);
        if self.pending.len() >= BATCH {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> ServiceResult<()> {
        self.tx.append_audit_batch(&self.pending).await?;
        self.pending.clear();
        Ok(())
    }
}

fn link(ws: &Workspace) -> Value {
    json!({"id": ws.id, "name": ws.name})
}

/// Writes the history and leaves `users` in the state it ends in.
#[allow(clippy::too_many_arguments)]
pub(super) async fn record(
    tx: &mut WriteTx,
    users: &mut [DemoUser],
    workspaces: &[Workspace],
    rng: &mut Lcg,
    run: &str,
    start: i64,
    now: i64,
    changes: usize,
) -> ServiceResult<()> {
    let mut w = Writer { tx, pending: Vec::with_capacity(BATCH), run, count: 0 };
    for ws in workspaces {
        let actor = w.actor(2);
        let change = Change { action: actions::WORKSPACE_CREATE, target_kind: "workspace", target_id: &ws.id, target_name: &ws.name };
        w.push(event(&actor, change, None::<&Value>, Some(ws), start)).await?;
    }
    for demo in users.iter() {
        let actor = w.actor(rng.next(2));
        let held: Vec<_> = demo.grants.keys().map(|i| crate::domain::workspaces::WorkspaceLink { id: workspaces[*i].id.clone(), name: workspaces[*i].name.clone() }).collect();
        let mut parts = vec![actions::USER_CREATE];
        if !demo.user.active {
            parts.push(actions::USER_DEACTIVATE);
        }
        let action = parts.join("+");
        let change = Change { action: &action, target_kind: "user", target_id: &demo.user.id, target_name: &demo.user.user_name };
        w.push(event(&actor, change, None::<&Value>, Some(&snapshot(&demo.user, &held)), demo.user.created)).await?;
    }
    if users.is_empty() {
        return w.flush().await;
    }
    // Changes start once everyone has arrived, a tenth into the year, and end an hour ago.
    let first = start + YEAR_MS / 10;
    let span = (now - 3_600_000 - first).max(1);
    for k in 0..changes {
        let at = first + (k as i64 * span) / changes.max(1) as i64;
        let who = match rng.next(10) {
            0..=5 => 0,
            6 | 7 => 1,
            8 => 2,
            _ => 3,
        };
        let actor = w.actor(who);
        let roll = rng.next(100);
        if roll < 15 && !workspaces.is_empty() {
            // An identity provider's group push: a few members in, a few out.
            let wi = rng.next(workspaces.len());
            let ws = &workspaces[wi];
            let (mut granted, mut revoked) = (Vec::new(), Vec::new());
            for _ in 0..=rng.next(3) {
                let demo = &mut users[rng.next(users.len())];
                let entry = json!({"id": demo.user.id, "user_name": demo.user.user_name});
                if demo.grants.remove(&wi).is_some() {
                    revoked.push(entry);
                } else {
                    demo.grants.insert(wi, (at, actor.name.clone()));
                    granted.push(entry);
                }
                demo.user.last_modified = at;
                demo.user.version += 1;
            }
            let mut after = Map::new();
            if !granted.is_empty() {
                after.insert("granted".into(), Value::Array(granted.clone()));
            }
            if !revoked.is_empty() {
                after.insert("revoked".into(), Value::Array(revoked.clone()));
            }
            let action = actions::for_workspace_change(false, !granted.is_empty(), !revoked.is_empty());
            let change = Change { action: &action, target_kind: "workspace", target_id: &ws.id, target_name: &ws.name };
            w.push(event(&actor, change, Some(&json!({})), Some(&Value::Object(after)), at)).await?;
            continue;
        }
        let demo = &mut users[rng.next(users.len())];
        let (action, before, after) = if roll < 50 && !workspaces.is_empty() {
            let wi = rng.next(workspaces.len());
            if demo.grants.remove(&wi).is_some() {
                (actions::ACCESS_REVOKE, json!({}), json!({"revoked": [link(&workspaces[wi])]}))
            } else {
                demo.grants.insert(wi, (at, actor.name.clone()));
                (actions::ACCESS_GRANT, json!({}), json!({"granted": [link(&workspaces[wi])]}))
            }
        } else if roll < 85 {
            demo.user.active = !demo.user.active;
            let action = if demo.user.active { actions::USER_ACTIVATE } else { actions::USER_DEACTIVATE };
            (action, json!({"active": !demo.user.active}), json!({"active": demo.user.active}))
        } else {
            let plain = format!("{} {}", demo.user.given_name, demo.user.family_name);
            let old = std::mem::take(&mut demo.user.display_name);
            demo.user.display_name = if old == plain { format!("{plain} (contractor)") } else { plain };
            (actions::USER_UPDATE, json!({"display_name": old}), json!({"display_name": demo.user.display_name}))
        };
        demo.user.last_modified = at;
        demo.user.version += 1;
        let change = Change { action, target_kind: "user", target_id: &demo.user.id, target_name: &demo.user.user_name };
        w.push(event(&actor, change, Some(&before), Some(&after), at)).await?;
    }
    w.flush().await
}
