//! `flexmap serve`: the HTTP service (`flexmap::serve`) with its settings from flags,
//! logging to stderr, and shutdown on SIGTERM or Ctrl-C.
//!
//! The first line on stderr that starts with `flexmap serve: listening on ` carries the
//! bound address (tests bind port 0 and read it).

use std::path::PathBuf;
use std::time::Duration;

use flexmap::serve::{Options, Server};

use super::{EXIT_OK, EXIT_USAGE};

/// Arguments of `flexmap serve`.
#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// The rules folder (scanned like `flexmap lint` does; `flexmap.toml` applies).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub rules: PathBuf,
    /// Address to listen on. Anything but a loopback address is reachable from other
    /// machines: put the service behind a token (`--token-file`) then.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
    pub listen: String,
    /// File holding the bearer token every route but /healthz needs (also read from the
    /// environment variable `FLEXMAP_TOKEN`).
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Largest request body in bytes (413 above).
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Deepest JSON nesting of a body (422 above).
    // serde_json's nesting cap, not an Insights fact:
    #[arg(long, value_name = "LEVELS", default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=128))]
    pub max_depth: u16,
    /// Most records in one batch (413 above).
    #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_batch_records: u32,
    /// Time to read and answer one request, in milliseconds (408 after).
    #[arg(long, value_name = "MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(1..))]
    pub timeout_ms: u64,
    /// Apply requests mapped at once [default: the number of cores]. More wait, within
    /// --timeout-ms.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub max_concurrent: Option<u32>,
    /// Apply requests admitted at once (reading their body, waiting or mapping); more get
    /// 503 `overloaded` at once. Bodies take at most this times --max-body-bytes.
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=65536))]
    pub max_queued: u32,
    /// Most connections open at once. At the cap the longest idle connection is closed to
    /// make room. Lowered to fit the open-file limit if that is smaller.
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_connections: u32,
    /// Time from the first byte of a request to the end of its headers, in milliseconds
    /// (the connection is closed after).
    #[arg(long, value_name = "MS", default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_ms: u64,
    /// How long a kept-alive connection may wait for its next request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 30_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout_ms: u64,
    /// Let record values appear in HTTP errors and logs (by default they never do).
    #[arg(long)]
    pub show_values: bool,
    /// After SIGTERM or Ctrl-C, how long in-flight requests may take to finish, in
    /// milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    pub drain_timeout_ms: u64,
    /// Do not reload on file change (SIGHUP still reloads).
    #[arg(long)]
    pub no_watch: bool,
}

/// Runs `flexmap serve`.
pub fn run(args: &ServeArgs) -> u8 {
    init_logging();
    let token = match read_token(args) {
        Ok(token) => token,
        Err(message) => {
            eprintln!("flexmap: {message}");
            return EXIT_USAGE;
        }
    };
    if !args.rules.is_dir() {
        eprintln!(
            "flexmap: the rules folder {} does not exist or is not a folder",
            args.rules.display()
        );
        return EXIT_USAGE;
    }
    let mut options = Options::new(&args.rules);
    options.max_body_bytes = args.max_body_bytes;
    options.max_depth = usize::from(args.max_depth);
    options.max_batch_records = args.max_batch_records as usize;
    options.timeout = Duration::from_millis(args.timeout_ms);
    if let Some(max_concurrent) = args.max_concurrent {
        options.max_concurrent = max_concurrent as usize;
    }
    options.max_queued = args.max_queued as usize;
    options.max_connections = fit_open_files(args.max_connections as usize);
    options.header_read_timeout = Duration::from_millis(args.header_read_timeout_ms);
    options.idle_timeout = Duration::from_millis(args.idle_timeout_ms);
    options.show_values = args.show_values;
    options.token = token;
    options.drain_timeout = Duration::from_millis(args.drain_timeout_ms);
    options.watch = !args.no_watch;
    // Mapping runs on the blocking pool; more threads than cores only add memory (each
    // thread keeps its own allocator heap), so the pool is two threads per core.
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(cores * 2)
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("flexmap: cannot start the async runtime: {e}");
            return EXIT_USAGE;
        }
    };
    let code = runtime.block_on(serve(args, options));
    // A blocking job still running (a mapping that has not reached its next record, a
    // reload stuck on a file) must not hold the exit: wait a little, then leave it.
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    code
}

/// How long the exit waits for blocking jobs still running after the drain.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

async fn serve(args: &ServeArgs, options: Options) -> u8 {
    let has_token = options.token.is_some();
    let listener = match tokio::net::TcpListener::bind(&args.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("flexmap: cannot listen on {}: {e}", args.listen);
            return EXIT_USAGE;
        }
    };
    let address = match listener.local_addr() {
        Ok(address) => address,
        Err(e) => {
            eprintln!("flexmap: cannot read the bound address: {e}");
            return EXIT_USAGE;
        }
    };
    if !address.ip().is_loopback() {
        tracing::warn!(
            "listening on {address}, which other machines can reach{}",
            if has_token {
                ""
            } else {
                "; anyone there can call it: set a token with --token-file or FLEXMAP_TOKEN"
            }
        );
    }
    // Signals are taken over before the address is printed: a SIGTERM right after start
    // must shut down gracefully, not kill the process.
    let shutdown = match shutdown_signal() {
        Ok(shutdown) => shutdown,
        Err(e) => {
            eprintln!("flexmap: cannot listen for SIGTERM and SIGINT: {e}");
            return EXIT_USAGE;
        }
    };
    let server = Server::load(options).await;
    let registry = server.registry();
    eprintln!(
        "flexmap serve: listening on http://{address} ({} ruleset{} serving, {} refused)",
        registry.serving(),
        flexmap::diagnostic::plural(registry.serving()),
        registry.refused()
    );
    match server.run(listener, shutdown).await {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("flexmap: the server failed: {e}");
            EXIT_USAGE
        }
    }
}

/// File descriptors kept free for everything but connections (rule files, the watcher,
/// the listener, logs).
const RESERVED_FILES: u64 = 64;

/// The connection cap, lowered to fit the soft open-file limit (each connection is a file
/// descriptor; running out would make `accept` fail for everyone, `/healthz` included).
fn fit_open_files(wanted: usize) -> usize {
    #[cfg(unix)]
    {
        let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
        if let Some(current) = limit.current {
            let fits = current.saturating_sub(RESERVED_FILES).max(1);
            if (wanted as u64) > fits {
                eprintln!(
                    "flexmap: --max-connections {wanted} lowered to {fits}: the open-file limit is {current} (raise it with `ulimit -n`)"
                );
                return fits as usize;
            }
        }
    }
    wanted
}

/// The token from `--token-file`, else from `FLEXMAP_TOKEN`; surrounding whitespace is cut.
fn read_token(args: &ServeArgs) -> Result<Option<String>, String> {
    let (token, origin) = match &args.token_file {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => (text, format!("the token file {}", path.display())),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        },
        None => match std::env::var("FLEXMAP_TOKEN") {
            Ok(text) => (text, "FLEXMAP_TOKEN".to_owned()),
            Err(_) => return Ok(None),
        },
    };
    let token = token.trim();
    if token.is_empty() {
        return Err(format!("{origin} is empty; put the bearer token in it"));
    }
    Ok(Some(token.to_owned()))
}

/// Logs to stderr; the level comes from `FLEXMAP_LOG` (e.g. `debug`), `info` by default.
fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("FLEXMAP_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .try_init();
}

/// A future that completes on SIGTERM or Ctrl-C (SIGINT); both are taken over now.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => tracing::info!("SIGINT received"),
            _ = terminate.recv() => tracing::info!("SIGTERM received"),
        }
    })
}

/// A future that completes on Ctrl-C.
#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("Ctrl-C received");
    })
}
