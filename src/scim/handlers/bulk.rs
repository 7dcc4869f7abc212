//! /Bulk (RFC 7644 §3.7): many operations in one request, with `bulkId` references between them
//! and `failOnErrors`. Each operation is its own write, as the RFC allows.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::groups::{create_group, delete_group, patch_group, replace_group};
use super::outcome::{Ctx, Outcome};
use super::request::ScimBody;
use super::users::{create_user, delete_user, patch_user, replace_user};
use crate::scim::protocol::error::{ScimError, ScimResult};
use crate::scim::protocol::limits::MAX_BULK_OPERATIONS;
use crate::scim::protocol::listing::ListParams;
use crate::scim::protocol::patch::parse_patch;
use crate::scim::protocol::schema::{BULK_REQUEST_SCHEMA, BULK_RESPONSE_SCHEMA};
use crate::scim::protocol::user_json::etag;

struct BulkOp {
    method: String,
    bulk_id: Option<String>,
    path: String,
    data: Option<Value>,
    version: Option<i64>,
}

fn parse_ops(body: &Value) -> ScimResult<(Vec<BulkOp>, Option<usize>)> {
    let obj = body.as_object().ok_or_else(|| ScimError::bad("invalidSyntax", "A BulkRequest must be an object."))?;
    let get = |k: &str| obj.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v);
    let names_schema = get("schemas").and_then(Value::as_array).is_some_and(|a| a.iter().any(|s| s.as_str() == Some(BULK_REQUEST_SCHEMA)));
    if !names_schema {
        return Err(ScimError::bad("invalidSyntax", format!("schemas must contain {BULK_REQUEST_SCHEMA}")));
    }
    let fail_on_errors = get("failOnErrors").and_then(Value::as_u64).map(|n| n as usize);
    let ops = get("Operations").and_then(Value::as_array).ok_or_else(|| ScimError::bad("invalidSyntax", "Operations must be an array."))?;
    if ops.len() > MAX_BULK_OPERATIONS {
        return Err(ScimError::new(413, Some("tooMany"), format!("At most {MAX_BULK_OPERATIONS} operations per request.")));
    }
    let parsed = ops
        .iter()
        .map(|op| {
            let o = op.as_object().ok_or_else(|| ScimError::bad("invalidSyntax", "Each operation must be an object."))?;
            let get = |k: &str| o.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v);
            let method = get("method").and_then(Value::as_str).ok_or_else(|| ScimError::bad("invalidSyntax", "Each operation needs a method."))?;
            let path = get("path").and_then(Value::as_str).ok_or_else(|| ScimError::bad("invalidSyntax", "Each operation needs a path."))?;
            let version = match get("version").and_then(Value::as_str) {
                Some(v) => Some(v.trim_start_matches("W/").trim_matches('"').parse::<i64>().map_err(|_| ScimError::bad("invalidVers", format!("{v} is not a version of ours")))?),
                None => None,
            };
            Ok(BulkOp {
                method: method.to_ascii_uppercase(),
                bulk_id: get("bulkId").and_then(Value::as_str).map(str::to_string),
                path: path.to_string(),
                data: get("data").cloned(),
                version,
            })
        })
        .collect::<ScimResult<Vec<_>>>()?;
    Ok((parsed, fail_on_errors))
}

/// Replaces every "bulkId:x" in `value` with the id it stands for; the unresolved ones are returned.
fn resolve(value: &mut Value, ids: &HashMap<String, String>, missing: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            if let Some(reference) = s.strip_prefix("bulkId:") {
                match ids.get(reference) {
                    Some(id) => *s = id.clone(),
                    None => missing.push(reference.to_string()),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| resolve(v, ids, missing)),
        Value::Object(map) => map.values_mut().for_each(|v| resolve(v, ids, missing)),
        _ => {}
    }
}

fn resolve_path(path: &str, ids: &HashMap<String, String>, missing: &mut Vec<String>) -> String {
    path.split('/')
        .map(|part| match part.strip_prefix("bulkId:") {
            Some(r) => ids.get(r).cloned().unwrap_or_else(|| {
                missing.push(r.to_string());
                part.to_string()
            }),
            None => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join("/")
}

async fn run(ctx: &Ctx, op: &BulkOp, path: &str, data: Option<&Value>) -> ScimResult<Outcome> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let need_data = || data.ok_or_else(|| ScimError::bad("invalidSyntax", "This operation needs data."));
    match (op.method.as_str(), parts.as_slice()) {
        ("POST", ["Users"]) => create_user(ctx, need_data()?).await,
        ("POST", ["Groups"]) => create_group(ctx, need_data()?).await,
        ("PUT", ["Users", id]) => replace_user(ctx, id, op.version, need_data()?).await,
        ("PUT", ["Groups", id]) => replace_group(ctx, id, op.version, need_data()?).await,
        ("PATCH", ["Users", id]) => patch_user(ctx, id, op.version, &parse_patch(need_data()?)?).await,
        ("PATCH", ["Groups", id]) => patch_group(ctx, id, op.version, &parse_patch(need_data()?)?, &ListParams::default()).await,
        ("DELETE", ["Users", id]) => delete_user(ctx, id, op.version).await,
        ("DELETE", ["Groups", id]) => delete_group(ctx, id, op.version).await,
        _ => Err(ScimError::bad("invalidPath", format!("{} {path} is not a bulk operation this server supports", op.method))),
    }
}

/// The body's size is bounded by the router's limit (`maxPayloadSize`) before it is read.
pub async fn bulk(ctx: Ctx, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    let (ops, fail_on_errors) = parse_ops(&body)?;
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut results: Vec<Option<Value>> = vec![None; ops.len()];
    let mut errors = 0usize;
    // Operations run in order; one that refers to a bulkId created later waits for a later pass.
    let mut pending: Vec<usize> = (0..ops.len()).collect();
    let mut stopped = false;
    'passes: loop {
        let mut progressed = false;
        let mut waiting = Vec::new();
        for &i in &pending {
            let op = &ops[i];
            let mut missing = Vec::new();
            let path = resolve_path(&op.path, &ids, &mut missing);
            let mut data = op.data.clone();
            if let Some(d) = data.as_mut() {
                resolve(d, &ids, &mut missing);
            }
            if !missing.is_empty() {
                waiting.push(i);
                continue;
            }
            progressed = true;
            let mut entry = json!({"method": op.method});
            if let Some(b) = &op.bulk_id {
                entry["bulkId"] = json!(b);
            }
            match run(&ctx, op, &path, data.as_ref()).await {
                Ok(outcome) => {
                    entry["status"] = json!(outcome.status.as_u16().to_string());
                    if let Some(location) = &outcome.location {
                        entry["location"] = json!(location);
                    }
                    if let Some(v) = outcome.version {
                        entry["version"] = json!(etag(v));
                    }
                    if let (Some(b), Some(id)) = (&op.bulk_id, outcome.body.as_ref().and_then(|v| v["id"].as_str())) {
                        ids.insert(b.clone(), id.to_string());
                    }
                }
                Err(err) => {
                    errors += 1;
                    entry["status"] = json!(err.status.to_string());
                    entry["response"] = err.body();
                }
            }
            results[i] = Some(entry);
            if fail_on_errors.is_some_and(|limit| limit > 0 && errors >= limit) {
                // RFC 7644 §3.7.3: the rest is not run and not reported.
                stopped = true;
                break 'passes;
            }
        }
        pending = waiting;
        if pending.is_empty() || !progressed {
            break;
        }
    }
    for i in pending.into_iter().filter(|_| !stopped) {
        let err = ScimError::new(409, Some("invalidValue"), "A bulkId this operation refers to was never created.");
        results[i] = Some(json!({"method": ops[i].method, "bulkId": ops[i].bulk_id, "status": "409", "response": err.body()}));
    }
    let done: Vec<Value> = results.into_iter().flatten().collect();
    Ok(Outcome::json(json!({"schemas": [BULK_RESPONSE_SCHEMA], "Operations": done})))
}
