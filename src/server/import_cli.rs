//! `cim import FILE [--dry-run] [--deactivate-missing]`: the console's CSV import from the
//! command line. Prints the dry run (every line that is not unchanged); without --dry-run then
//! applies it as shown, waits for the batch, and prints what it did. Fails (exit status 1) on a
//! file with errors and when any user could not be changed.

use std::io::Read;
use std::time::{Duration, Instant};

use crate::auth::secrets::new_id;
use crate::domain::batches::RowPlan;
use crate::service::{Actor, ImportUpload, Services};

pub async fn import(services: &Services, file: &str, dry_run: bool, deactivate_missing: bool) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let bytes = if file == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes)?;
        bytes
    } else {
        std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))?
    };
    let actor = Actor::system(new_id());
    let upload = ImportUpload { file_name: file.to_string(), bytes, deactivate_missing };
    // A dry run keeps nothing; an import to apply is kept as the console keeps an upload.
    let (id, (preview, lines)) = if dry_run {
        (None, services.dry_run_file(&actor, upload).await?)
    } else {
        let id = services.upload_import(&actor, upload).await?;
        let dry_run = services.import_dry_run(&actor, &id).await?;
        (Some(id), dry_run)
    };
    for line in lines {
        let what = match &line.plan {
            RowPlan::Unchanged => continue,
            RowPlan::Create => "create".to_string(),
            RowPlan::Update(changes) => format!("update: {}", changes.join("; ")),
            RowPlan::Deactivate => "deactivate (not in the file)".to_string(),
            RowPlan::Skipped(reason) => format!("left alone: {reason}"),
            RowPlan::Error(reason) => format!("ERROR {reason}"),
        };
        let at = if line.line == 0 { "-".to_string() } else { line.line.to_string() };
        println!("{at:>7}  {}  {what}", line.user_name);
    }
    println!(
        "Dry run of {} lines: {} to create, {} to update, {} unchanged, {} to deactivate, {} errors ({:.1} s).",
        preview.rows, preview.creates, preview.updates, preview.unchanged, preview.deactivations, preview.errors,
        started.elapsed().as_secs_f64()
    );
    if !preview.unknown_columns.is_empty() {
        println!("Columns not read: {}.", preview.unknown_columns.join(", "));
    }
    if preview.errors > 0 {
        return Err("the file has errors; nothing was imported".into());
    }
    let Some(id) = id.filter(|_| preview.creates + preview.updates + preview.deactivations > 0) else {
        return Ok(());
    };
    let batch = services.apply_import(&actor, &id, &preview.fingerprint, "/imports").await?;
    let applying = Instant::now();
    let done = loop {
        let view = services.batch(&actor, &batch).await?;
        if !view.state.is_running() {
            break view;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    println!(
        "Applied in {:.1} s: {} changed, {} unchanged, {} failed (batch {}).",
        applying.elapsed().as_secs_f64(), done.done, done.unchanged, done.failed, done.id
    );
    for failure in &done.failures {
        println!("  not changed: {}  {}", failure.subject, failure.reason);
    }
    if done.failed > 0 {
        return Err(format!("{} users could not be changed", done.failed).into());
    }
    Ok(())
}
