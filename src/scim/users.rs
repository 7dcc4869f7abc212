//! /Users (RFC 7644 §3.3 – §3.6).

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Extension;
use serde_json::{json, Value};

use super::error::{ScimError, ScimResult};
use super::http::{if_match, ScimBody};
use super::listing::{ListParams, Resource};
use super::outcome::{Ctx, Outcome};
use super::patch::{apply_user_patch, parse_patch, PatchOp};
use super::projection::project;
use super::schema::LIST_SCHEMA;
use super::user_json::{user_draft, user_json, user_location};
use crate::server::state::AppState;
use crate::service::Actor;

/// A ListResponse of users (RFC 7644 §3.4.2).
pub async fn list_users(ctx: &Ctx, params: &ListParams) -> ScimResult<Value> {
    let query = params.query(Resource::User)?;
    let (total, users) = ctx.services.find_users(&ctx.actor, &query).await?;
    let resources: Vec<Value> = users
        .iter()
        .map(|u| {
            let mut v = user_json(u, &ctx.base);
            project(&mut v, &params.attributes, &params.excluded);
            v
        })
        .collect();
    Ok(json!({"schemas": [LIST_SCHEMA], "totalResults": total, "startIndex": params.start(),
              "itemsPerPage": resources.len(), "Resources": resources}))
}

pub async fn create_user(ctx: &Ctx, body: &Value) -> ScimResult<Outcome> {
    let draft = user_draft(body)?;
    let created = ctx.services.provision_user(&ctx.actor, &draft).await?;
    let location = user_location(&ctx.base, &created.user.id);
    Ok(Outcome::resource(StatusCode::CREATED, user_json(&created, &ctx.base), created.user.version, location))
}

pub async fn replace_user(ctx: &Ctx, id: &str, version: Option<i64>, body: &Value) -> ScimResult<Outcome> {
    let mut draft = user_draft(body)?;
    // A PUT replaces the whole user: no entitlements means no workspaces (as Anaplan does).
    draft.workspaces.get_or_insert_with(Vec::new);
    let saved = ctx.services.replace_user(&ctx.actor, id, version, &draft).await?;
    Ok(Outcome::resource(StatusCode::OK, user_json(&saved, &ctx.base), saved.user.version, user_location(&ctx.base, id)))
}

/// Applies the operations to the current representation and stores the result, in one write.
pub async fn patch_user(ctx: &Ctx, id: &str, version: Option<i64>, ops: &[PatchOp]) -> ScimResult<Outcome> {
    let saved = ctx
        .services
        .edit_user(&ctx.actor, id, version, |current| {
            let mut doc = user_json(current, &ctx.base);
            let map = doc.as_object_mut().ok_or_else(|| ScimError::bad("invalidSyntax", "user is not an object"))?;
            for read_only in ["meta", "groups", "id", "schemas"] {
                map.remove(read_only);
            }
            apply_user_patch(map, ops)?;
            user_draft(&doc)
        })
        .await?;
    Ok(Outcome::resource(StatusCode::OK, user_json(&saved, &ctx.base), saved.user.version, user_location(&ctx.base, id)))
}

pub async fn delete_user(ctx: &Ctx, id: &str, version: Option<i64>) -> ScimResult<Outcome> {
    ctx.services.delete_user(&ctx.actor, id, version).await?;
    Ok(Outcome::no_content())
}

pub async fn get(State(state): State<AppState>, Extension(actor): Extension<Actor>, headers: HeaderMap, Path(id): Path<String>, Query(q): Query<Vec<(String, String)>>) -> ScimResult<Outcome> {
    let ctx = Ctx::new(&state, actor, &headers);
    let params = ListParams::from_query(&q)?;
    let user = ctx.services.user_with_access(&ctx.actor, &id).await?;
    let mut body = user_json(&user, &ctx.base);
    project(&mut body, &params.attributes, &params.excluded);
    Ok(Outcome::resource(StatusCode::OK, body, user.user.version, user_location(&ctx.base, &id)))
}

pub async fn list(State(state): State<AppState>, Extension(actor): Extension<Actor>, headers: HeaderMap, Query(q): Query<Vec<(String, String)>>) -> ScimResult<Outcome> {
    let body = list_users(&Ctx::new(&state, actor, &headers), &ListParams::from_query(&q)?).await?;
    Ok(Outcome::json(body))
}

pub async fn search(State(state): State<AppState>, Extension(actor): Extension<Actor>, headers: HeaderMap, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    let body = list_users(&Ctx::new(&state, actor, &headers), &ListParams::from_search(&body)?).await?;
    Ok(Outcome::json(body))
}

pub async fn create(State(state): State<AppState>, Extension(actor): Extension<Actor>, headers: HeaderMap, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    create_user(&Ctx::new(&state, actor, &headers), &body).await
}

pub async fn replace(State(state): State<AppState>, Extension(actor): Extension<Actor>, headers: HeaderMap, Path(id): Path<String>, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    let version = if_match(&headers)?;
    replace_user(&Ctx::new(&state, actor, &headers), &id, version, &body).await
}

pub async fn patch(State(state): State<AppState>, Extension(actor): Extension<Actor>, headers: HeaderMap, Path(id): Path<String>, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    let version = if_match(&headers)?;
    let ops = parse_patch(&body)?;
    patch_user(&Ctx::new(&state, actor, &headers), &id, version, &ops).await
}

pub async fn delete(State(state): State<AppState>, Extension(actor): Extension<Actor>, headers: HeaderMap, Path(id): Path<String>) -> ScimResult<Outcome> {
    let version = if_match(&headers)?;
    delete_user(&Ctx::new(&state, actor, &headers), &id, version).await
}

