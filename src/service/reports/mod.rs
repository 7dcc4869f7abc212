//! Reports: dated CSV files built from the store at the moment they are asked for, or as of an
//! earlier one (the user reports are the same code either way, see `point_in_time`). A task
//! writes them a slice at a time into a small channel that the response body (or the command
//! line's file) drains, so memory stays flat at any size and the first bytes leave at once;
//! when the reader goes away the task stops at its next slice.

mod point_in_time;

use serde::Serialize;
use tokio::sync::mpsc;

use super::audit::{actions, describe, event, Change};
use super::{Actor, ServiceError, ServiceResult, Services};
use crate::domain::audit::{door_label, AuditEntry, AuditFilter};
use crate::domain::csv;
use crate::domain::paging::Cursor;
use crate::domain::reports::Report;
use crate::domain::time::iso_utc;

/// Rows read from the store per query.
const SLICE: usize = 1_000;
/// Bytes handed on at a time.
const CHUNK_BYTES: usize = 64 * 1024;
/// Chunks written ahead of the reader, at most.
const CHUNKS_AHEAD: usize = 4;
/// Reports being written at once, at most, in this process: each reads the store from start
/// to end, and one rebuilt as of an earlier moment holds the users changed since in memory.
static EXPORTS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// What a report is asked for besides its kind: the audit report's filters (its target by
/// name too), the access-changes report's time range (`filter.from`, `filter.to`), and the
/// moment the disabled-users and access-matrix reports are rebuilt as of.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    pub filter: AuditFilter,
    pub target_name: String,
    pub as_of: Option<i64>,
}

/// A report on its way: its file name and its text, in chunks. An error ends it early.
pub struct ReportFile {
    pub file_name: String,
    pub chunks: mpsc::Receiver<ServiceResult<String>>,
}

#[derive(Serialize)]
struct ExportAudit<'a> {
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    filters: Option<&'a AuditFilter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    as_of: Option<String>,
}

/// Where a report's text goes: chunks of about [`CHUNK_BYTES`], until the reader goes away.
struct Sink {
    buffer: String,
    out: mpsc::Sender<ServiceResult<String>>,
}

impl Sink {
    /// Adds one record; false once nobody reads any more.
    async fn record<S: AsRef<str>>(&mut self, cells: &[S]) -> bool {
        self.buffer.push_str(&csv::record(cells));
        if self.buffer.len() < CHUNK_BYTES {
            return true;
        }
        self.flush().await
    }

    /// True once nobody reads any more (long preparations stop early).
    fn closed(&self) -> bool {
        self.out.is_closed()
    }

    async fn flush(&mut self) -> bool {
        let chunk = std::mem::take(&mut self.buffer);
        chunk.is_empty() || self.out.send(Ok(chunk)).await.is_ok()
    }
}

impl Services {
    /// Starts `report` for `actor` and records the export in the audit trail.
    pub async fn export_report(&self, actor: &Actor, report: Report, options: ReportOptions) -> ServiceResult<ReportFile> {
        let permit = EXPORTS.try_acquire().map_err(|_| ServiceError::Throttled("Two reports are being made already; try again when one is done.".into()))?;
        let now = self.now();
        let as_of = options.as_of.filter(|_| report.has_as_of());
        let file_name = report.file_name(now, as_of);
        let filter = match report {
            Report::Audit => self.resolve_audit_filter(options.filter, &options.target_name).await?,
            Report::AccessChanges => Some(AuditFilter { from: options.filter.from, to: options.filter.to, ..Default::default() }),
            _ => Some(AuditFilter::default()),
        };
        let mut tx = self.store.write().await?;
        let state = ExportAudit {
            file: &file_name,
            filters: filter.as_ref().filter(|_| matches!(report, Report::Audit | Report::AccessChanges)),
            as_of: as_of.map(iso_utc),
        };
        let change = Change { action: actions::REPORT_EXPORT, target_kind: "report", target_id: report.slug(), target_name: report.title() };
        tx.append_audit(&event(actor, change, None::<&()>, Some(&state), now)).await?;
        tx.commit().await?;
        let (out, chunks) = mpsc::channel(CHUNKS_AHEAD);
        let services = self.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let mut sink = Sink { buffer: String::new(), out: out.clone() };
            // A target named but not found: the audit report is its header alone.
            let written = match filter {
                Some(filter) => services.write_report(report, &filter, as_of, &mut sink).await,
                None => Ok(sink.record(report.header()).await),
            };
            match written {
                Ok(_) => {
                    sink.flush().await;
                }
                Err(err) => {
                    tracing::error!(report = report.slug(), error = %super::error_chain(&err), "report failed");
                    let _ = out.send(Err(err)).await;
                }
            }
        });
        Ok(ReportFile { file_name, chunks })
    }

    /// Writes the whole report; Ok(false) when the reader went away first.
    async fn write_report(&self, report: Report, filter: &AuditFilter, as_of: Option<i64>, sink: &mut Sink) -> ServiceResult<bool> {
        if !sink.record(report.header()).await {
            return Ok(false);
        }
        match report {
            Report::Audit => self.write_audit(filter, sink).await,
            Report::AccessChanges => self.write_access_changes(filter, sink).await,
            // The state now is the state as of now: nothing to undo but what lands meanwhile.
            _ => self.write_as_of(report, as_of.unwrap_or_else(|| self.now()), sink).await,
        }
    }

    async fn write_audit(&self, filter: &AuditFilter, sink: &mut Sink) -> ServiceResult<bool> {
        if let Some(request) = &filter.request {
            for record in self.store.audit_of_request(request).await? {
                if !sink.record(&audit_cells(describe(record))).await {
                    return Ok(false);
                }
            }
            return Ok(true);
        }
        let mut cursor = Cursor::First;
        loop {
            let records = self.store.audit_page(filter, &cursor, SLICE).await?;
            let full = records.len() == SLICE;
            if let Some(last) = records.last() {
                cursor = Cursor::After(last.key());
            }
            for record in records {
                if !sink.record(&audit_cells(describe(record))).await {
                    return Ok(false);
                }
            }
            if !full {
                return Ok(true);
            }
        }
    }
}

fn active_text(active: bool) -> &'static str {
    if active { "true" } else { "false" }
}

fn audit_cells(e: AuditEntry) -> Vec<String> {
    let names = |subjects: &[crate::domain::audit::Subject]| subjects.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join("; ");
    let mut changes = e.changes.iter().map(|c| format!("{}: {} -> {}", c.field, c.before, c.after)).collect::<Vec<_>>().join("; ");
    if let Some(file) = &e.imported_from {
        changes = format!("{changes} (imported from {file})").trim_start().to_string();
    }
    vec![
        iso_utc(e.at),
        e.actor.name.clone(),
        e.actor.kind.clone(),
        door_label(&e.door).to_string(),
        e.action.clone(),
        e.target.kind.clone(),
        e.target.name.clone(),
        e.target.id.clone(),
        changes,
        names(&e.granted),
        names(&e.revoked),
        e.request_id.clone(),
    ]
}
