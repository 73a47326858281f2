use clap::Parser;
use sluice_server::clock::{Clock, SystemClock};
use sluice_server::config::{Cli, Command, ServeArgs, TenantCommand};
use sluice_server::tenants::{self, demo, NewTenant};
use std::io::Read;
use std::process::ExitCode;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "sluice_server=info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Tenant(TenantCommand::Create { data_dir, name, admin_email })) => {
            create_tenant(data_dir, name, admin_email)
        }
        Some(Command::Precompress { dist_dir }) => precompress(&dist_dir),
        None => run_server(cli.serve),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("sluice-server: {message}");
            ExitCode::FAILURE
        }
    }
}

fn create_tenant(data_dir: std::path::PathBuf, name: String, admin_email: String) -> Result<(), String> {
    let mut password = String::new();
    std::io::stdin().read_to_string(&mut password).map_err(|e| format!("reading the password from stdin: {e}"))?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    let store = sluice_server::store::Store::open(&data_dir)?;
    let new = NewTenant { name, admin_email, admin_password: password };
    let created = tenants::create(&store, &new, SystemClock.now_ms()).map_err(|e| match e {
        sluice_server::error::AppError::Validation(fields) => {
            fields.0.iter().map(|(field, why)| format!("{field}: {why}")).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    })?;
    println!("apiKey={}", created.api_key);
    println!("tenantId={}", created.tenant_id);
    Ok(())
}

fn precompress(dist_dir: &std::path::Path) -> Result<(), String> {
    if !dist_dir.join("index.html").exists() {
        return Err(format!("{} holds no built console (index.html); run `make console` first", dist_dir.display()));
    }
    let done = sluice_server::web::precompress(dist_dir);
    println!("precompressed {} of {} files in {}", done.written, done.files, dist_dir.display());
    Ok(())
}

fn run_server(args: ServeArgs) -> Result<(), String> {
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let clock = sluice_server::clock::from_env();
        let listen = args.listen;
        let demo_mode = args.demo;
        let data_dir = args.data_dir.clone();
        let state = sluice_server::build_state(args, clock.clone())?;
        let listener =
            tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        if demo_mode {
            let store = state.store.clone();
            let login = tokio::task::spawn_blocking(move || demo::ensure(&store, &data_dir, clock.now_ms()))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| format!("seeding the demo tenant: {e}"))?;
            sluice_server::start_demos(&state, &login.tenant_id).await?;
            println!();
            println!("  Sluice is running at http://{addr}");
            println!("  Log in as {} with password {}", login.email, login.password);
            println!(
                "  (demo tenant \"{}\"; the login is kept in {}/demo-login.txt)",
                demo::DEMO_TENANT,
                state.config.data_dir.display()
            );
            println!();
        } else {
            println!("Sluice is running at http://{addr}");
        }
        tracing::info!(%addr, "listening");
        sluice_server::serve(listener, state, shutdown_signal()).await.map_err(|e| e.to_string())
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
