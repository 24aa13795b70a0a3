//! The HTTP service behind `flexmap serve` (feature `serve`): rulesets of a folder, mapped
//! over HTTP, reloaded on SIGHUP and on file change, never swapped for a broken version.
//!
//! - `registry`: loading and reloading the rules folder (no HTTP).
//! - `http`: routes, handlers, JSON errors, limits and the bearer token.
//! - `metrics`: Prometheus counters and histograms.
//! - `limits`: JSON depth check and constant-time secret comparison.
//! - `conn`: the accept loop: connection cap, header-read and idle timeouts, graceful drain.
//! - `watch`: the watcher of the rules folder, which survives the folder being replaced.
//!
//! ```no_run
//! # async fn example() -> std::io::Result<()> {
//! let options = flexmap::serve::Options::new("rules-examples");
//! let server = flexmap::serve::Server::load(options).await;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! server.run(listener, async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```

pub mod conn;
pub mod http;
pub mod limits;
pub mod metrics;
pub mod registry;
mod watch;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use arc_swap::ArcSwap;
use tokio::sync::{Mutex, Semaphore};

use metrics::{Metrics, ReloadLabels};
use registry::{Registry, ReloadSummary};

/// At shutdown, how long a connection with no request in progress stays open for a request
/// already on its way (a client that sent one as the signal came is answered, not cut).
const DRAIN_LINGER: Duration = Duration::from_millis(250);

/// Settings of the service. `Options::new` gives the documented defaults.
#[derive(Clone, Debug)]
pub struct Options {
    /// The rules folder.
    pub rules: PathBuf,
    /// Largest request body, in bytes (413 above).
    pub max_body_bytes: usize,
    /// Deepest JSON nesting of a body (422 above).
    pub max_depth: usize,
    /// Most records in one batch (413 above): bounds the answer, which is larger than the
    /// request when records are small.
    pub max_batch_records: usize,
    /// Time to read and answer one request (408 after).
    pub timeout: Duration,
    /// Apply requests mapped at once (on blocking threads); more wait (within `timeout`).
    pub max_concurrent: usize,
    /// Apply requests admitted at once (reading their body, waiting or mapping); more are
    /// answered 503 `overloaded` at once. With `max_body_bytes`, bounds the memory bodies
    /// take.
    pub max_queued: usize,
    /// Most connections open at once; at the cap the longest idle one is closed to make
    /// room, else new ones wait in the kernel's queue.
    pub max_connections: usize,
    /// Time from the first byte of a request to the end of its head (trickled headers are
    /// cut).
    pub header_read_timeout: Duration,
    /// Time a kept-alive connection may wait for its next request.
    pub idle_timeout: Duration,
    /// Record values may appear in HTTP errors and logs (off: never).
    pub show_values: bool,
    /// Bearer token every route but `/healthz` needs, when set.
    pub token: Option<String>,
    /// After a shutdown signal, how long in-flight requests may take to finish.
    pub drain_timeout: Duration,
    /// Reload when a file of the rules folder changes.
    pub watch: bool,
    /// Quiet time after the last file event before a reload.
    pub debounce: Duration,
}

impl Options {
    /// Defaults: 1 MiB bodies, depth 32, 10,000 records a batch, 5 s per request, one
    /// mapping per core, 64 admitted applies, 1024 connections, 10 s to read a request
    /// head, 30 s idle keep-alive, no token, values never shown, 10 s drain, watching with
    /// a 200 ms debounce.
    pub fn new(rules: impl Into<PathBuf>) -> Options {
        Options {
            rules: rules.into(),
            max_body_bytes: 1024 * 1024,
            max_depth: 32,
            max_batch_records: 10_000,
            timeout: Duration::from_secs(5),
            max_concurrent: std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            max_queued: 64,
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            show_values: false,
            token: None,
            drain_timeout: Duration::from_secs(10),
            watch: true,
            debounce: Duration::from_millis(200),
        }
    }
}

/// What the handlers share.
#[derive(Debug)]
pub struct AppState {
    /// Settings.
    pub options: Options,
    /// The rulesets; swapped whole at each reload, so a request sees one consistent version.
    pub registry: ArcSwap<Registry>,
    /// Metrics.
    pub metrics: Metrics,
    /// Apply requests mapped at once (a permit is held by the mapping job itself, so a
    /// request answered 408 keeps its permit until its job has stopped).
    pub permits: Arc<Semaphore>,
    /// Apply requests admitted at once.
    pub admitted: Arc<Semaphore>,
    /// One reload at a time.
    reload_lock: Mutex<()>,
}

/// A loaded server, ready to run on a listener. It already watches the folder and listens
/// for SIGHUP, so a change made right after `load` is not missed.
pub struct Server {
    state: Arc<AppState>,
    watcher: Option<watch::Watching>,
    #[cfg(unix)]
    hangup: Option<tokio::signal::unix::Signal>,
}

impl Server {
    /// Loads the rules folder. Never fails: rulesets with errors are listed as refused, and
    /// a folder that cannot be read leaves the registry empty with its error (so the
    /// service still starts, `/healthz` answers 503, and a fixed folder loads on reload).
    pub async fn load(options: Options) -> Server {
        let state = Arc::new(AppState {
            permits: Arc::new(Semaphore::new(options.max_concurrent.max(1))),
            admitted: Arc::new(Semaphore::new(options.max_queued.max(1))),
            options,
            registry: ArcSwap::from_pointee(Registry::default()),
            metrics: Metrics::new(),
            reload_lock: Mutex::new(()),
        });
        reload(&state, "startup").await;
        let watcher = if state.options.watch {
            watch::start(&state)
        } else {
            None
        };
        #[cfg(unix)]
        let hangup = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
            Ok(hangup) => Some(hangup),
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGHUP; reload by file change only");
                None
            }
        };
        Server {
            state,
            watcher,
            #[cfg(unix)]
            hangup,
        }
    }

    /// The current rulesets.
    pub fn registry(&self) -> Arc<Registry> {
        self.state.registry.load_full()
    }

    /// Reloads the rules folder now (as SIGHUP does).
    pub async fn reload(&self) -> ReloadSummary {
        reload(&self.state, "signal").await
    }

    /// Serves on `listener` until `shutdown` completes, then stops accepting connections
    /// and waits for in-flight requests, at most `drain_timeout`.
    ///
    /// # Errors
    /// The listener fails.
    pub async fn run(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let state = self.state;
        let watcher = self.watcher;
        #[cfg(unix)]
        let hangup = self
            .hangup
            .map(|signal| tokio::spawn(reload_on_hangup(Arc::clone(&state), signal)));
        let app = http::router(Arc::clone(&state));
        let limits = conn::ConnLimits {
            max_connections: state.options.max_connections,
            header_read_timeout: state.options.header_read_timeout,
            idle_timeout: state.options.idle_timeout,
            drain_timeout: state.options.drain_timeout,
            linger: DRAIN_LINGER.min(state.options.drain_timeout),
        };
        let result = conn::serve(listener, app, limits, Arc::clone(&state), shutdown).await;
        #[cfg(unix)]
        if let Some(hangup) = hangup {
            hangup.abort();
        }
        drop(watcher);
        tracing::info!("stopped");
        result
    }
}

async fn reload(state: &Arc<AppState>, trigger: &'static str) -> ReloadSummary {
    let _one_at_a_time = state.reload_lock.lock().await;
    let dir = state.options.rules.clone();
    let previous = state.registry.load_full();
    let joined = tokio::task::spawn_blocking(move || registry::reload(&dir, &previous)).await;
    let (registry, summary) = match joined {
        Ok(result) => result,
        Err(error) => {
            tracing::error!(%error, "reload failed inside the server; nothing changed");
            let summary = ReloadSummary {
                failed: Some(error.to_string()),
                ..ReloadSummary::default()
            };
            count_reload(state, trigger, &summary);
            return summary;
        }
    };
    log_reload(&registry, &summary, trigger, &state.options.rules);
    state.metrics.serving.set(registry.serving() as i64);
    state.metrics.refused.set(registry.refused() as i64);
    state.registry.store(Arc::new(registry));
    count_reload(state, trigger, &summary);
    summary
}

fn count_reload(state: &AppState, trigger: &'static str, summary: &ReloadSummary) {
    let labels = ReloadLabels {
        trigger: trigger.to_owned(),
    };
    state.metrics.reloads.get_or_create(&labels).inc();
    if summary.is_failure() {
        state.metrics.reload_failures.get_or_create(&labels).inc();
    }
}

fn log_reload(registry: &Registry, summary: &ReloadSummary, trigger: &str, dir: &Path) {
    if let Some(failed) = &summary.failed {
        tracing::error!(trigger, "reload refused: {failed}");
        if let Some(error) = &registry.error {
            for line in &error.diagnostics {
                tracing::error!("  {line}");
            }
        }
        return;
    }
    for name in &summary.loaded {
        tracing::info!(trigger, ruleset = %name, "loaded");
    }
    for name in &summary.recovered {
        tracing::info!(trigger, ruleset = %name, "recovered: the file is back to the served version");
    }
    for name in &summary.removed {
        tracing::warn!(trigger, ruleset = %name, "removed: its file is gone");
    }
    for (name, message) in &summary.refused {
        tracing::error!(trigger, ruleset = %name, "refused: {message}");
        if let Some(error) = registry
            .get(name)
            .and_then(|e| e.last_reload_error.as_ref())
        {
            for line in &error.diagnostics {
                tracing::error!("  {line}");
            }
        }
    }
    tracing::info!(
        trigger,
        "rules folder {}: {} serving, {} refused, {} unchanged",
        dir.display(),
        registry.serving(),
        registry.refused(),
        summary.unchanged.len()
    );
}

#[cfg(unix)]
async fn reload_on_hangup(state: Arc<AppState>, mut hangups: tokio::signal::unix::Signal) {
    while hangups.recv().await.is_some() {
        tracing::info!("SIGHUP: reloading");
        reload(&state, "signal").await;
    }
}
