//! The one write path for an existing user, whichever door asks: the console's forms, a SCIM
//! PUT or PATCH, a bulk action. A door describes the change; this module checks it against the
//! current state, writes only what differs, and records one audit event naming what changed.
//!
//! Everything that costs (validation, a PATCH applied to the representation, workspace look-ups)
//! happens before the write lock is taken, against a snapshot; the transaction then writes
//! only over the version the snapshot had (otherwise it plans again, a bounded number of
//! times). Under the lock there are only the writes themselves.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value};

use super::super::audit::{actions, event, Change};
use super::super::brake::Removal;
use super::super::{Actor, ActorKind, ServiceError, ServiceResult, Services};
use super::{check_version, user_name_taken, UserWithAccess};
use crate::domain::users::{check_addresses_and_extra, Email, User, UserInput};
use crate::domain::workspaces::WorkspaceLink;
use crate::storage::{StoreError, WriteTx};

/// A workspace named by id or by name (Anaplan's WORKSPACE_IDS / WORKSPACE_NAMES).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkspaceRef {
    Id(String),
    Name(String),
}

/// The most workspaces one change may name: far more than anyone holds, few enough that a
/// request cannot make the server look up millions.
pub const MAX_WORKSPACE_REFS: usize = 1000;

/// New profile values.
#[derive(Debug, Clone, PartialEq)]
pub enum ProfileUpdate {
    /// The console's form: its one address replaces the primary one, the others stay.
    Form(UserInput),
    /// An identity provider's whole user: every address and the attributes without columns.
    Whole { input: UserInput, emails: Vec<Email>, extra: Map<String, Value> },
}

/// Workspaces to grant and revoke, or the whole set to hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccessChange {
    pub grant: Vec<WorkspaceRef>,
    pub revoke: Vec<WorkspaceRef>,
    /// Every workspace the user may enter afterwards; all others are revoked.
    pub exactly: Option<Vec<WorkspaceRef>>,
}

impl AccessChange {
    fn refs(&self) -> impl Iterator<Item = &WorkspaceRef> {
        self.grant.iter().chain(&self.revoke).chain(self.exactly.iter().flatten())
    }
}

/// What a door asks to change about one user. Empty parts change nothing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UserChange {
    pub profile: Option<ProfileUpdate>,
    pub active: Option<bool>,
    pub access: AccessChange,
    pub intent: Intent,
}

/// Why a change is made, where that changes the rules.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Intent {
    #[default]
    Edit,
    /// The console's "change anyway": fields an identity provider owns may change too.
    Override,
    /// An identity provider's DELETE that deactivates and keeps the user.
    Deprovision,
}

impl UserChange {
    /// Deactivation as deprovisioning (a DELETE that keeps the user).
    pub fn deprovision() -> Self {
        UserChange { active: Some(false), intent: Intent::Deprovision, ..Default::default() }
    }
}

/// What a change does to the stored user: the new field values, which fields differ, and the
/// grants to add and remove.
pub(super) struct Plan {
    pub after: User,
    pub fields: Vec<&'static str>,
    pub grant: Vec<WorkspaceLink>,
    pub revoke: Vec<WorkspaceLink>,
    /// The identity provider this change came from that the user was not yet provisioned by.
    pub claims: bool,
    /// The identity provider whose fields the console changed anyway.
    pub overrides: Option<String>,
}

impl Plan {
    fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.grant.is_empty() && self.revoke.is_empty()
    }

    /// Whether a field the users list searches by changed (only then are search terms rewritten).
    fn searchable_changed(&self) -> bool {
        self.fields.iter().any(|f| SEARCHED.contains(f))
    }
}

const SEARCHED: &[&str] = &["user_name", "given_name", "family_name", "display_name", "email", "external_id"];

/// Applies profile and status onto a copy of `user`, validating as it goes.
pub(crate) fn apply_fields(user: &User, change: &UserChange) -> ServiceResult<User> {
    let mut after = user.clone();
    match &change.profile {
        None => {}
        Some(ProfileUpdate::Form(input)) => {
            let email = after.set_names(input.validate()?);
            after.set_email(email);
        }
        Some(ProfileUpdate::Whole { input, emails, extra }) => {
            if let Some(bad) = emails.iter().find(|e| e.value.trim().is_empty()) {
                return Err(ServiceError::invalid("emails", format!("An e-mail entry has no value: {bad:?}")));
            }
            check_addresses_and_extra(emails, extra)?;
            let input = UserInput { email: User::primary_email(emails), ..input.clone() };
            after.email = after.set_names(input.validate()?);
            after.emails = emails.clone();
            after.extra = extra.clone();
        }
    }
    if let Some(active) = change.active {
        after.active = active;
    }
    Ok(after)
}

/// The names of the fields that differ between two versions of a user.
pub(crate) fn changed_fields(before: &User, after: &User) -> Vec<&'static str> {
    let mut fields = Vec::new();
    let mut check = |name, differs: bool| {
        if differs {
            fields.push(name);
        }
    };
    check("user_name", before.user_name != after.user_name);
    check("external_id", before.external_id != after.external_id);
    check("given_name", before.given_name != after.given_name);
    check("family_name", before.family_name != after.family_name);
    check("display_name", before.display_name != after.display_name);
    check("email", before.email != after.email);
    check("emails", before.emails != after.emails);
    check("extra", before.extra != after.extra);
    check("active", before.active != after.active);
    fields
}

/// The value of one named field, for the audit trail.
pub(crate) fn field_value(user: &User, field: &str) -> Value {
    match field {
        "user_name" => Value::from(user.user_name.clone()),
        "external_id" => user.external_id.clone().map(Value::from).unwrap_or(Value::Null),
        "given_name" => Value::from(user.given_name.clone()),
        "family_name" => Value::from(user.family_name.clone()),
        "display_name" => Value::from(user.display_name.clone()),
        "email" => Value::from(user.email.clone()),
        "emails" => serde_json::to_value(&user.emails).unwrap_or(Value::Null),
        "extra" => Value::Object(user.extra.clone()),
        "active" => Value::from(user.active),
        _ => Value::Null,
    }
}

fn links(list: &[WorkspaceLink]) -> Value {
    Value::Array(list.iter().map(|w| serde_json::json!({"id": w.id, "name": w.name})).collect())
}

/// The audit record of a plan: before and after hold only what changed; access changes list
/// the workspaces (id and name) granted and revoked.
fn audit_states(before: &User, plan: &Plan) -> (Value, Value) {
    let mut b = Map::new();
    let mut a = Map::new();
    for field in &plan.fields {
        b.insert(field.to_string(), field_value(before, field));
        a.insert(field.to_string(), field_value(&plan.after, field));
    }
    if let Some(provider) = &plan.overrides {
        a.insert("changed_anyway".into(), Value::from(format!("managed by {provider}")));
    }
    if !plan.grant.is_empty() {
        a.insert("granted".into(), links(&plan.grant));
    }
    if !plan.revoke.is_empty() {
        a.insert("revoked".into(), links(&plan.revoke));
    }
    (Value::Object(b), Value::Object(a))
}

/// How many times a write plans again when someone else changed the user between its snapshot
/// and its lock, before it gives up with `Busy`.
const PLAN_ATTEMPTS: usize = 8;

impl Services {
    /// Turns workspace references into workspaces; an unknown one refuses the whole change. An id
    /// among `held` (the user's workspaces as read) is not looked up again: a SCIM PATCH or PUT
    /// names every workspace the user keeps.
    pub(crate) async fn resolve_workspaces(&self, refs: &[&WorkspaceRef], held: &[WorkspaceLink]) -> ServiceResult<BTreeMap<usize, WorkspaceLink>> {
        if refs.len() > MAX_WORKSPACE_REFS {
            return Err(ServiceError::invalid("entitlements", format!("A change may name at most {MAX_WORKSPACE_REFS} workspaces.")));
        }
        let held: HashMap<&str, &WorkspaceLink> = held.iter().map(|w| (w.id.as_str(), w)).collect();
        let ids: Vec<String> = refs
            .iter()
            .filter_map(|r| if let WorkspaceRef::Id(id) = r { Some(id.clone()) } else { None })
            .filter(|id| !held.contains_key(id.as_str()))
            .collect();
        let names: Vec<String> = refs.iter().filter_map(|r| if let WorkspaceRef::Name(n) = r { Some(n.clone()) } else { None }).collect();
        let (by_id, by_name) =
            if ids.is_empty() && names.is_empty() { Default::default() } else { self.store.workspaces_by_ids_and_names(&ids, &names).await? };
        let mut out = BTreeMap::new();
        for (i, r) in refs.iter().enumerate() {
            let found = match r {
                WorkspaceRef::Id(id) => held.get(id.as_str()).copied().or_else(|| by_id.get(id)),
                WorkspaceRef::Name(name) => by_name.get(&crate::domain::text::fold_key(name)),
            };
            match (found, r) {
                (Some(link), _) => {
                    out.insert(i, link.clone());
                }
                (None, WorkspaceRef::Id(id)) => return Err(ServiceError::invalid("entitlements", format!("No workspace has the id {id}."))),
                (None, WorkspaceRef::Name(name)) => return Err(ServiceError::invalid("entitlements", format!("No workspace is named {name}."))),
            }
        }
        Ok(out)
    }

    /// The workspaces a user holds after `access`, given those it holds now.
    pub(super) async fn wanted_workspaces(&self, held: &[WorkspaceLink], access: &AccessChange) -> ServiceResult<(Vec<WorkspaceLink>, Vec<WorkspaceLink>)> {
        let refs: Vec<&WorkspaceRef> = access.refs().collect();
        if refs.is_empty() && access.exactly.is_none() {
            return Ok((Vec::new(), Vec::new()));
        }
        let resolved = if refs.is_empty() { BTreeMap::new() } else { self.resolve_workspaces(&refs, held).await? };
        let link = |i: usize| resolved[&i].clone();
        let (grants, revokes) = (access.grant.len(), access.revoke.len());
        let current: BTreeMap<String, WorkspaceLink> = held.iter().map(|w| (w.id.clone(), w.clone())).collect();
        let mut wanted: BTreeMap<String, WorkspaceLink> = match &access.exactly {
            Some(all) => (0..all.len()).map(|i| link(grants + revokes + i)).map(|w| (w.id.clone(), w)).collect(),
            None => current.clone(),
        };
        for w in (0..grants).map(link) {
            wanted.insert(w.id.clone(), w);
        }
        for w in (grants..grants + revokes).map(link) {
            wanted.remove(&w.id);
        }
        let grant = wanted.values().filter(|w| !current.contains_key(&w.id)).cloned().collect();
        let revoke = current.values().filter(|w| !wanted.contains_key(&w.id)).cloned().collect();
        Ok((grant, revoke))
    }

    /// Changes one user with what `edit` makes of its current state (with its workspaces). `edit`
    /// may run more than once (once per plan) and may refuse with an error of the caller's own
    /// kind. A change that changes nothing writes nothing.
    pub async fn change_user<E: From<ServiceError>>(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: Option<i64>,
        edit: impl Fn(&UserWithAccess) -> Result<UserChange, E>,
    ) -> Result<UserWithAccess, E> {
        actor.require_write()?;
        for _ in 0..PLAN_ATTEMPTS {
            let current = self.user_with_access(actor, id).await?;
            check_version("user", id, expected_version, current.user.version)?;
            let mut change = edit(&current)?;
            if let Some(policy) = &actor.policy {
                change = super::ownership::shape(policy, &current.user, change);
            }
            let mut after = apply_fields(&current.user, &change)?;
            let (grant, revoke) = self.wanted_workspaces(&current.workspaces, &change.access).await?;
            let claims = actor.kind == ActorKind::ScimCredential && current.user.managed_by.as_deref() != Some(actor.id.as_str());
            if claims {
                after.managed_by = Some(actor.id.clone());
            }
            let mut plan = Plan { fields: changed_fields(&current.user, &after), after, grant, revoke, claims, overrides: None };
            if plan.is_empty() {
                return Ok(current);
            }
            plan.overrides = self.check_managed(actor, &current, &plan, change.intent).await?;
            match self.write_plan(actor, &current, plan).await {
                Ok(Some(done)) => return Ok(done),
                // Changed meanwhile, or given up by PostgreSQL for consistency: plan again.
                Ok(None) | Err(ServiceError::Store(StoreError::Retry(_))) => continue,
                Err(err) => return Err(err.into()),
            }
        }
        Err(ServiceError::Busy.into())
    }

    /// [`Services::change_user`] with a change that does not depend on the current state.
    pub async fn change_user_to(&self, actor: &Actor, id: &str, expected_version: Option<i64>, change: UserChange) -> ServiceResult<UserWithAccess> {
        self.change_user(actor, id, expected_version, |_| Ok::<_, ServiceError>(change.clone())).await
    }

    /// Writes a plan made from `current`, unless the user changed since: then None, to plan again
    /// (after the write is abandoned: on SQLite that commits the writes it was grouped with, so
    /// that planning again reads what they changed; see `WriteTx::abandon`).
    async fn write_plan(&self, actor: &Actor, current: &UserWithAccess, plan: Plan) -> ServiceResult<Option<UserWithAccess>> {
        let now = self.now();
        let id = current.user.id.as_str();
        let mut tx = self.store.write().await?;
        // An identity provider's deactivation meets its brake (see brake.rs) before anything
        // changes, with the user locked first, in the order a deletion locks them.
        if current.user.active && !plan.after.active && actor.kind == ActorKind::ScimCredential {
            match tx.lock_user(id).await? {
                None => return Err(ServiceError::NotFound { kind: "user", id: id.to_string() }),
                Some(version) if version != current.user.version => {
                    tx.abandon().await;
                    return Ok(None);
                }
                Some(_) => {}
            }
            if let Some(held) = self.brake(&mut tx, actor, &current.user, Removal::Deactivate).await? {
                tx.commit().await?;
                return Err(held);
            }
        }
        let mut after = plan.after.clone();
        after.last_modified = now;
        after.version = current.user.version + 1;
        // Written only over the version planned from: otherwise (changed or deleted since) the
        // transaction is dropped, and the plan made again.
        let written = if plan.fields.is_empty() && !plan.claims {
            tx.touch_user(id, now, current.user.version).await?
        } else {
            tx.update_user(&after, plan.searchable_changed(), current.user.version).await.map_err(user_name_taken(&after.user_name))?
        };
        if !written {
            tx.abandon().await;
            return Ok(None);
        }
        if after.user_name != current.user.user_name {
            tx.touch_workspaces_of(id, now).await?;
        }
        if !write_grants(&mut tx, id, &plan, &actor.name, now).await? {
            // A workspace to grant was deleted since the plan: plan again without it.
            tx.abandon().await;
            return Ok(None);
        }
        let (before_state, mut after_state) = audit_states(&current.user, &plan);
        if plan.claims {
            // Which identity provider now manages the user, and so what the console locks.
            after_state["provisioned_by"] = Value::from(actor.name.clone());
        }
        let action = actions::for_user_change(&plan.fields, !plan.grant.is_empty(), !plan.revoke.is_empty(), after.active);
        let change = Change { action: &action, target_kind: "user", target_id: id, target_name: &after.user_name };
        tx.append_audit(&event(actor, change, Some(&before_state), Some(&after_state), now)).await?;
        tx.commit().await?;
        if after.user_name != current.user.user_name {
            self.anchors.users_reordered();
        }
        let mut workspaces = current.workspaces.clone();
        workspaces.retain(|w| !plan.revoke.iter().any(|r| r.id == w.id));
        workspaces.extend(plan.grant.iter().cloned());
        workspaces.sort_by_key(|w| crate::domain::text::fold_key(&w.name));
        Ok(Some(UserWithAccess { user: after, workspaces }))
    }
}

/// Adds and removes the plan's grants; false when a workspace to grant no longer exists.
pub(super) async fn write_grants(tx: &mut WriteTx, user_id: &str, plan: &Plan, by: &str, now: i64) -> Result<bool, StoreError> {
    for w in &plan.grant {
        if !tx.insert_grant(user_id, &w.id, by, now).await? && !tx.workspace_exists(&w.id).await? {
            return Ok(false);
        }
    }
    for w in &plan.revoke {
        tx.delete_grant(user_id, &w.id, now).await?;
    }
    Ok(true)
}
