//! /Bulk (RFC 7644 §3.7): many operations in one request, with `bulkId` references between them
//! and `failOnErrors`. Each operation is its own write, as the RFC allows.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

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
use crate::scim::protocol::meta::etag;

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

/// Every bulkId an operation refers to, in its path or anywhere in its data.
fn references(op: &BulkOp) -> Vec<String> {
    fn walk(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::String(s) => out.extend(s.strip_prefix("bulkId:").map(str::to_string)),
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            Value::Object(map) => map.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out: Vec<String> = op.path.split('/').filter_map(|p| p.strip_prefix("bulkId:")).map(str::to_string).collect();
    if let Some(data) = &op.data {
        walk(data, &mut out);
    }
    out.sort();
    out.dedup();
    out
}

/// Replaces every "bulkId:x" in `value` with the id it stands for (all are known by now).
fn resolve(value: &mut Value, ids: &HashMap<String, String>) {
    match value {
        Value::String(s) => {
            if let Some(id) = s.strip_prefix("bulkId:").and_then(|r| ids.get(r)) {
                *s = id.clone();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| resolve(v, ids)),
        Value::Object(map) => map.values_mut().for_each(|v| resolve(v, ids)),
        _ => {}
    }
}

fn resolve_path(path: &str, ids: &HashMap<String, String>) -> String {
    path.split('/')
        .map(|part| part.strip_prefix("bulkId:").and_then(|r| ids.get(r)).map(String::as_str).unwrap_or(part))
        .collect::<Vec<_>>()
        .join("/")
}

/// The order to run operations in: as given, except that one runs after those whose bulkIds it
/// refers to (RFC 7644 §3.7.2). Each operation's references are read once, so the cost follows
/// the size of the request, not its length times its size. Operations left out refer to a
/// bulkId that no operation creates, or to one another in a circle.
fn run_order(ops: &[BulkOp], references: &[Vec<String>]) -> Vec<usize> {
    let defined: HashMap<&str, usize> = ops.iter().enumerate().filter_map(|(i, op)| op.bulk_id.as_deref().map(|b| (b, i))).collect();
    let mut waiting_on = vec![0usize; ops.len()];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); ops.len()];
    let mut ready = BinaryHeap::new();
    for (i, refs) in references.iter().enumerate() {
        let mut runnable = true;
        for r in refs {
            match defined.get(r.as_str()) {
                Some(&d) if d != i => {
                    waiting_on[i] += 1;
                    dependents[d].push(i);
                }
                _ => runnable = false,
            }
        }
        if !runnable {
            waiting_on[i] = usize::MAX;
        } else if waiting_on[i] == 0 {
            ready.push(Reverse(i));
        }
    }
    let mut order = Vec::with_capacity(ops.len());
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        for &d in &dependents[i] {
            if waiting_on[d] != usize::MAX {
                waiting_on[d] -= 1;
                if waiting_on[d] == 0 {
                    ready.push(Reverse(d));
                }
            }
        }
    }
    order
}

async fn run(ctx: &Ctx, op: &BulkOp, path: &str, data: Option<&Value>) -> ScimResult<Outcome> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let need_data = || data.ok_or_else(|| ScimError::bad("invalidSyntax", "This operation needs data."));
    match (op.method.as_str(), parts.as_slice()) {
        ("POST", ["Users"]) => create_user(ctx, need_data()?).await,
        ("POST", ["Groups"]) => create_group(ctx, need_data()?, &ListParams::default()).await,
        ("PUT", ["Users", id]) => replace_user(ctx, id, op.version, need_data()?).await,
        ("PUT", ["Groups", id]) => replace_group(ctx, id, op.version, need_data()?, &ListParams::default()).await,
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
    let references: Vec<Vec<String>> = ops.iter().map(references).collect();
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut results: Vec<Option<Value>> = vec![None; ops.len()];
    let mut errors = 0usize;
    let mut stopped = false;
    for i in run_order(&ops, &references) {
        let op = &ops[i];
        let mut entry = json!({"method": op.method});
        if let Some(b) = &op.bulk_id {
            entry["bulkId"] = json!(b);
        }
        // A bulkId whose operation failed was never created: this one cannot run either.
        let outcome = if references[i].iter().all(|r| ids.contains_key(r)) {
            let path = resolve_path(&op.path, &ids);
            let mut data = op.data.clone();
            if let Some(d) = data.as_mut() {
                resolve(d, &ids);
            }
            run(&ctx, op, &path, data.as_ref()).await
        } else {
            Err(never_created())
        };
        match outcome {
            Ok(outcome) => {
                entry["status"] = json!(outcome.status.as_u16().to_string());
                if let Some(location) = &outcome.location {
                    entry["location"] = json!(location);
                }
                if let Some(v) = outcome.version {
                    entry["version"] = json!(etag(v));
                }
                if let (Some(b), Some(id)) = (&op.bulk_id, outcome.resource_id()) {
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
            break;
        }
    }
    if !stopped {
        for (i, slot) in results.iter_mut().enumerate().filter(|(_, r)| r.is_none()) {
            *slot = Some(json!({"method": ops[i].method, "bulkId": ops[i].bulk_id, "status": "409", "response": never_created().body()}));
        }
    }
    let done: Vec<Value> = results.into_iter().flatten().collect();
    Ok(Outcome::json(json!({"schemas": [BULK_RESPONSE_SCHEMA], "Operations": done})))
}

fn never_created() -> ScimError {
    ScimError::new(409, Some("invalidValue"), "A bulkId this operation refers to was never created.")
}
