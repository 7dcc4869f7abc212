//! /Groups: each workspace is a Group whose members are the users granted access.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Extension;
use serde_json::{json, Value};

use super::error::{ScimError, ScimResult};
use super::filter::{CompValue, CompareOp, Filter};
use super::group_json::{group_body, group_json, group_location, member_ids};
use super::http::{if_match, ScimBody};
use super::listing::{ListParams, Resource};
use super::outcome::{Ctx, Outcome};
use super::patch::{parse_patch, parse_target, OpKind, PatchOp};
use super::projection::{excludes, project};
use super::schema::LIST_SCHEMA;
use crate::domain::workspaces::Workspace;
use crate::server::state::AppState;
use crate::service::{Actor, GroupChange};

/// Whether the response needs the members: not when excluded, nor when `attributes` leaves them out.
fn wants_members(params: &ListParams) -> bool {
    !excludes(&params.excluded, "members")
        && (params.attributes.is_empty() || params.attributes.iter().any(|a| a.to_ascii_lowercase().contains("members")))
}

async fn render(ctx: &Ctx, ws: &Workspace, params: &ListParams) -> ScimResult<Value> {
    let members = if wants_members(params) { Some(ctx.services.group_members(&ctx.actor, &ws.id).await?) } else { None };
    let mut body = group_json(ws, members.as_deref(), &ctx.base);
    project(&mut body, &params.attributes, &params.excluded);
    Ok(body)
}

async fn outcome(ctx: &Ctx, ws: &Workspace, status: StatusCode, params: &ListParams) -> ScimResult<Outcome> {
    let body = render(ctx, ws, params).await?;
    Ok(Outcome::resource(status, body, ws.version, group_location(&ctx.base, &ws.id)))
}

pub async fn list_groups(ctx: &Ctx, params: &ListParams) -> ScimResult<Value> {
    let query = params.query(Resource::Group)?;
    let (total, groups) = ctx.services.find_groups(&ctx.actor, &query).await?;
    let mut resources = Vec::with_capacity(groups.len());
    for ws in &groups {
        resources.push(render(ctx, ws, params).await?);
    }
    Ok(json!({"schemas": [LIST_SCHEMA], "totalResults": total, "startIndex": params.start(),
              "itemsPerPage": resources.len(), "Resources": resources}))
}

pub async fn create_group(ctx: &Ctx, body: &Value) -> ScimResult<Outcome> {
    let g = group_body(body)?;
    let ws = ctx.services.provision_group(&ctx.actor, &g.display_name, g.external_id, &g.members).await?;
    outcome(ctx, &ws, StatusCode::CREATED, &ListParams::default()).await
}

pub async fn replace_group(ctx: &Ctx, id: &str, version: Option<i64>, body: &Value) -> ScimResult<Outcome> {
    let g = group_body(body)?;
    let change = GroupChange { name: Some(g.display_name), external_id: Some(g.external_id), replace: Some(g.members), ..Default::default() };
    let ws = ctx.services.change_group(&ctx.actor, id, version, &change).await?;
    outcome(ctx, &ws, StatusCode::OK, &ListParams::default()).await
}

/// Member ids named by `members[value eq "a" or value eq "b"]`.
fn ids_in_filter(f: &Filter, out: &mut Vec<String>) -> ScimResult<()> {
    match f {
        Filter::Compare(p, CompareOp::Eq, CompValue::Str(id)) if p.attr == "value" => {
            out.push(id.clone());
            Ok(())
        }
        Filter::Or(a, b) => {
            ids_in_filter(a, out)?;
            ids_in_filter(b, out)
        }
        _ => Err(ScimError::bad("invalidFilter", "Member filters may only compare value with eq (joined by or).")),
    }
}

/// Turns PATCH operations into one membership change, without reading the member list, so the
/// cost follows the members named, not the group's size.
fn group_change(ops: &[PatchOp]) -> ScimResult<GroupChange> {
    let mut change = GroupChange::default();
    let add = |change: &mut GroupChange, ids: Vec<String>| match &mut change.replace {
        Some(all) => all.extend(ids),
        None => change.add.extend(ids),
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
                    "members" => add(&mut change, member_ids(value)?),
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
                match &mut change.replace {
                    Some(all) => all.retain(|m| !ids.contains(m)),
                    None => change.remove.extend(ids),
                }
            }
            ("members", OpKind::Remove, None) => match &op.value {
                Some(listed) => {
                    let ids = member_ids(listed)?;
                    match &mut change.replace {
                        Some(all) => all.retain(|m| !ids.contains(m)),
                        None => change.remove.extend(ids),
                    }
                }
                None => {
                    change.add.clear();
                    change.remove.clear();
                    change.replace = Some(Vec::new());
                }
            },
            ("members", OpKind::Add, None) => add(&mut change, member_ids(op.value.as_ref().unwrap_or(&Value::Null))?),
            ("members", OpKind::Replace, None) => {
                change.add.clear();
                change.remove.clear();
                change.replace = Some(member_ids(op.value.as_ref().unwrap_or(&Value::Null))?);
            }
            _ => return Err(ScimError::bad("invalidPath", format!("{path} cannot be patched on a Group"))),
        }
    }
    Ok(change)
}

pub async fn patch_group(ctx: &Ctx, id: &str, version: Option<i64>, ops: &[PatchOp], params: &ListParams) -> ScimResult<Outcome> {
    let change = group_change(ops)?;
    let ws = ctx.services.change_group(&ctx.actor, id, version, &change).await?;
    outcome(ctx, &ws, StatusCode::OK, params).await
}

pub async fn delete_group(ctx: &Ctx, id: &str, version: Option<i64>) -> ScimResult<Outcome> {
    ctx.services.delete_workspace(&ctx.actor, id, version).await?;
    Ok(Outcome::no_content())
}

pub async fn get(State(state): State<AppState>, Extension(actor): Extension<Actor>, headers: HeaderMap, Path(id): Path<String>, Query(q): Query<Vec<(String, String)>>) -> ScimResult<Outcome> {
    let ctx = Ctx::new(&state, actor, &headers);
    let ws = ctx.services.get_workspace(&ctx.actor, &id).await?;
    outcome(&ctx, &ws, StatusCode::OK, &ListParams::from_query(&q)?).await
}

pub async fn list(State(state): State<AppState>, Extension(actor): Extension<Actor>, headers: HeaderMap, Query(q): Query<Vec<(String, String)>>) -> ScimResult<Outcome> {
    Ok(Outcome::json(list_groups(&Ctx::new(&state, actor, &headers), &ListParams::from_query(&q)?).await?))
}

pub async fn search(State(state): State<AppState>, Extension(actor): Extension<Actor>, headers: HeaderMap, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    Ok(Outcome::json(list_groups(&Ctx::new(&state, actor, &headers), &ListParams::from_search(&body)?).await?))
}

pub async fn create(State(state): State<AppState>, Extension(actor): Extension<Actor>, headers: HeaderMap, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    create_group(&Ctx::new(&state, actor, &headers), &body).await
}

pub async fn replace(State(state): State<AppState>, Extension(actor): Extension<Actor>, headers: HeaderMap, Path(id): Path<String>, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    let version = if_match(&headers)?;
    replace_group(&Ctx::new(&state, actor, &headers), &id, version, &body).await
}

pub async fn patch(State(state): State<AppState>, Extension(actor): Extension<Actor>, headers: HeaderMap, Path(id): Path<String>, Query(q): Query<Vec<(String, String)>>, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    let version = if_match(&headers)?;
    let ops = parse_patch(&body)?;
    patch_group(&Ctx::new(&state, actor, &headers), &id, version, &ops, &ListParams::from_query(&q)?).await
}

pub async fn delete(State(state): State<AppState>, Extension(actor): Extension<Actor>, headers: HeaderMap, Path(id): Path<String>) -> ScimResult<Outcome> {
    let version = if_match(&headers)?;
    delete_group(&Ctx::new(&state, actor, &headers), &id, version).await
}
