//! /Users (RFC 7644 §3.3 – §3.6).

use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;

use crate::scim::protocol::error::{ScimError, ScimResult};
use super::request::{if_match, ScimBody};
use crate::scim::protocol::listing::{ListParams, Resource};
use super::outcome::{Body, Ctx, Outcome};
use crate::scim::protocol::patch::{apply_user_patch, parse_patch, PatchOp};
use crate::scim::protocol::projection::project;
use crate::scim::protocol::user_json::{patchable_json, user_draft, user_json, user_location, UserDoc};
use crate::service::UserWithAccess;

/// The page of users a list or search asks for, with how many meet its filter.
async fn find_users(ctx: &Ctx, params: &ListParams) -> ScimResult<(i64, Vec<UserWithAccess>)> {
    Ok(ctx.services.find_users(&ctx.actor, &params.query(Resource::User)?).await?)
}

/// The same page as `Value`s, each cut to the `attributes` / `excludedAttributes` asked for:
/// for such lists, and for the search at the root, which joins users and groups in one page.
pub async fn list_users(ctx: &Ctx, params: &ListParams) -> ScimResult<(i64, Vec<Value>)> {
    let (total, users) = find_users(ctx, params).await?;
    let shown = users
        .iter()
        .map(|u| {
            let mut v = user_json(u, &ctx.base);
            project(&mut v, &params.attributes, &params.excluded);
            v
        })
        .collect();
    Ok((total, shown))
}

/// A ListResponse of users (RFC 7644 §3.4.2). Whole users, what identity providers ask for,
/// are written straight from the store's (see `UserDoc`).
async fn list_response(ctx: &Ctx, params: &ListParams) -> ScimResult<Outcome> {
    if !params.attributes.is_empty() || !params.excluded.is_empty() {
        let (total, shown) = list_users(ctx, params).await?;
        return Ok(Outcome::list(total, params.start(), &shown));
    }
    let (total, users) = find_users(ctx, params).await?;
    let whole: Vec<UserDoc> = users.iter().map(|user| UserDoc { user, base: &ctx.base }).collect();
    Ok(Outcome::list(total, params.start(), &whole))
}

/// A whole user as an answer's body, written straight from the store's (see `UserDoc`): for a
/// GET of one user, building the `Value` tree first and then writing it was a tenth of the
/// request.
fn whole_user(user: &UserWithAccess, base: &str) -> Body {
    Body::Written(serde_json::to_string(&UserDoc { user, base }).expect("a user serialises"))
}

pub async fn create_user(ctx: &Ctx, body: &Value) -> ScimResult<Outcome> {
    let created = ctx.services.create_user(&ctx.actor, &user_draft(body)?.into_change()).await?;
    let location = user_location(&ctx.base, &created.user.id);
    Ok(Outcome::resource(StatusCode::CREATED, whole_user(&created, &ctx.base), created.user.version, location))
}

pub async fn replace_user(ctx: &Ctx, id: &str, version: Option<i64>, body: &Value) -> ScimResult<Outcome> {
    let mut draft = user_draft(body)?;
    // A PUT replaces the whole user: no entitlements means no workspaces (as Anaplan does).
    draft.workspaces.get_or_insert_with(Vec::new);
    let saved = ctx.services.change_user_to(&ctx.actor, id, version, draft.into_change()).await?;
    Ok(Outcome::resource(StatusCode::OK, whole_user(&saved, &ctx.base), saved.user.version, user_location(&ctx.base, id)))
}

/// Applies the operations to the current representation and stores the result, in one write.
pub async fn patch_user(ctx: &Ctx, id: &str, version: Option<i64>, ops: &[PatchOp]) -> ScimResult<Outcome> {
    let saved = ctx
        .services
        .change_user(&ctx.actor, id, version, |current| {
            let mut doc = patchable_json(current);
            apply_user_patch(&mut doc, ops)?;
            Ok::<_, ScimError>(user_draft(&Value::Object(doc))?.into_change())
        })
        .await?;
    Ok(Outcome::resource(StatusCode::OK, whole_user(&saved, &ctx.base), saved.user.version, user_location(&ctx.base, id)))
}

pub async fn delete_user(ctx: &Ctx, id: &str, version: Option<i64>) -> ScimResult<Outcome> {
    ctx.services.delete_user(&ctx.actor, id, version).await?;
    Ok(Outcome::no_content())
}

pub async fn get(ctx: Ctx, Path(id): Path<String>, Query(q): Query<Vec<(String, String)>>) -> ScimResult<Outcome> {
    let params = ListParams::from_query(&q)?;
    let user = ctx.services.user_with_access(&ctx.actor, &id).await?;
    let body = if params.attributes.is_empty() && params.excluded.is_empty() {
        whole_user(&user, &ctx.base)
    } else {
        let mut cut = user_json(&user, &ctx.base);
        project(&mut cut, &params.attributes, &params.excluded);
        Body::Tree(cut)
    };
    Ok(Outcome::resource(StatusCode::OK, body, user.user.version, user_location(&ctx.base, &id)))
}

pub async fn list(ctx: Ctx, Query(q): Query<Vec<(String, String)>>) -> ScimResult<Outcome> {
    list_response(&ctx, &ListParams::from_query(&q)?).await
}

pub async fn search(ctx: Ctx, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    list_response(&ctx, &ListParams::from_search(&body)?).await
}

pub async fn create(ctx: Ctx, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    create_user(&ctx, &body).await
}

pub async fn replace(ctx: Ctx, headers: HeaderMap, Path(id): Path<String>, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    let version = if_match(&headers)?;
    replace_user(&ctx, &id, version, &body).await
}

pub async fn patch(ctx: Ctx, headers: HeaderMap, Path(id): Path<String>, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    let version = if_match(&headers)?;
    let ops = parse_patch(&body)?;
    patch_user(&ctx, &id, version, &ops).await
}

pub async fn delete(ctx: Ctx, headers: HeaderMap, Path(id): Path<String>) -> ScimResult<Outcome> {
    let version = if_match(&headers)?;
    delete_user(&ctx, &id, version).await
}

