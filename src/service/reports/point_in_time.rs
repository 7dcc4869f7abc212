//! The user reports (users, disabled users, access matrix) as of a moment, rebuilt from the
//! audit trail, which records every change with the state before and after it: today's state
//! with every later change undone, newest first (as of now: only what landed meanwhile). And
//! the access changes between two moments.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Deserializer};

use super::{active_text, Sink, SLICE};

/// Access-changing events read per query when rolling back.
const ROLLBACK_SLICE: usize = 5_000;

/// Deactivation events read per query when finding who disabled whom.
const DEACTIVATIONS_SLICE: usize = 10_000;
use crate::domain::audit::{actions, door_label, AuditFilter};
use crate::domain::paging::Cursor;
use crate::domain::reports::Report;
use crate::domain::text::fold_key;
use crate::domain::time::iso_utc;
use crate::service::{ServiceError, ServiceResult, Services};
use crate::storage::{time_key, AuditRecord, ReportUserRow};

/// Workspace id to when and by whom granted (unknown for grants that a later revocation, undone
/// here, took away).
type Grants = BTreeMap<String, Option<(i64, String)>>;

/// A user as they were at the moment asked for, being rebuilt.
#[derive(Clone, Default)]
struct PastUser {
    /// False when the user did not exist then (created later).
    existed: bool,
    user_name: String,
    external_id: String,
    given_name: String,
    family_name: String,
    email: String,
    active: bool,
    grants: Grants,
}

impl PastUser {
    fn from_row(row: ReportUserRow) -> Self {
        PastUser {
            existed: true,
            user_name: row.user_name,
            external_id: row.external_id.unwrap_or_default(),
            given_name: row.given_name,
            family_name: row.family_name,
            email: row.email,
            active: row.active,
            grants: BTreeMap::new(),
        }
    }

    /// Takes the fields an event's state names (a change's "before", a deletion's whole user).
    fn take_fields(&mut self, state: &State) {
        let fields = [
            (&mut self.user_name, &state.user_name),
            (&mut self.external_id, &state.external_id),
            (&mut self.given_name, &state.given_name),
            (&mut self.family_name, &state.family_name),
            (&mut self.email, &state.email),
        ];
        for (field, value) in fields {
            if let Some(value) = value {
                field.clone_from(value);
            }
        }
        if let Some(active) = state.active {
            self.active = active;
        }
    }
}

/// What a rebuild reads of an event's state (its "before" or "after"); the rest of it (e-mails,
/// extensions, versions) is skipped unread. A million events are read per report: typed, this
/// costs a fraction of building each state as a JSON map.
#[derive(Deserialize, Default)]
#[serde(default)]
struct State {
    #[serde(deserialize_with = "named")]
    user_name: Option<String>,
    #[serde(deserialize_with = "named")]
    external_id: Option<String>,
    #[serde(deserialize_with = "named")]
    given_name: Option<String>,
    #[serde(deserialize_with = "named")]
    family_name: Option<String>,
    #[serde(deserialize_with = "named")]
    email: Option<String>,
    active: Option<bool>,
    /// A workspace's name (read as any JSON value, so nothing else called `name` fails the rest).
    name: Option<serde_json::Value>,
    /// Lists of workspaces (in a user's state) or users (in a workspace's).
    workspaces: Vec<Link>,
    granted: Vec<Link>,
    revoked: Vec<Link>,
    members: Vec<Link>,
}

/// An access-changing event as the rollback reads it (see `Store::access_changes_since`).
#[derive(Deserialize)]
#[serde(from = "(i64, i64, String, String, String, Option<State>, Option<State>)")]
struct AccessEvent {
    id: i64,
    at: i64,
    action: String,
    target_kind: String,
    target_id: String,
    before: State,
    after: State,
}

impl From<(i64, i64, String, String, String, Option<State>, Option<State>)> for AccessEvent {
    fn from((id, at, action, target_kind, target_id, before, after): (i64, i64, String, String, String, Option<State>, Option<State>)) -> Self {
        AccessEvent { id, at, action, target_kind, target_id, before: before.unwrap_or_default(), after: after.unwrap_or_default() }
    }
}

/// A workspace (`name`) or a user (`user_name`) in one of a state's lists.
#[derive(Deserialize)]
struct Link {
    id: String,
    #[serde(default, alias = "user_name")]
    name: Option<String>,
}

/// A field the state names: null (an empty field) reads as empty text; absent stays None.
fn named<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Some(Option::<String>::deserialize(d)?.unwrap_or_default()))
}

/// The ids (with names) in one of a state's lists.
fn ids(list: &[Link]) -> impl Iterator<Item = (String, String)> + '_ {
    list.iter().map(|l| (l.id.clone(), l.name.clone().unwrap_or_default()))
}

/// A slice the store handed over as one JSON array (see `Store::access_changes_since`).
fn slice<T: serde::de::DeserializeOwned>(json: &str, what: &str) -> ServiceResult<Vec<T>> {
    serde_json::from_str(json).map_err(|e| ServiceError::Internal(format!("{what} could not be read: {e}")))
}

fn state(json: Option<&str>) -> State {
    json.and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default()
}

/// The users an event concerns: its target if a user, and the users a workspace event lists.
fn users_of(event: &AccessEvent) -> Vec<String> {
    match event.target_kind.as_str() {
        "user" => vec![event.target_id.clone()],
        "workspace" => event.after.granted.iter().chain(&event.after.revoked).chain(&event.before.members).map(|l| l.id.clone()).collect(),
        _ => Vec::new(),
    }
}

/// Today's state with every change after a moment undone.
struct Rollback {
    users: HashMap<String, PastUser>,
    /// Workspace names then, where they differ from now (renamed or deleted since).
    workspace_names: HashMap<String, String>,
    /// Workspaces created since: nobody held them then.
    created_since: HashSet<String>,
}

impl Rollback {
    /// Undoes one event (events come newest first).
    fn undo(&mut self, event: &AccessEvent) {
        let (before, after) = (&event.before, &event.after);
        let has = |action: &str| event.action.split('+').any(|a| a == action);
        match event.target_kind.as_str() {
            "user" => {
                let Some(user) = self.users.get_mut(&event.target_id) else { return };
                if has(actions::USER_CREATE) {
                    user.existed = false;
                    user.grants.clear();
                } else if has(actions::USER_DELETE) {
                    user.existed = true;
                    user.take_fields(before);
                    user.grants = before.workspaces.iter().map(|l| (l.id.clone(), None)).collect();
                } else {
                    user.take_fields(before);
                    for l in &after.granted {
                        user.grants.remove(&l.id);
                    }
                    for l in &after.revoked {
                        user.grants.insert(l.id.clone(), None);
                    }
                }
                for (ws, name) in ids(&before.workspaces).chain(ids(&after.granted)).chain(ids(&after.revoked)) {
                    self.workspace_names.entry(ws).or_insert(name);
                }
            }
            "workspace" => {
                let ws = &event.target_id;
                for l in &after.granted {
                    if let Some(u) = self.users.get_mut(&l.id) {
                        u.grants.remove(ws);
                    }
                }
                for l in after.revoked.iter().chain(&before.members) {
                    if let Some(u) = self.users.get_mut(&l.id) {
                        u.grants.insert(ws.clone(), None);
                    }
                }
                if let Some(name) = before.name.as_ref().and_then(serde_json::Value::as_str) {
                    self.workspace_names.insert(ws.clone(), name.to_string());
                }
                if has(actions::WORKSPACE_CREATE) {
                    self.created_since.insert(ws.clone());
                }
            }
            _ => {}
        }
    }
}

/// How the users are written, one report's rows each: workspace names as they were, workspaces
/// created since left out.
struct Past {
    report: Report,
    names: HashMap<String, String>,
    workspace_names: HashMap<String, String>,
    created_since: HashSet<String>,
}

impl Past {
    fn workspace_name(&self, id: &str) -> String {
        self.workspace_names.get(id).or_else(|| self.names.get(id)).cloned().unwrap_or_else(|| id.to_string())
    }

    /// Writes one user's rows; false once nobody reads any more.
    async fn write(&self, sink: &mut Sink, user: PastUser, disabled: Option<&(i64, String, String)>) -> bool {
        let mut held: Vec<(String, Option<(i64, String)>)> = user
            .grants
            .into_iter()
            .filter(|(ws, _)| !self.created_since.contains(ws))
            .map(|(ws, granted)| (self.workspace_name(&ws), granted))
            .collect();
        held.sort_by_cached_key(|(n, _)| fold_key(n));
        let names = || held.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join("; ");
        match self.report {
            Report::DisabledUsers => {
                if user.active {
                    return true;
                }
                let (when, by, door) = disabled.map(|(t, b, d)| (iso_utc(*t), b.clone(), door_label(d).to_string())).unwrap_or_default();
                let names = names();
                sink.record(&[user.user_name, user.external_id, user.given_name, user.family_name, user.email, when, by, door, names]).await
            }
            Report::AccessMatrix => {
                for (name, granted) in &held {
                    let (when, by) = granted.clone().map(|(t, b)| (iso_utc(t), b)).unwrap_or_default();
                    if !sink.record(&[user.user_name.as_str(), active_text(user.active), name, &when, &by]).await {
                        return false;
                    }
                }
                true
            }
            _ => {
                let names = names();
                let active = active_text(user.active).to_string();
                sink.record(&[user.user_name, user.external_id, user.given_name, user.family_name, user.email, active, names]).await
            }
        }
    }
}

impl Services {
    /// A user report as it would have read at `at`: the users
    /// rebuilt (those changed since) merged, in user-name order, into a slice-by-slice scan of
    /// everyone else as they are now. Memory follows the users changed since, not the store.
    pub(super) async fn write_as_of(&self, report: Report, at: i64, sink: &mut Sink) -> ServiceResult<bool> {
        let Some(rollback) = self.roll_back_to(at, sink).await? else { return Ok(false) };
        let names: HashMap<String, String> =
            self.store.workspace_links(usize::MAX >> 1).await?.into_iter().map(|w| (w.id, w.name)).collect();
        let past = Past { report, names, workspace_names: rollback.workspace_names, created_since: rollback.created_since };
        let touched: HashSet<String> = rollback.users.keys().cloned().collect();
        let mut rebuilt: Vec<(String, String, PastUser)> = rollback
            .users
            .into_iter()
            .filter(|(_, u)| u.existed && (report != Report::DisabledUsers || !u.active))
            .map(|(id, u)| (fold_key(&u.user_name), id, u))
            .collect();
        rebuilt.sort_by(|a, b| a.0.cmp(&b.0));
        let disabled = self.disabled_by(report, at).await?;
        let mut rebuilt = rebuilt.into_iter().peekable();
        let mut after_key = String::new();
        loop {
            // Untouched users are as they are now: for disabled users, only the inactive ones.
            let rows = self.store.report_users(&after_key, report == Report::DisabledUsers, SLICE).await?;
            let Some(last) = rows.last() else { break };
            after_key = last.user_name_key.clone();
            let full = rows.len() == SLICE;
            let untouched: Vec<ReportUserRow> = rows.into_iter().filter(|r| !touched.contains(&r.id)).collect();
            let ids: Vec<String> = untouched.iter().map(|r| r.id.clone()).collect();
            let mut grants = self.grants_now(&ids).await?;
            for row in untouched {
                while let Some((_, id, user)) = rebuilt.next_if(|(key, _, _)| *key < row.user_name_key) {
                    if !past.write(sink, user, disabled.get(&id)).await {
                        return Ok(false);
                    }
                }
                let id = row.id.clone();
                let mut user = PastUser::from_row(row);
                user.grants = grants.remove(&id).unwrap_or_default();
                if !past.write(sink, user, disabled.get(&id)).await {
                    return Ok(false);
                }
            }
            if !full {
                break;
            }
        }
        for (_, id, user) in rebuilt {
            if !past.write(sink, user, disabled.get(&id)).await {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// These users' grants as they are now, by user: workspace id to when and by whom.
    async fn grants_now(&self, ids: &[String]) -> ServiceResult<HashMap<String, Grants>> {
        let mut grants: HashMap<String, Grants> = HashMap::new();
        let rows: Vec<(String, String, i64, String)> = slice(&self.store.grants_of(ids).await?, "a grant")?;
        for (user_id, workspace_id, granted_at, granted_by) in rows {
            grants.entry(user_id).or_default().insert(workspace_id, Some((granted_at, granted_by)));
        }
        Ok(grants)
    }

    /// For the disabled-users report: each user's latest deactivation at or before `at`, from
    /// one walk through the deactivation tag (a lookup per user cost twice as much).
    async fn disabled_by(&self, report: Report, at: i64) -> ServiceResult<HashMap<String, (i64, String, String)>> {
        let mut latest: HashMap<String, (i64, String, String)> = HashMap::new();
        if report != Report::DisabledUsers {
            return Ok(latest);
        }
        let mut after = (i64::MIN, i64::MIN);
        loop {
            let rows = self.store.deactivations_until(at, after, DEACTIVATIONS_SLICE).await?;
            let full = rows.len() == DEACTIVATIONS_SLICE;
            for (user, when, id, by, door) in rows {
                after = (when, id);
                latest.insert(user, (when, by, door));
            }
            if !full {
                return Ok(latest);
            }
        }
    }

    /// None when the reader went away meanwhile.
    async fn roll_back_to(&self, at: i64, sink: &Sink) -> ServiceResult<Option<Rollback>> {
        let mut rollback = Rollback { users: HashMap::new(), workspace_names: HashMap::new(), created_since: HashSet::new() };
        let mut cursor: Option<String> = None;
        loop {
            if sink.closed() {
                return Ok(None);
            }
            let json = self.store.access_changes_since(at + 1, cursor.as_deref(), ROLLBACK_SLICE).await?;
            let events: Vec<AccessEvent> = slice(&json, "an audit event")?;
            let full = events.len() == ROLLBACK_SLICE;
            let Some(last) = events.last() else { break };
            cursor = Some(time_key(last.at, last.id));
            // Users first seen here are loaded as they are now, a slice at a time.
            let mut new_ids: Vec<String> = events.iter().flat_map(users_of).filter(|id| !rollback.users.contains_key(id)).collect();
            new_ids.sort();
            new_ids.dedup();
            for chunk in new_ids.chunks(SLICE) {
                let mut grants = self.grants_now(chunk).await?;
                for row in self.store.report_users_by_ids(chunk).await? {
                    let id = row.id.clone();
                    let mut user = PastUser::from_row(row);
                    user.grants = grants.remove(&id).unwrap_or_default();
                    rollback.users.insert(id, user);
                }
                // Deleted since: nothing now; their deletion event (met next) says what they were.
                for id in chunk {
                    rollback.users.entry(id.clone()).or_insert_with(|| PastUser { existed: false, ..Default::default() });
                }
            }
            for event in &events {
                rollback.undo(event);
            }
            if !full {
                break;
            }
        }
        Ok(Some(rollback))
    }

    /// Every access change in `filter`'s time range, newest first: one row per user and change.
    pub(super) async fn write_access_changes(&self, filter: &AuditFilter, sink: &mut Sink) -> ServiceResult<bool> {
        let range = AuditFilter { from: filter.from, to: filter.to, ..Default::default() };
        let mut cursor = Cursor::First;
        loop {
            let records = self.store.audit_page(&range, &cursor, SLICE).await?;
            let full = records.len() == SLICE;
            if let Some(last) = records.last() {
                cursor = Cursor::After(last.key());
            }
            for record in &records {
                for row in change_rows(record) {
                    if !sink.record(&row).await {
                        return Ok(false);
                    }
                }
            }
            if !full {
                return Ok(true);
            }
        }
    }
}

/// The access changes one event made, as report rows: at, userName, change, workspace, by, door.
fn change_rows(record: &AuditRecord) -> Vec<[String; 6]> {
    let (before, after) = (state(record.before_json.as_deref()), state(record.after_json.as_deref()));
    let has = |action: &str| record.action.split('+').any(|a| a == action);
    let row = |user: &str, change: &str, workspace: &str| {
        [iso_utc(record.at), user.to_string(), change.to_string(), workspace.to_string(), record.actor_name.clone(), door_label(&record.door).to_string()]
    };
    let mut rows = Vec::new();
    match record.target_kind.as_str() {
        "user" => {
            let user = &record.target_name;
            if has(actions::USER_CREATE) {
                rows.push(row(user, if after.active == Some(false) { "created inactive" } else { "created" }, ""));
                rows.extend(ids(&after.workspaces).map(|(_, ws)| row(user, "granted", &ws)));
            }
            if has(actions::USER_DEACTIVATE) && !has(actions::USER_CREATE) {
                rows.push(row(user, "disabled", ""));
            }
            if has(actions::USER_ACTIVATE) {
                rows.push(row(user, "enabled", ""));
            }
            rows.extend(ids(&after.granted).map(|(_, ws)| row(user, "granted", &ws)));
            rows.extend(ids(&after.revoked).map(|(_, ws)| row(user, "revoked", &ws)));
            if has(actions::USER_DELETE) {
                rows.extend(ids(&before.workspaces).map(|(_, ws)| row(user, "revoked", &ws)));
                rows.push(row(user, "deleted", ""));
            }
        }
        "workspace" => {
            let ws = &record.target_name;
            rows.extend(ids(&after.granted).map(|(_, user)| row(&user, "granted", ws)));
            rows.extend(ids(&after.revoked).chain(ids(&before.members)).map(|(_, user)| row(&user, "revoked", ws)));
        }
        _ => {}
    }
    rows
}
