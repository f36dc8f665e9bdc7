//! `pmt`: the PMT Business server and its administration commands.

mod app;
mod auth;
mod config;
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
    ImportSuppliers {
        /// A `.csv` or `.json` file; see the module docs of `app::import`.
        file: std::path::PathBuf,
    },
}

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
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
        Command::Migrate => startup::migrate_only().await,
        Command::Admin(AdminCommand::CreateUser {
            role,
            email,
            name,
            password,
        }) => startup::create_user(&role, &email, &name, &password).await,
        Command::Admin(AdminCommand::Reindex) => startup::reindex().await,
        Command::Admin(AdminCommand::ImportSuppliers { file }) => {
            startup::import_suppliers(&file).await
        }
    }
}
