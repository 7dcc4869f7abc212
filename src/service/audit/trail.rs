//! Reading the audit trail: pages newest first under any combination of filters.

use super::describe::describe;
use crate::domain::audit::{actions, ActorChoice, AuditFilter, AuditView, Subject, DOORS};
use crate::domain::paging::{Cursor, PAGE_SIZE};
use crate::service::paging::page_of;
use crate::service::{Actor, ServiceError, ServiceResult, Services};

impl Services {
    /// One page of the audit trail under `filter` (and a target by name, see
    /// [`Self::resolve_audit_filter`]).
    pub async fn audit_trail(&self, _actor: &Actor, mut filter: AuditFilter, target_name: &str, cursor: &Cursor) -> ServiceResult<AuditView> {
        crate::service::paging::check_time_cursor(cursor)?;
        let resolved = self.resolve_audit_filter(filter.clone(), target_name).await?;
        let subject_missing = resolved.is_none().then(|| target_name.trim().to_string());
        if let Some(resolved) = resolved {
            filter = resolved;
        }
        // Without a subject or an action to narrow it, the console shows a batch as one line.
        filter.collapse_batches = filter.subject.is_none() && filter.action.is_none();
        let page = if subject_missing.is_some() {
            page_of(Vec::new(), cursor, PAGE_SIZE)
        } else if let Some(request) = &filter.request {
            // One request causes at most one event per operation (a Bulk request: 1,000): no paging.
            let mut rows: Vec<_> = self.store.audit_of_request(request).await?.into_iter().map(describe).collect();
            rows.sort_by_key(|e| std::cmp::Reverse((e.at, e.id)));
            crate::domain::paging::Page { rows, next: None, prev: None }
        } else {
            let rows = self.store.audit_page(&filter, cursor, PAGE_SIZE + 1).await?;
            page_of(rows.into_iter().map(|r| (r.key(), describe(r))).collect(), cursor, PAGE_SIZE)
        };
        let subject = match &filter.subject {
            Some(tag) => Some(self.name_subject(tag, &page.rows).await?),
            None => None,
        };
        Ok(AuditView { page, actors: self.actor_choices().await?, subject, subject_missing })
    }

    /// `filter` checked, with a target asked for by name (`target_name`) looked up among users,
    /// workspaces, SCIM credentials and administrators, in that order; None when nothing has
    /// that name.
    pub(crate) async fn resolve_audit_filter(&self, mut filter: AuditFilter, target_name: &str) -> ServiceResult<Option<AuditFilter>> {
        check_filter(&filter)?;
        let target_name = target_name.trim();
        if filter.subject.is_none() && !target_name.is_empty() {
            match self.subject_named(target_name).await? {
                Some(subject) => filter.subject = Some(crate::domain::audit::subject_tag(&subject.kind, &subject.id)),
                None => return Ok(None),
            }
        }
        Ok(Some(filter))
    }

    /// The events one request caused, for the provisioning log.
    pub async fn audit_of_request(&self, _actor: &Actor, request_id: &str) -> ServiceResult<Vec<crate::domain::audit::AuditEntry>> {
        Ok(self.store.audit_of_request(request_id).await?.into_iter().map(describe).collect())
    }

    async fn subject_named(&self, name: &str) -> ServiceResult<Option<Subject>> {
        let found = |kind: &str, id: String| Some(Subject { kind: kind.into(), id, name: name.into() });
        if let Some(id) = self.store.find_user_id_by_name(name).await? {
            return Ok(found("user", id));
        }
        if let Some(id) = self.store.find_workspace_id_by_name(name).await? {
            return Ok(found("workspace", id));
        }
        let folded = crate::domain::text::fold_key(name);
        if let Some(c) = self.store.list_credentials().await?.into_iter().find(|c| crate::domain::text::fold_key(&c.name) == folded) {
            return Ok(found("scim_credential", c.id));
        }
        Ok(self.store.find_admin_by_username(name).await?.and_then(|a| found("admin", a.id)))
    }

    /// A subject tag with the name it has now, or (deleted) the name the trail last gave it.
    async fn name_subject(&self, tag: &str, rows: &[crate::domain::audit::AuditEntry]) -> ServiceResult<Subject> {
        let (kind, id) = tag.split_once(':').unwrap_or(("", tag));
        let current = match kind {
            "user" => self.store.get_user(id).await?.map(|u| u.user_name),
            "workspace" => self.store.get_workspace(id).await?.map(|w| w.name),
            "admin" => self.store.get_admin(id).await?.map(|a| a.username),
            "scim_credential" => self.store.list_credentials().await?.into_iter().find(|c| c.id == id).map(|c| c.name),
            "batch" => self.store.get_batch(id).await?.map(|b| b.title),
            _ => None,
        };
        let named_in_trail = || {
            rows.iter()
                .flat_map(|e| std::iter::once(&e.target).chain(&e.granted).chain(&e.revoked))
                .find(|s| s.kind == kind && s.id == id)
                .map(|s| s.name.clone())
        };
        let name = current.or_else(named_in_trail).unwrap_or_else(|| id.to_string());
        Ok(Subject { kind: kind.into(), id: id.into(), name })
    }

    /// Everyone who can appear as an actor: administrators, SCIM credentials, the command line.
    async fn actor_choices(&self) -> ServiceResult<Vec<ActorChoice>> {
        let mut choices: Vec<ActorChoice> = self
            .store
            .list_admins()
            .await?
            .into_iter()
            .map(|a| ActorChoice { id: a.id, label: format!("{} (administrator)", a.username) })
            .collect();
        choices.extend(
            self.store.list_credentials().await?.into_iter().map(|c| ActorChoice { id: c.id, label: format!("{} (SCIM credential)", c.name) }),
        );
        choices.push(ActorChoice { id: "system".into(), label: "Command line".into() });
        Ok(choices)
    }
}

fn check_filter(filter: &AuditFilter) -> ServiceResult<()> {
    if filter.action.as_deref().is_some_and(|a| !actions::known(a)) {
        return Err(ServiceError::invalid("action", "Choose an action from the list."));
    }
    if filter.door.as_deref().is_some_and(|d| !DOORS.iter().any(|(door, _)| *door == d)) {
        return Err(ServiceError::invalid("door", "Choose a door from the list."));
    }
    if let (Some(from), Some(to)) = (filter.from, filter.to) {
        if to <= from {
            return Err(ServiceError::invalid("to", "The end of the time range must be after its start."));
        }
    }
    Ok(())
}
