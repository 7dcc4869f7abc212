//! CSV import: a file of users (userName, externalId, givenName, familyName, email, active,
//! workspaces) is uploaded, dry-run line by line against the store, and applied as a batch
//! that does exactly what the dry run showed: each planned write names the version of the user
//! it planned from, and applying refuses when the plan no longer matches the store.
//!
//! A column the file has sets that field for every line (an empty cell empties it); a column
//! it lacks leaves the field alone. `workspaces` is the whole set a user holds afterwards.
//! Users not in the file are left alone unless "deactivate users not in this file" is chosen.

use std::collections::{HashMap, HashSet};

use serde_json::json;
use sha2::{Digest, Sha256};

use super::audit::{actions, event, Change};
use super::batches::{NewBatch, Step};
use super::audit;
use super::users::{apply_fields, changed_fields, field_value};
use super::{AccessChange, Actor, ProfileUpdate, ServiceError, ServiceResult, Services, UserChange, WorkspaceRef};
use crate::auth::secrets::new_id;
use crate::domain::batches::{count_of, ImportLine, ImportPreview, RowPlan, IMPORT_COLUMNS, IMPORT_MAX_BYTES, LINES_SHOWN};
use crate::domain::audit::FieldChange;
use crate::domain::credentials::{Management, OwnedPart};
use crate::domain::text::{fold_key, group_digits};
use crate::domain::users::{User, UserInput};
use crate::domain::workspaces::WorkspaceLink;
use crate::storage::ImportRecord;

/// A file as uploaded.
pub struct ImportUpload {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub deactivate_missing: bool,
}

/// The most lines a file may hold (a large subsidiary, with room to spare).
const MAX_ROWS: usize = 200_000;

/// How long an uploaded file waits to be applied before the next upload lets it go.
const UNAPPLIED_KEPT_MS: i64 = 24 * 3600 * 1000;

/// Users and workspaces looked up per statement.
const LOOKUP_CHUNK: usize = 500;

/// Positions of the columns the import reads (in the order of `IMPORT_COLUMNS`).
const USER_NAME: usize = 0;
const EXTERNAL_ID: usize = 1;
const GIVEN_NAME: usize = 2;
const FAMILY_NAME: usize = 3;
const EMAIL: usize = 4;
const ACTIVE: usize = 5;
const WORKSPACES: usize = 6;

/// Which cell of a line holds each column the import reads, and the columns it does not read.
struct Columns {
    at: [Option<usize>; IMPORT_COLUMNS.len()],
    width: usize,
    unknown: Vec<String>,
}

impl Columns {
    fn of(header: &[String]) -> ServiceResult<Columns> {
        let mut at = [None; IMPORT_COLUMNS.len()];
        let mut unknown = Vec::new();
        for (i, name) in header.iter().enumerate() {
            let name = name.trim();
            match IMPORT_COLUMNS.iter().position(|c| c.eq_ignore_ascii_case(name)) {
                Some(known) if at[known].is_some() => {
                    return Err(ServiceError::invalid("file", format!("The column {} appears twice in the first line.", IMPORT_COLUMNS[known])));
                }
                Some(known) => at[known] = Some(i),
                None => unknown.push(name.to_string()),
            }
        }
        if at[USER_NAME].is_none() {
            return Err(ServiceError::invalid(
                "file",
                format!("The file has no userName column. Its first line must name the columns: {}.", IMPORT_COLUMNS.join(", ")),
            ));
        }
        Ok(Columns { at, width: header.len(), unknown })
    }

    /// The cell of `column` on a line, when the file has that column.
    fn cell<'a>(&self, cells: &'a [String], column: usize) -> Option<&'a str> {
        self.at[column].map(|i| cells[i].trim())
    }
}

/// "true", "yes", "1", "active" and their opposites, any case; empty leaves the status alone.
fn parse_active(text: &str) -> Result<Option<bool>, String> {
    match text.to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "yes" | "1" | "active" | "y" => Ok(Some(true)),
        "false" | "no" | "0" | "inactive" | "n" => Ok(Some(false)),
        _ => Err(format!("active must be true or false, not \u{201c}{text}\u{201d}.")),
    }
}

/// The workspace names of a `workspaces` cell, separated by `;`.
fn workspace_names(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(';').map(str::trim).filter(|n| !n.is_empty())
}

/// Whether a display name is the one made from the names (and so follows them).
fn derived_display_name(user: &User) -> bool {
    user.display_name == format!("{} {}", user.given_name, user.family_name).trim()
}

/// One changed field in the audit trail's words: "E-mail: a@x → b@y". The address list and the
/// attributes without columns follow from the file's columns and are not listed.
fn field_change(field: &str, before: &User, after: &User) -> Option<FieldChange> {
    if matches!(field, "emails" | "extra") {
        return None;
    }
    audit::field_change(field, Some(&field_value(before, field)), Some(&field_value(after, field)))
}

/// The dry run of a file, with the writes that apply it.
struct Planned {
    preview: ImportPreview,
    /// Every line, in file order (the preview shows a selection).
    lines: Vec<ImportLine>,
    steps: Vec<Step>,
}

/// What the store holds that a file's lines concern.
struct Found {
    users: HashMap<String, User>,
    held: HashMap<String, Vec<WorkspaceLink>>,
    workspaces: HashMap<String, WorkspaceLink>,
    managed: HashMap<String, Option<Management>>,
}

impl Services {
    /// Keeps an uploaded file for its dry run, refusing what cannot be imported at all (not
    /// UTF-8, no userName column, too large, no lines) with the reason.
    pub async fn upload_import(&self, actor: &Actor, upload: ImportUpload) -> ServiceResult<String> {
        let (record, lines) = self.checked_upload(actor, upload).await?;
        let mut tx = self.store.write().await?;
        // Files nobody applied within a day go: they hold people's data for no purpose.
        tx.delete_imports_unapplied_since(record.uploaded_at - UNAPPLIED_KEPT_MS).await?;
        tx.insert_import(&record).await?;
        let after = json!({"file": record.file_name, "lines": lines, "deactivate_missing": record.deactivate_missing});
        let change = Change { action: actions::IMPORT_UPLOAD, target_kind: "import", target_id: &record.id, target_name: &record.file_name };
        tx.append_audit(&event(actor, change, None::<&serde_json::Value>, Some(&after), record.uploaded_at)).await?;
        tx.commit().await?;
        Ok(record.id)
    }

    /// What a file would do, every line in file order, without keeping it (the command line's
    /// `--dry-run`).
    pub async fn dry_run_file(&self, actor: &Actor, upload: ImportUpload) -> ServiceResult<(ImportPreview, Vec<ImportLine>)> {
        let (record, _) = self.checked_upload(actor, upload).await?;
        let planned = self.plan_import(&record).await?;
        Ok((planned.preview, planned.lines))
    }

    /// An upload as it would be kept, with its number of lines, or why it cannot be imported at
    /// all (not UTF-8, no userName column, too large, no lines). Read on a blocking thread: a
    /// large file takes a while, which the runtime's workers (and SCIM) must not wait for.
    async fn checked_upload(&self, actor: &Actor, upload: ImportUpload) -> ServiceResult<(ImportRecord, usize)> {
        actor.require_write()?;
        if upload.bytes.len() > IMPORT_MAX_BYTES {
            return Err(ServiceError::invalid("file", format!("The file is {:.1} MB; an import takes at most {} MB.", upload.bytes.len() as f64 / MB, IMPORT_MAX_BYTES / (1024 * 1024))));
        }
        let bytes = upload.bytes;
        let (records, content) = blocking(move || {
            let records = crate::domain::csv::read(&bytes, MAX_ROWS + 1)?;
            let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
            // `read` accepted it, so it is UTF-8.
            Ok((records, String::from_utf8_lossy(text).into_owned()))
        })
        .await?;
        let Some((_, header)) = records.first() else {
            return Err(ServiceError::invalid("file", "The file is empty."));
        };
        Columns::of(header)?;
        let lines = records.len() - 1;
        if lines == 0 {
            return Err(ServiceError::invalid("file", "The file names its columns but has no users."));
        }
        let record = ImportRecord {
            id: new_id(),
            file_name: clean_file_name(&upload.file_name),
            content,
            deactivate_missing: upload.deactivate_missing,
            uploaded_by_id: actor.id.clone(),
            uploaded_at: self.now(),
            batch_id: None,
        };
        Ok((record, lines))
    }

    /// The dry run of an uploaded file against the store as it is now.
    pub async fn import_preview(&self, actor: &Actor, id: &str) -> ServiceResult<ImportPreview> {
        let record = self.get_import(actor, id).await?;
        Ok(self.plan_import(&record).await?.preview)
    }

    /// The dry run with every line, in file order (the command line prints them all).
    pub async fn import_dry_run(&self, actor: &Actor, id: &str) -> ServiceResult<(ImportPreview, Vec<ImportLine>)> {
        let record = self.get_import(actor, id).await?;
        let planned = self.plan_import(&record).await?;
        Ok((planned.preview, planned.lines))
    }

    /// Applies an uploaded file as the dry run identified by `fingerprint` showed it; refuses
    /// when the file has errors, when nothing would change, or when the store changed since
    /// for any of its users. Answers the id of the batch that applies it.
    pub async fn apply_import(&self, actor: &Actor, id: &str, fingerprint: &str, origin: &str) -> ServiceResult<String> {
        actor.require_write()?;
        let record = self.get_import(actor, id).await?;
        if record.batch_id.is_some() {
            return Err(ServiceError::conflict("import", "This file was applied already."));
        }
        let planned = self.plan_import(&record).await?;
        let p = &planned.preview;
        if p.errors > 0 {
            return Err(ServiceError::invalid(
                "import",
                format!("{} of the file have errors: fix them and upload the file again. Nothing was imported.", count_of(p.errors, "line", "lines")),
            ));
        }
        if planned.steps.is_empty() {
            return Err(ServiceError::invalid("import", "Nothing to apply: the store already matches the file."));
        }
        if p.fingerprint != fingerprint {
            return Err(ServiceError::conflict(
                "import",
                "Users in this file changed since the dry run, so nothing was imported. The dry run shown now is up to date: review it and apply again.",
            ));
        }
        let title = format!(
            "Import {}: {} created, {} updated, {} deactivated",
            record.file_name,
            group_digits(p.creates),
            group_digits(p.updates),
            group_digits(p.deactivations)
        );
        let details = json!({"file": record.file_name, "lines": p.rows});
        let new = NewBatch { kind: "import", title, origin, details, import: Some(id), file: Some(record.file_name.clone()) };
        self.start_batch(actor, new, planned.steps).await
    }

    /// An upload, for anyone who may read the console (auditors follow the trail here too).
    async fn get_import(&self, _actor: &Actor, id: &str) -> ServiceResult<ImportRecord> {
        self.store.get_import(id).await?.ok_or_else(|| ServiceError::NotFound { kind: "import", id: id.to_string() })
    }

    async fn plan_import(&self, record: &ImportRecord) -> ServiceResult<Planned> {
        if record.batch_id.is_some() {
            // Applied: the file itself is not kept (see `mark_import_applied`), its batch says
            // what it did.
            return Ok(Planned { preview: applied_preview(record), lines: Vec::new(), steps: Vec::new() });
        }
        let content = record.content.clone();
        let records = blocking(move || crate::domain::csv::read(content.as_bytes(), MAX_ROWS + 1)).await?;
        let Some(((_, header), rows)) = records.split_first() else {
            return Err(ServiceError::invalid("file", "The file is empty."));
        };
        let columns = Columns::of(header)?;
        let mut found = self.find_for_import(&columns, rows).await?;
        // Every line of a user name that appears more than once is refused: which one counts?
        let mut lines_of: HashMap<String, Vec<usize>> = HashMap::new();
        for (line, cells) in rows {
            if let Some(name) = cells.get(columns.at[USER_NAME].unwrap_or(0)) {
                lines_of.entry(fold_key(name.trim())).or_default().push(*line);
            }
        }
        let mut lines = Vec::with_capacity(rows.len());
        let mut steps = Vec::new();
        let mut digest = Sha256::new();
        for (i, (line, cells)) in rows.iter().enumerate() {
            if i % 1000 == 999 {
                // A long file is planned in slices, so other requests get their turn.
                tokio::task::yield_now().await;
            }
            let (user_name, planned) = plan_line(&columns, &found, &lines_of, *line, cells);
            let plan = match planned {
                Ok((plan, step)) => {
                    steps.extend(step);
                    plan
                }
                Err(reason) => RowPlan::Error(reason),
            };
            let version = found.users.get(&fold_key(&user_name)).map(|u| u.version).unwrap_or(0);
            digest.update(format!("{line}\u{1f}{user_name}\u{1f}{version}\u{1f}{plan:?}\n").as_bytes());
            lines.push(ImportLine { line: *line, user_name, plan });
        }
        if record.deactivate_missing {
            for (id, user_name, version, managed_by) in self.store.active_user_names().await? {
                if lines_of.contains_key(&fold_key(&user_name)) {
                    continue;
                }
                digest.update(format!("missing\u{1f}{id}\u{1f}{version}\n").as_bytes());
                let manager = match managed_by {
                    Some(by) => self.manager(&mut found.managed, &by).await?,
                    None => None,
                };
                // Whose status an identity provider owns is its to change: left as it is.
                if let Some(manager) = manager.filter(|m| m.owns_field("active")) {
                    let reason = format!("Not deactivated: its status is managed by {}.", manager.credential_name);
                    lines.push(ImportLine { line: 0, user_name, plan: RowPlan::Skipped(reason) });
                    continue;
                }
                let change = UserChange { active: Some(false), ..Default::default() };
                steps.push(Step::Change { user_id: id, label: user_name.clone(), expected_version: Some(version), change });
                lines.push(ImportLine { line: 0, user_name, plan: RowPlan::Deactivate });
            }
        }
        let count = |f: fn(&RowPlan) -> bool| lines.iter().filter(|l| f(&l.plan)).count() as i64;
        let mut shown: Vec<ImportLine> = lines.iter().filter(|l| matches!(l.plan, RowPlan::Error(_))).take(LINES_SHOWN).cloned().collect();
        let room = LINES_SHOWN - shown.len();
        shown.extend(lines.iter().filter(|l| !matches!(l.plan, RowPlan::Error(_) | RowPlan::Unchanged)).take(room).cloned());
        let preview = ImportPreview {
            id: record.id.clone(),
            file_name: record.file_name.clone(),
            rows: rows.len() as i64,
            creates: count(|p| matches!(p, RowPlan::Create)),
            updates: count(|p| matches!(p, RowPlan::Update(_))),
            unchanged: count(|p| matches!(p, RowPlan::Unchanged)),
            deactivations: count(|p| matches!(p, RowPlan::Deactivate)),
            skipped: count(|p| matches!(p, RowPlan::Skipped(_))),
            errors: count(|p| matches!(p, RowPlan::Error(_))),
            deactivate_missing: record.deactivate_missing,
            unknown_columns: columns.unknown.clone(),
            lines: shown,
            fingerprint: hex::encode(&digest.finalize()[..16]),
            applied_by: record.batch_id.clone(),
        };
        Ok(Planned { preview, lines, steps })
    }

    /// The users a file names (by user name), the workspaces they hold, the workspaces the file
    /// names, and who manages those users: a few statements per 500 lines, not one per line.
    async fn find_for_import(&self, columns: &Columns, rows: &[(usize, Vec<String>)]) -> ServiceResult<Found> {
        fn cell<'a>(columns: &Columns, cells: &'a [String], column: usize) -> Option<&'a str> {
            if cells.len() == columns.width { columns.cell(cells, column) } else { None }
        }
        let names: Vec<String> = rows.iter().filter_map(|(_, c)| cell(columns, c, USER_NAME)).filter(|n| !n.is_empty()).map(str::to_string).collect();
        let mut users = HashMap::new();
        let mut held = HashMap::new();
        for chunk in names.chunks(LOOKUP_CHUNK) {
            let found = self.store.users_by_names(chunk).await?;
            let ids: Vec<String> = found.iter().map(|u| u.id.clone()).collect();
            held.extend(self.store.workspaces_of(&ids).await?);
            users.extend(found.into_iter().map(|u| (fold_key(&u.user_name), u)));
        }
        let wanted: HashSet<String> = rows.iter().filter_map(|(_, c)| cell(columns, c, WORKSPACES)).flat_map(workspace_names).map(str::to_string).collect();
        let wanted: Vec<String> = wanted.into_iter().collect();
        let mut workspaces = HashMap::new();
        for chunk in wanted.chunks(LOOKUP_CHUNK) {
            workspaces.extend(self.store.workspaces_by_ids_and_names(&[], chunk).await?.1);
        }
        let mut managed = HashMap::new();
        for by in users.values().filter_map(|u| u.managed_by.as_deref()) {
            self.manager(&mut managed, by).await?;
        }
        Ok(Found { users, held, workspaces, managed })
    }

    /// What credential `id` owns of the users it manages, looked up once per import.
    async fn manager(&self, known: &mut HashMap<String, Option<Management>>, id: &str) -> ServiceResult<Option<Management>> {
        if let Some(found) = known.get(id) {
            return Ok(found.clone());
        }
        let found = self.management_by(id).await?;
        known.insert(id.to_string(), found.clone());
        Ok(found)
    }
}

/// What one line does: its user name, and its plan with the write that applies it, or why it
/// cannot be imported.
fn plan_line(
    columns: &Columns,
    found: &Found,
    lines_of: &HashMap<String, Vec<usize>>,
    line: usize,
    cells: &[String],
) -> (String, Result<(RowPlan, Option<Step>), String>) {
    if cells.len() != columns.width {
        let name = columns.at[USER_NAME].and_then(|i| cells.get(i)).map(|n| n.trim().to_string()).unwrap_or_default();
        return (name, Err(format!("Line {line} has {} cells; the first line names {}.", cells.len(), columns.width)));
    }
    let user_name = columns.cell(cells, USER_NAME).unwrap_or_default().to_string();
    let result = plan_cells(columns, found, lines_of, line, cells, &user_name).map_err(|reason| format!("Line {line}: {reason}"));
    (user_name, result)
}

fn plan_cells(
    columns: &Columns,
    found: &Found,
    lines_of: &HashMap<String, Vec<usize>>,
    line: usize,
    cells: &[String],
    user_name: &str,
) -> Result<(RowPlan, Option<Step>), String> {
    if user_name.is_empty() {
        return Err("userName is empty.".into());
    }
    let key = fold_key(user_name);
    if let Some(others) = lines_of.get(&key).filter(|l| l.len() > 1) {
        let others: Vec<String> = others.iter().filter(|l| **l != line).map(|l| l.to_string()).collect();
        return Err(format!("the userName {user_name} is also on line {}; a user may appear once.", others.join(", ")));
    }
    let existing = found.users.get(&key);
    let cell = |column| columns.cell(cells, column).map(str::to_string);
    let base = existing.cloned().unwrap_or_else(|| User::blank(String::new(), 0));
    let input = UserInput {
        // A user name that differs only in case names the same user: the stored spelling stays
        // (an export in other case must not rename everyone).
        user_name: existing.map(|u| u.user_name.clone()).unwrap_or_else(|| user_name.to_string()),
        external_id: cell(EXTERNAL_ID).unwrap_or_else(|| base.external_id.clone().unwrap_or_default()),
        given_name: cell(GIVEN_NAME).unwrap_or_else(|| base.given_name.clone()),
        family_name: cell(FAMILY_NAME).unwrap_or_else(|| base.family_name.clone()),
        // A display name made from the names follows them; one chosen apart stays.
        display_name: if derived_display_name(&base) { String::new() } else { base.display_name.clone() },
        email: cell(EMAIL).unwrap_or_else(|| base.email.clone()),
    };
    let active = parse_active(&cell(ACTIVE).unwrap_or_default())?;
    let workspaces = match cell(WORKSPACES) {
        None => None,
        Some(text) => {
            let mut links = Vec::new();
            for name in workspace_names(&text) {
                let link = found.workspaces.get(&fold_key(name)).ok_or_else(|| format!("no workspace is named {name}."))?;
                links.push(link.clone());
            }
            Some(links)
        }
    };
    let access = AccessChange {
        exactly: workspaces.as_ref().map(|w| w.iter().map(|l| WorkspaceRef::Id(l.id.clone())).collect()),
        ..Default::default()
    };
    let change = UserChange { profile: Some(ProfileUpdate::Form(input)), active, access, ..Default::default() };
    let after = apply_fields(&base, &change).map_err(|err| match err {
        ServiceError::Invalid { message, .. } => message,
        other => other.to_string(),
    })?;
    let Some(user) = existing else {
        return Ok((RowPlan::Create, Some(Step::Create { label: user_name.to_string(), change })));
    };
    let fields = changed_fields(user, &after);
    let held = found.held.get(&user.id).cloned().unwrap_or_default();
    let (granted, revoked): (Vec<&WorkspaceLink>, Vec<&WorkspaceLink>) = match &workspaces {
        None => (Vec::new(), Vec::new()),
        Some(wanted) => (
            wanted.iter().filter(|w| !held.iter().any(|h| h.id == w.id)).collect(),
            held.iter().filter(|h| !wanted.iter().any(|w| w.id == h.id)).collect(),
        ),
    };
    if fields.is_empty() && granted.is_empty() && revoked.is_empty() {
        return Ok((RowPlan::Unchanged, None));
    }
    if let Some(Some(managed)) = user.managed_by.as_ref().and_then(|by| found.managed.get(by)) {
        if let Some(part) = managed.owned_part(&fields, !(granted.is_empty() && revoked.is_empty())) {
            let what = match part {
                OwnedPart::Field(f) => field_change(f, user, &after).map(|c| c.field).unwrap_or_else(|| f.to_string()),
                OwnedPart::Access => "Workspace access".into(),
            };
            return Err(format!(
                "{what} of {user_name} is managed by {}: change it there, or on the user's page with \u{201c}Change anyway\u{201d}.",
                managed.credential_name
            ));
        }
    }
    let mut changes: Vec<String> =
        fields.iter().filter_map(|f| field_change(f, user, &after)).map(|c| format!("{}: {} \u{2192} {}", c.field, c.before, c.after)).collect();
    if !granted.is_empty() || !revoked.is_empty() {
        let parts: Vec<String> =
            granted.iter().map(|w| format!("+ {}", w.name)).chain(revoked.iter().map(|w| format!("\u{2212} {}", w.name))).collect();
        changes.push(format!("Workspaces: {}", parts.join(", ")));
    }
    let step = Step::Change { user_id: user.id.clone(), label: user_name.to_string(), expected_version: Some(user.version), change };
    Ok((RowPlan::Update(changes), Some(step)))
}

/// Bytes in a megabyte, as the size limit counts them.
const MB: f64 = 1024.0 * 1024.0;

/// Runs CPU-heavy work (reading a large file) off the runtime's workers.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, String> + Send + 'static) -> ServiceResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ServiceError::Internal(format!("reading the file stopped: {e}")))?
        .map_err(|message| ServiceError::invalid("file", message))
}

/// What an applied import still says: its name, and the batch that applied it.
fn applied_preview(record: &ImportRecord) -> ImportPreview {
    ImportPreview {
        id: record.id.clone(),
        file_name: record.file_name.clone(),
        rows: 0,
        creates: 0,
        updates: 0,
        unchanged: 0,
        deactivations: 0,
        skipped: 0,
        errors: 0,
        deactivate_missing: record.deactivate_missing,
        unknown_columns: Vec::new(),
        lines: Vec::new(),
        fingerprint: String::new(),
        applied_by: record.batch_id.clone(),
    }
}

/// The name of an uploaded file as the trail records it: no path, no control characters.
fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if clean.trim().is_empty() { "import.csv".into() } else { clean.trim().to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_in_any_case_and_unknown_ones_are_named() {
        let header: Vec<String> = ["USERNAME", "Email", "department"].map(String::from).to_vec();
        let columns = Columns::of(&header).unwrap();
        assert_eq!(columns.at[USER_NAME], Some(0));
        assert_eq!(columns.at[EMAIL], Some(1));
        assert_eq!(columns.unknown, ["department"]);
        assert!(Columns::of(&["email".to_string()]).is_err());
        assert!(Columns::of(&["userName".to_string(), "username".to_string()]).is_err());
    }

    #[test]
    fn active_takes_the_usual_spellings() {
        assert_eq!(parse_active("TRUE"), Ok(Some(true)));
        assert_eq!(parse_active("no"), Ok(Some(false)));
        assert_eq!(parse_active(""), Ok(None));
        assert!(parse_active("maybe").is_err());
    }

    #[test]
    fn file_names_lose_their_path() {
        assert_eq!(clean_file_name("C:\\Users\\ada\\people.csv"), "people.csv");
        assert_eq!(clean_file_name("../x/\u{7}"), "import.csv");
    }
}
