//! The `cim` command: `serve`, `admin create`, `scim-credential create`, `demo-data`, `import`,
//! `report`.

use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::{Parser, Subcommand};
use leptos::config::LeptosOptions;

use super::config::Config;
use super::router::build_router;
use super::state::AppState;
use crate::auth::secrets::new_id;
use crate::domain::admins::Role;
use crate::domain::audit::AuditFilter;
use crate::domain::credentials::{AccessPolicy, Brake, CredentialKind, DeleteMode, OwnedField, ProvisioningPolicy};
use crate::domain::reports::{Report, ReportQuery};
use crate::service::{Actor, DemoSize, ReportOptions, ServiceError, Services, SystemClock};
use crate::storage::{Store, Workload};

#[derive(Parser)]
#[command(name = "cim", about = "Central identity management: console and SCIM server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the console on the configured address.
    Serve,
    /// Manage console administrators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Manage the credentials SCIM clients sign in with.
    ScimCredential {
        #[command(subcommand)]
        command: CredentialCommand,
    },
    /// Fill the store with realistic users, workspaces and grants.
    DemoData {
        #[arg(long, default_value_t = 1000)]
        users: usize,
        #[arg(long, default_value_t = 20)]
        workspaces: usize,
        /// Also one workspace granted to this many of the users.
        #[arg(long, default_value_t = 0)]
        big_workspace: usize,
        /// Record a year of history: this many changes in the audit trail (besides each user's
        /// and workspace's creation), ending in the state loaded.
        #[arg(long, default_value_t = 0)]
        history: usize,
    },
    /// Import users from a CSV file (userName, externalId, givenName, familyName, email, active,
    /// workspaces): prints the dry run, then applies it as shown unless --dry-run.
    Import {
        /// The CSV file, or `-` for standard input.
        file: String,
        /// Only print what importing would do.
        #[arg(long)]
        dry_run: bool,
        /// Also deactivate active users who are not in the file.
        #[arg(long)]
        deactivate_missing: bool,
    },
    /// Write a report as CSV, as the console's Reports page does (for scheduled snapshots).
    Report {
        #[arg(value_parser = ["disabled-users", "users", "access-matrix", "access-changes", "audit"])]
        report: String,
        /// The file to write, or `-` for standard output.
        #[arg(long)]
        out: String,
        /// disabled-users and access-matrix: as they were at this UTC time ("2026-10-01" or
        /// "2026-10-01T08:00"), rebuilt from the audit trail.
        #[arg(long)]
        as_of: Option<String>,
        /// audit and access-changes: from this UTC time on.
        #[arg(long)]
        from: Option<String>,
        /// audit and access-changes: before this UTC time.
        #[arg(long)]
        to: Option<String>,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an administrator. Reads the password from stdin with --password-stdin; otherwise
    /// generates one and prints it once.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "security_admin", value_parser = ["security_admin", "auditor"])]
        role: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
enum CredentialCommand {
    /// Issue a credential and print its secret once (for automation).
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "bearer", value_parser = ["bearer", "basic"])]
        kind: String,
        /// Who owns workspace access: the console (grants sent are added, or ignored), or the
        /// identity provider (a PUT sets exactly the workspaces it sends).
        #[arg(long, default_value = "console_add", value_parser = ["console_add", "console", "provider"])]
        access: String,
        /// What a DELETE does: deactivate and keep the user, or delete it.
        #[arg(long, default_value = "deactivate", value_parser = ["deactivate", "delete"])]
        on_delete: String,
        /// Profile fields the identity provider owns, comma-separated (user_name, external_id,
        /// names, email, active), or "none".
        #[arg(long, default_value = "user_name,external_id,names,email,active")]
        owns: String,
        /// Turns off the brake on mass deactivation and deletion (scripts that remove in bulk).
        #[arg(long)]
        no_brake: bool,
    },
}

type CliResult = Result<(), Box<dyn std::error::Error>>;

pub async fn run() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Serve => serve().await,
        Command::Admin { command: AdminCommand::Create { username, role, password_stdin } } => {
            create_admin(&username, &role, password_stdin).await
        }
        Command::DemoData { users, workspaces, big_workspace, history } => {
            demo_data(DemoSize { users, workspaces, big_workspace, history }).await
        }
        Command::ScimCredential { command: CredentialCommand::Create { name, kind, access, on_delete, owns, no_brake } } => {
            let policy = ProvisioningPolicy {
                access: AccessPolicy::parse(&access).unwrap_or_default(),
                owned: OwnedField::parse_list(&owns),
                on_delete: DeleteMode::parse(&on_delete).unwrap_or_default(),
                brake: Brake { on: !no_brake, ..Brake::default() },
            };
            create_credential(&name, &kind, &policy).await
        }
        Command::Import { file, dry_run, deactivate_missing } => import(&file, dry_run, deactivate_missing).await,
        Command::Report { report, out, as_of, from, to } => {
            let query = ReportQuery { as_of: as_of.unwrap_or_default(), from: from.unwrap_or_default(), to: to.unwrap_or_default(), tz: String::new() };
            write_report(&report, &out, query).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cim: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn open_services(config: &Config, workload: Workload) -> Result<Services, Box<dyn std::error::Error>> {
    Ok(open_store(config, workload).await?.1)
}

/// The store, and the services over it (the server also keeps console sessions in the store).
async fn open_store(config: &Config, workload: Workload) -> Result<(Store, Services), Box<dyn std::error::Error>> {
    let store = Store::open(&config.database_url, config.lock_wait, workload).await?;
    let services = Services::new(store.clone(), Arc::new(SystemClock));
    Ok((store, services))
}

async fn serve() -> CliResult {
    let config = Config::from_env()?;
    let (sessions, services) = open_store(&config, Workload::Serve).await?;
    let services = match config.provisioning_log_days {
        0 => services,
        days => services.with_provisioning_log(days),
    };
    ensure_first_admin(&services, &config).await?;
    // Expired sessions are removed hourly, so nothing kept in one outlives it for long.
    tokio::spawn(sessions.clone().keep_deleting_expired_sessions(std::time::Duration::from_secs(3600)));
    let leptos_options = LeptosOptions::builder()
        .output_name("cim")
        .site_root(config.site_root.clone())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build();
    let router = build_router(AppState { services: services.clone(), leptos_options }, &config, sessions);
    let listener = tokio::net::TcpListener::bind(config.addr).await?;
    tracing::info!(addr = %config.addr, "CIM console listening");
    println!("CIM console: http://{}/", config.addr);
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    services.flush_provisioning_log().await;
    Ok(())
}

/// With no administrator yet, creates `admin` with a generated password and prints it once:
/// there is never a default password.
async fn ensure_first_admin(services: &Services, config: &Config) -> CliResult {
    if services.count_admins().await? > 0 {
        return Ok(());
    }
    let password = match services.create_admin_with_one_time_password(&Actor::system(new_id()), "admin", Role::SecurityAdmin).await {
        Ok(one_time) => one_time.password,
        // Another instance starting at the same time on the same database made it first: that
        // one prints the password, this one just serves.
        Err(ServiceError::Conflict { .. }) => return Ok(()),
        Err(other) => return Err(other.into()),
    };
    println!();
    println!("  First start: created the administrator 'admin' with this one-time password:");
    println!();
    println!("      {password}");
    println!();
    println!("  Sign in at http://{}/login and choose your own password; this one is not shown again.", config.addr);
    println!("  More administrators: cim admin create --username NAME");
    println!();
    Ok(())
}

async fn create_admin(username: &str, role: &str, password_stdin: bool) -> CliResult {
    let config = Config::from_env()?;
    let services = open_services(&config, Workload::Serve).await?;
    let role = Role::parse(role).ok_or("unknown role")?;
    let actor = Actor::system(new_id());
    if password_stdin {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        services.create_admin(&actor, username, text.trim_end_matches(['\r', '\n']), role).await?;
        println!("Created administrator {username} ({}).", role.as_str());
    } else {
        let one_time = services.create_admin_with_one_time_password(&actor, username, role).await?;
        println!(
            "Created administrator {username} ({}). One-time password, shown once (a new one is chosen at first sign-in): {}",
            role.as_str(),
            one_time.password
        );
    }
    Ok(())
}

async fn create_credential(name: &str, kind: &str, policy: &ProvisioningPolicy) -> CliResult {
    let config = Config::from_env()?;
    let services = open_services(&config, Workload::Serve).await?;
    let kind = CredentialKind::parse(kind).ok_or("unknown credential kind")?;
    let issued = services.issue_scim_credential(&Actor::system(new_id()), name, kind, policy).await?;
    match issued.credential.username {
        Some(username) => println!("Issued basic credential {name}. User name: {username}  Secret, shown once: {}", issued.secret),
        None => println!("{}", issued.secret),
    }
    Ok(())
}

async fn demo_data(size: DemoSize) -> CliResult {
    let config = Config::from_env()?;
    let services = open_services(&config, Workload::BulkLoad).await?;
    let started = Instant::now();
    services.load_demo_data(&Actor::system(new_id()), size).await?;
    let history = if size.history > 0 { format!(" with {} changes of history", size.history) } else { String::new() };
    println!("Added {} users and {} workspaces{history} in {:.1} s.", size.users, size.workspaces, started.elapsed().as_secs_f64());
    Ok(())
}

async fn import(file: &str, dry_run: bool, deactivate_missing: bool) -> CliResult {
    let config = Config::from_env()?;
    let services = open_services(&config, Workload::BulkLoad).await?;
    super::import_cli::import(&services, file, dry_run, deactivate_missing).await
}

async fn write_report(report: &str, out: &str, query: ReportQuery) -> CliResult {
    use std::io::Write;
    let report = Report::parse(report).ok_or("unknown report")?;
    let config = Config::from_env()?;
    let services = open_services(&config, Workload::Serve).await?;
    let (from, to) = query.range()?;
    let options = ReportOptions { filter: AuditFilter { from, to, ..Default::default() }, target_name: String::new(), as_of: query.as_of(services.now_ms())? };
    let mut file = services.export_report(&Actor::system(new_id()), report, options).await?;
    // Blocking writes are fine here: this process does nothing else.
    let mut writer: Box<dyn Write> = if out == "-" {
        Box::new(std::io::stdout().lock())
    } else {
        Box::new(std::io::BufWriter::new(std::fs::File::create(out).map_err(|e| format!("cannot create {out}: {e}"))?))
    };
    while let Some(chunk) = file.chunks.recv().await {
        writer.write_all(chunk?.as_bytes())?;
    }
    writer.flush()?;
    if out != "-" {
        eprintln!("Wrote {} to {out}.", report.title().to_lowercase());
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut sig) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            sig.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
