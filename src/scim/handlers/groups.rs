//! /Groups: each workspace is a Group whose members are the users granted access.

use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use std::collections::HashSet;

use serde_json::Value;

use crate::scim::protocol::error::{ScimError, ScimResult};
use crate::scim::protocol::filter::{CompValue, CompareOp, Filter};
use crate::scim::protocol::group_json::{group_body, group_json, group_location, member_ids};
use super::request::{if_match, ScimBody};
use crate::scim::protocol::listing::{ListParams, Resource};
use super::outcome::{Ctx, Outcome};
use crate::scim::protocol::patch::{parse_patch, parse_target, OpKind, PatchOp};
use crate::scim::protocol::projection::{excludes, project};
use crate::domain::workspaces::Workspace;
use crate::scim::protocol::limits::MAX_MEMBERS_PER_CHANGE;
use crate::service::WorkspaceChange;

/// Whether the response shows the members: `members` is published as `"returned": "request"`
/// (RFC 7643 §7), so only when the request's `attributes` names them. A group's member list
/// has no bound (50,000 users in one workspace is ordinary), identity providers never read it
/// back (Entra and Okta send `excludedAttributes=members`), and a PATCH naming one member
/// should cost one member, not a copy of all the others.
fn wants_members(params: &ListParams) -> bool {
    !excludes(&params.excluded, "members") && params.attributes.iter().any(|a| a.to_ascii_lowercase().contains("members"))
}

/// The groups as the response shows them, their members loaded in one query when wanted.
async fn render_all(ctx: &Ctx, groups: &[Workspace], params: &ListParams) -> ScimResult<Vec<Value>> {
    let mut members = if wants_members(params) {
        let ids: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
        Some(ctx.services.workspace_members(&ctx.actor, &ids).await?)
    } else {
        None
    };
    Ok(groups
        .iter()
        .map(|ws| {
            let list = members.as_mut().map(|m| m.remove(&ws.id).unwrap_or_default());
            let mut body = group_json(ws, list.as_deref(), &ctx.base);
            project(&mut body, &params.attributes, &params.excluded);
            body
        })
        .collect())
}

async fn outcome(ctx: &Ctx, ws: &Workspace, status: StatusCode, params: &ListParams) -> ScimResult<Outcome> {
    let body = render_all(ctx, std::slice::from_ref(ws), params).await?.remove(0);
    Ok(Outcome::resource(status, body, ws.version, group_location(&ctx.base, &ws.id)))
}

/// The page of groups a list or search asks for, as the response shows them, with how many
/// meet its filter.
pub async fn list_groups(ctx: &Ctx, params: &ListParams) -> ScimResult<(i64, Vec<Value>)> {
    let query = params.query(Resource::Group)?;
    let (total, groups) = ctx.services.find_workspaces(&ctx.actor, &query).await?;
    Ok((total, render_all(ctx, &groups, params).await?))
}

async fn list_response(ctx: &Ctx, params: &ListParams) -> ScimResult<Outcome> {
    let (total, shown) = list_groups(ctx, params).await?;
    Ok(Outcome::list(total, params.start(), &shown))
}

pub async fn create_group(ctx: &Ctx, body: &Value, params: &ListParams) -> ScimResult<Outcome> {
    let g = group_body(body)?;
    let change = WorkspaceChange { name: Some(g.display_name), external_id: Some(g.external_id), add: g.members, ..Default::default() };
    let ws = ctx.services.create_workspace(&ctx.actor, &change).await?;
    outcome(ctx, &ws, StatusCode::CREATED, params).await
}

pub async fn replace_group(ctx: &Ctx, id: &str, version: Option<i64>, body: &Value, params: &ListParams) -> ScimResult<Outcome> {
    let g = group_body(body)?;
    let change = WorkspaceChange { name: Some(g.display_name), external_id: Some(g.external_id), replace: Some(g.members), ..Default::default() };
    let ws = ctx.services.change_workspace(&ctx.actor, id, version, &change).await?;
    outcome(ctx, &ws, StatusCode::OK, params).await
}

/// Member ids named by `members[value eq "a" or value eq "b"]`.
fn ids_in_filter(f: &Filter, out: &mut Vec<String>) -> ScimResult<()> {
    match f {
        Filter::Compare(p, CompareOp::Eq, CompValue::Str(id)) if p.attr == "value" => {
            out.push(id.clone());
            Ok(())
        }
        Filter::Or(any) => any.iter().try_for_each(|f| ids_in_filter(f, out)),
        _ => Err(ScimError::bad("invalidFilter", "Member filters may only compare value with eq (joined by or).")),
    }
}

/// Refuses a change naming more members than one request may.
fn within_member_limit(change: &WorkspaceChange) -> ScimResult<()> {
    let named = change.add.len() + change.remove.len() + change.replace.as_ref().map_or(0, Vec::len);
    if named > MAX_MEMBERS_PER_CHANGE {
        return Err(ScimError::bad("invalidValue", format!("One request may name at most {MAX_MEMBERS_PER_CHANGE} members.")));
    }
    Ok(())
}

/// Turns PATCH operations into one membership change, without reading the member list, so the
/// cost follows the members named, not the group's size.
fn group_change(ops: &[PatchOp]) -> ScimResult<WorkspaceChange> {
    let mut change = WorkspaceChange::default();
    // Operations apply in order (RFC 7644 §3.5.2): a later add undoes an earlier remove of the
    // same member and the other way round.
    // Sets, so naming n members against m costs n + m, and the bound is checked as lists grow.
    let add = |change: &mut WorkspaceChange, ids: Vec<String>| -> ScimResult<()> {
        let named: HashSet<&String> = ids.iter().collect();
        match &mut change.replace {
            Some(all) => all.extend(ids.iter().cloned()),
            None => {
                change.remove.retain(|r| !named.contains(r));
                change.add.extend(ids.iter().cloned());
            }
        }
        within_member_limit(change)
    };
    let remove = |change: &mut WorkspaceChange, ids: Vec<String>| -> ScimResult<()> {
        let named: HashSet<&String> = ids.iter().collect();
        match &mut change.replace {
            Some(all) => all.retain(|m| !named.contains(m)),
            None => {
                change.add.retain(|a| !named.contains(a));
                change.remove.extend(ids.iter().cloned());
            }
        }
        within_member_limit(change)
    };
    for op in ops {
        let Some(path) = &op.path else {
            let Some(Value::Object(entries)) = &op.value else {
                return Err(ScimError::bad("invalidValue", "An operation without a path needs an object value."));
            };
            for (key, value) in entries {
                match key.to_ascii_lowercase().as_str() {
                    "displayname" => change.name = Some(value.as_str().ok_or_else(|| ScimError::bad("invalidValue", "displayName must be a string"))?.to_string()),
                    "externalid" => change.external_id = Some(value.as_str().map(str::to_string)),
                    "members" if op.kind == OpKind::Replace => {
                        change.add.clear();
                        change.remove.clear();
                        change.replace = Some(member_ids(value)?);
                    }
                    "members" => add(&mut change, member_ids(value)?)?,
                    "id" | "schemas" | "meta" => {}
                    other => return Err(ScimError::bad("invalidPath", format!("{other} is not an attribute of Group"))),
                }
            }
            continue;
        };
        let target = parse_target(path)?;
        match (target.attr.as_str(), op.kind, &target.filter) {
            ("displayname", OpKind::Remove, _) => return Err(ScimError::bad("mutability", "displayName is required and cannot be removed.")),
            ("displayname", _, None) => {
                change.name = Some(op.value.as_ref().and_then(Value::as_str).ok_or_else(|| ScimError::bad("invalidValue", "displayName must be a string"))?.to_string())
            }
            ("externalid", OpKind::Remove, None) => change.external_id = Some(None),
            ("externalid", _, None) => change.external_id = Some(op.value.as_ref().and_then(Value::as_str).map(str::to_string)),
            ("members", OpKind::Remove, Some(f)) => {
                let mut ids = Vec::new();
                ids_in_filter(f, &mut ids)?;
                remove(&mut change, ids)?;
            }
            ("members", OpKind::Remove, None) => match &op.value {
                Some(listed) => remove(&mut change, member_ids(listed)?)?,
                None => {
                    change.add.clear();
                    change.remove.clear();
                    change.replace = Some(Vec::new());
                }
            },
            ("members", OpKind::Add, None) => add(&mut change, member_ids(op.value.as_ref().unwrap_or(&Value::Null))?)?,
            ("members", OpKind::Replace, None) => {
                change.add.clear();
                change.remove.clear();
                change.replace = Some(member_ids(op.value.as_ref().unwrap_or(&Value::Null))?);
            }
            _ => return Err(ScimError::bad("invalidPath", format!("{path} cannot be patched on a Group"))),
        }
    }
    within_member_limit(&change)?;
    Ok(change)
}

pub async fn patch_group(ctx: &Ctx, id: &str, version: Option<i64>, ops: &[PatchOp], params: &ListParams) -> ScimResult<Outcome> {
    let change = group_change(ops)?;
    let ws = ctx.services.change_workspace(&ctx.actor, id, version, &change).await?;
    outcome(ctx, &ws, StatusCode::OK, params).await
}

pub async fn delete_group(ctx: &Ctx, id: &str, version: Option<i64>) -> ScimResult<Outcome> {
    ctx.services.delete_workspace(&ctx.actor, id, version).await?;
    Ok(Outcome::no_content())
}

pub async fn get(ctx: Ctx, Path(id): Path<String>, Query(q): Query<Vec<(String, String)>>) -> ScimResult<Outcome> {
    let ws = ctx.services.get_workspace(&ctx.actor, &id).await?;
    outcome(&ctx, &ws, StatusCode::OK, &ListParams::from_query(&q)?).await
}

pub async fn list(ctx: Ctx, Query(q): Query<Vec<(String, String)>>) -> ScimResult<Outcome> {
    list_response(&ctx, &ListParams::from_query(&q)?).await
}

pub async fn search(ctx: Ctx, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    list_response(&ctx, &ListParams::from_search(&body)?).await
}

pub async fn create(ctx: Ctx, Query(q): Query<Vec<(String, String)>>, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    create_group(&ctx, &body, &ListParams::from_query(&q)?).await
}

pub async fn replace(ctx: Ctx, headers: HeaderMap, Path(id): Path<String>, Query(q): Query<Vec<(String, String)>>, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    let version = if_match(&headers)?;
    replace_group(&ctx, &id, version, &body, &ListParams::from_query(&q)?).await
}

pub async fn patch(ctx: Ctx, headers: HeaderMap, Path(id): Path<String>, Query(q): Query<Vec<(String, String)>>, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    let version = if_match(&headers)?;
    let ops = parse_patch(&body)?;
    patch_group(&ctx, &id, version, &ops, &ListParams::from_query(&q)?).await
}

pub async fn delete(ctx: Ctx, headers: HeaderMap, Path(id): Path<String>) -> ScimResult<Outcome> {
    let version = if_match(&headers)?;
    delete_group(&ctx, &id, version).await
}
