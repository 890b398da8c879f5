//! `mock-backend`: parses the flags, binds 127.0.0.1, serves [`mock_backend::app`] until Ctrl-C or
//! SIGTERM. See the library's docs for the routes.
//!
//! ```text
//! cargo run -p mock-backend -- [--port 8080] [--dist dist] [--data-dir target/mock-data]
//!                              [--expire-secs 600] [--url-delay-ms 1500]
//! ```

use std::io::{IsTerminal, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::str::FromStr;
use std::time::Duration;

use mock_backend::{app, AppState, Config};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

const USAGE: &str = "\
usage: mock-backend [--port N] [--dist DIR] [--data-dir DIR] [--expire-secs N] [--url-delay-ms N]

  --port N           port on 127.0.0.1 (default 8080; 0 picks a free one)
  --dist DIR         the built demo, served at / (default dist)
  --data-dir DIR     where export files are written (default target/mock-data)
  --expire-secs N    how long a file can be downloaded (default 600)
  --url-delay-ms N   convention B's default URL delay (default 1500)

Prints `listening on http://127.0.0.1:PORT` once ready. RUST_LOG sets the log level (default info).";

#[derive(Debug)]
struct Args {
    port: u16,
    config: Config,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Option<Args>, String> {
    fn value<T: FromStr>(flag: &str, v: Option<String>) -> Result<T, String> {
        let v = v.ok_or_else(|| format!("{flag} needs a value"))?;
        v.parse().map_err(|_| format!("{flag}: not a valid value: {v:?}"))
    }
    let mut port = 8080u16;
    let mut config = Config::default();
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        // Accept both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut next = || inline.clone().or_else(|| it.next());
        match flag.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" => port = value(&flag, next())?,
            "--dist" => config.dist_dir = value::<PathBuf>(&flag, next())?,
            "--data-dir" => config.data_dir = value::<PathBuf>(&flag, next())?,
            "--expire-secs" => config.expire_after = Duration::from_secs(value(&flag, next())?),
            "--url-delay-ms" => config.url_delay_ms = value(&flag, next())?,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(Args { port, config }))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// The one line scripts wait for, on stdout, flushed at once.
#[allow(clippy::print_stdout)] // the startup line is this program's interface
fn announce(addr: SocketAddr) {
    println!("listening on http://{addr}");
    let _ = std::io::stdout().flush();
}

#[allow(clippy::print_stderr)] // errors before logging is set up
fn fail(message: &str) -> ExitCode {
    eprintln!("mock-backend: {message}");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            #[allow(clippy::print_stdout)] // --help
            {
                println!("{USAGE}");
            }
            return ExitCode::SUCCESS;
        }
        Err(e) => return fail(&format!("{e}\n\n{USAGE}")),
    };
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| Targets::from_str(&v).ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_ansi(std::io::stderr().is_terminal()))
        .with(filter)
        .init();

    let listener = match tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, args.port)).await {
        Ok(l) => l,
        Err(e) => return fail(&format!("cannot listen on 127.0.0.1:{}: {e}", args.port)),
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => return fail(&format!("cannot read the bound address: {e}")),
    };
    let mut config = args.config;
    config.public_host = addr.to_string();
    if let Err(e) = std::fs::create_dir_all(&config.data_dir) {
        return fail(&format!("cannot create {}: {e}", config.data_dir.display()));
    }
    tracing::info!(data_dir = %config.data_dir.display(), dist = %config.dist_dir.display(),
        expire_secs = config.expire_after.as_secs(), "starting");
    let state = AppState::new(config);

    let sweeper = {
        let state = state.clone();
        let every = state.config().expire_after.clamp(Duration::from_secs(1), Duration::from_secs(30));
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let n = state.sweep_expired();
                if n > 0 {
                    tracing::info!(files = n, "expired files deleted");
                }
            }
        })
    };

    announce(addr);
    let served = axum::serve(listener, app(state.clone())).with_graceful_shutdown(shutdown_signal()).await;
    sweeper.abort();
    state.shutdown();
    tracing::info!("stopped");
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "server error");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Args>, String> {
        parse_args(args.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn flags_parse_with_defaults() {
        let a = parse(&[]).unwrap().unwrap();
        assert_eq!(a.port, 8080);
        assert_eq!(a.config.dist_dir, PathBuf::from("dist"));
        let a = parse(&["--port", "0", "--dist=www", "--data-dir", "/tmp/x", "--expire-secs", "5"]).unwrap().unwrap();
        assert_eq!(
            (a.port, a.config.dist_dir, a.config.expire_after),
            (0, PathBuf::from("www"), Duration::from_secs(5))
        );
        assert!(parse(&["--help"]).unwrap().is_none());
        assert!(parse(&["--port", "x"]).is_err());
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
    }
}
