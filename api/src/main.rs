//! `pmt`: the PMT Business server and its administration commands.

mod app;
mod auth;
mod cli;
mod config;
mod data_dir_lock;
mod email;
mod error;
mod middleware;
mod outbound;
mod routes;
mod server;
mod signature;
mod spec;
mod startup;
mod state;
mod telemetry;
mod wording;
mod workers;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "pmt",
    version,
    about = "PMT Business: sourcing marketplace of the BFC health-tech cluster"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run migrations, start the background workers and serve the API.
    Serve {
        /// On an empty database, load a demo data set and print its credentials.
        #[arg(long)]
        seed_demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document the server serves.
    Openapi,
    /// Administration tasks.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Typeset a competence booklet's data (stdin) as a PDF (stdout): the
    /// server's child process, not for people.
    #[command(name = "typeset-booklet", hide = true)]
    TypesetBooklet {
        #[arg(long)]
        edition: chrono::NaiveDate,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an expert or admin account (they never self-register).
    CreateUser {
        /// `expert` or `admin`.
        #[arg(long)]
        role: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Read from the environment so it stays out of shell history.
        #[arg(long, env = "PMT_NEW_USER_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Rebuild the capability index from the database. With the embedded
    /// index, stop the server first (one writer per index directory).
    Reindex,
    /// Import the cluster's existing supplier profiles from a CSV or JSON
    /// file (published at once, no user accounts). Row by row: rejected
    /// rows are reported, re-running the same file changes nothing.
    /// Ctrl-C stops between rows and prints where to resume.
    ImportSuppliers {
        /// A `.csv` or `.json` file; see the module docs of `app::import`.
        file: PathBuf,
        /// Validate every row with the same rules and report what would be
        /// created, updated, unchanged and rejected; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Skip the rows before this CSV line number (JSON index), as an
        /// interrupted import prints.
        #[arg(long, value_name = "ROW")]
        start_at: Option<u64>,
    },
    /// Write the published directory (`suppliers`, in the import's format)
    /// or the requests of a period (`requests`, CSV).
    #[command(subcommand)]
    Export(ExportCommand),
    /// Copy the embedded SQLite database to PATH while the server runs
    /// (PostgreSQL: use pg_dump).
    Backup {
        /// A new file; an existing one is never overwritten.
        path: PathBuf,
    },
    /// Replace the embedded SQLite database with a backup. Refused while a
    /// server or another command uses the data directory.
    Restore { path: PathBuf },
    /// Check the configuration and reach every dependency (database,
    /// index, SMTP) without changing anything; exit 1 if any check fails.
    Doctor,
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Every published supplier, as `import-suppliers` reads it back.
    Suppliers {
        #[arg(long, value_enum, default_value = "csv")]
        format: app::import::ExportFormat,
        /// Where to write; stdout by default.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// The requests created from --from to --to (both days included, UTC)
    /// as CSV, with the date each status was first reached.
    Requests {
        /// First day, YYYY-MM-DD.
        #[arg(long)]
        from: chrono::NaiveDate,
        /// Last day, YYYY-MM-DD.
        #[arg(long)]
        to: chrono::NaiveDate,
        /// Where to write; stdout by default.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            if error.is::<cli::progress::Interrupted>() {
                // As a shell reports a process ended by SIGINT.
                std::process::ExitCode::from(130)
            } else {
                std::process::ExitCode::FAILURE
            }
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Openapi => {
            println!("{}", server::openapi_document().to_pretty_json()?);
            Ok(())
        }
        Command::Serve { seed_demo } => startup::serve(seed_demo).await,
        Command::TypesetBooklet { edition } => app::booklet::typesetter::run_child(edition),
        Command::Migrate => startup::migrate_only().await,
        Command::Admin(AdminCommand::CreateUser {
            role,
            email,
            name,
            password,
        }) => startup::create_user(&role, &email, &name, &password).await,
        Command::Admin(AdminCommand::Reindex) => startup::reindex().await,
        Command::Admin(AdminCommand::ImportSuppliers {
            file,
            dry_run,
            start_at,
        }) => {
            let mode = if dry_run {
                app::import::ImportMode::DryRun
            } else {
                app::import::ImportMode::Apply
            };
            startup::import_suppliers(&file, mode, start_at).await
        }
        Command::Admin(AdminCommand::Export(ExportCommand::Suppliers { format, output })) => {
            cli::export::suppliers(format, output.as_deref()).await
        }
        Command::Admin(AdminCommand::Export(ExportCommand::Requests { from, to, output })) => {
            cli::export::requests(from, to, output.as_deref()).await
        }
        Command::Admin(AdminCommand::Backup { path }) => cli::backup::backup(&path).await,
        Command::Admin(AdminCommand::Restore { path }) => cli::restore::restore(&path).await,
        Command::Admin(AdminCommand::Doctor) => cli::doctor::doctor().await,
    }
}
