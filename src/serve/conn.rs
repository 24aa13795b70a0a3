//! Connections of `flexmap serve`: the accept loop over hyper's HTTP/1 connection builder,
//! with a cap on open connections, a header-read timeout, an idle keep-alive timeout, and a
//! graceful shutdown that answers every request already received.
//!
//! The two timeouts are told apart as Go's `http.Server` does (hyper's own
//! `header_read_timeout` starts when a kept-alive connection turns idle, so it cannot):
//!
//! - a connection with no request in progress and no byte of the next one is **idle**; it
//!   is closed `idle_timeout` after its last answer (or after it was accepted);
//! - from the first byte of a request until its head is complete, the **header-read**
//!   timeout runs; a head that is not complete in time (trickled headers) closes the
//!   connection;
//! - while a request is being answered neither runs (the request's own time limit does).
//!
//! At the connection cap no new connection is accepted (the kernel queues it) and the
//! connection idle the longest, if any, is closed to make room, so a flood of idle or
//! half-open connections cannot lock out `/healthz`.
//!
//! At shutdown the listener first takes every connection the kernel already queued, then
//! closes. Every connection keeps being served, each answer says `Connection: close`, and a
//! connection with no request in progress is closed after a short linger (a request already
//! on the wire is read and answered in that time). Whatever is still open after the drain
//! timeout is cut.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderValue, Request, header};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tower::ServiceExt as _;

use super::AppState;
use super::metrics::CloseLabels;

/// Most connections taken from the kernel's queue at shutdown (its length on Linux).
const SWEEP_MAX: usize = 4096; // not an Insights fact

/// Connection limits (from `Options`).
#[derive(Clone, Copy, Debug)]
pub struct ConnLimits {
    /// Most connections open at once.
    pub max_connections: usize,
    /// Time from the first byte of a request to the end of its head.
    pub header_read_timeout: Duration,
    /// Time a kept-alive connection may wait for the next request.
    pub idle_timeout: Duration,
    /// After the shutdown signal, how long open connections may take to finish.
    pub drain_timeout: Duration,
    /// After the shutdown signal, how long a connection with no request in progress stays
    /// open for a request already on its way.
    pub linger: Duration,
}

/// Where a connection is in its request cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// No request in progress, no byte of the next one; since when.
    Idle(Instant),
    /// Bytes of a request head arrived, the head is not complete; since the first byte.
    Head(Instant),
    /// A request is being answered.
    Busy,
}

/// What the accept loop and a connection's task share about it.
#[derive(Debug)]
struct Activity {
    phase: Mutex<Phase>,
    /// Asks the connection to close (at the cap, to make room).
    evict: Notify,
}

impl Activity {
    fn new() -> Activity {
        Activity {
            phase: Mutex::new(Phase::Idle(Instant::now())),
            evict: Notify::new(),
        }
    }

    fn phase(&self) -> Phase {
        *self
            .phase
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn set(&self, phase: Phase) {
        *self
            .phase
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = phase;
    }

    /// Bytes were read: on an idle connection, a request head has begun.
    fn read_some(&self) {
        let mut phase = self
            .phase
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Phase::Idle(_) = *phase {
            *phase = Phase::Head(Instant::now());
        }
    }
}

/// Marks a connection idle again when its request is answered (or abandoned).
struct Answered(Arc<Activity>);

impl Drop for Answered {
    fn drop(&mut self) {
        self.0.set(Phase::Idle(Instant::now()));
    }
}

/// A response body that keeps its connection `Busy` until hyper has taken all of it (and
/// dropped it), so a long answer to a slow reader is not cut by the idle timeout.
struct WatchedBody {
    inner: axum::body::Body,
    _answered: Answered,
}

impl hyper::body::Body for WatchedBody {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        self.inner.size_hint()
    }
}

/// The open connections, for eviction at the cap.
#[derive(Debug, Default)]
struct Open {
    next_id: AtomicU64,
    connections: Mutex<HashMap<u64, Arc<Activity>>>,
}

impl Open {
    fn add(&self, activity: &Arc<Activity>) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, Arc::clone(activity));
        id
    }

    fn remove(&self, id: u64) {
        self.lock().remove(&id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Arc<Activity>>> {
        self.connections
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Asks the connection without a request in progress that has waited the longest to
    /// close. False when every connection is answering a request.
    fn evict_one(&self) -> bool {
        let connections = self.lock();
        let oldest = connections
            .values()
            .filter_map(|activity| match activity.phase() {
                Phase::Idle(since) | Phase::Head(since) => Some((since, activity)),
                Phase::Busy => None,
            })
            .min_by_key(|(since, _)| *since);
        match oldest {
            Some((_, activity)) => {
                activity.evict.notify_one();
                true
            }
            None => false,
        }
    }
}

/// A TCP stream that tells its `Activity` when bytes arrive.
struct Tracked {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let result = Pin::new(&mut this.stream).poll_read(cx, buf);
        if matches!(result, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.activity.read_some();
        }
        result
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then drains (see the module
/// documentation).
///
/// # Errors
/// None today: accept errors are logged and retried (a full file table clears as
/// connections close).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnLimits,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let open = Arc::new(Open::default());
    let draining = Arc::new(AtomicBool::new(false));
    let (drain_sender, drain_receiver) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let shared = Shared {
        router,
        limits,
        state,
        open: Arc::clone(&open),
        draining: Arc::clone(&draining),
    };
    tokio::pin!(shutdown);
    'accept: loop {
        let slot = match Arc::clone(&slots).try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                if open.evict_one() {
                    tracing::debug!("at the connection cap: closing the longest idle connection");
                } else {
                    tracing::debug!("at the connection cap: waiting for a connection to end");
                }
                loop {
                    tokio::select! {
                        slot = Arc::clone(&slots).acquire_owned() => match slot {
                            Ok(slot) => break slot,
                            Err(_) => break 'accept,
                        },
                        () = &mut shutdown => break 'accept,
                        Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
                        // The evicted connection may have begun a request meanwhile.
                        () = tokio::time::sleep(Duration::from_millis(250)) => {
                            open.evict_one();
                        }
                    }
                }
            }
        };
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    spawn_connection(&mut tasks, &shared, stream, Some(slot), drain_receiver.clone());
                }
                Err(error) => {
                    drop(slot);
                    accept_failed(&error).await;
                }
            },
            () = &mut shutdown => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
        }
    }

    tracing::info!("shutting down: no new connections, draining in-flight requests");
    draining.store(true, Ordering::SeqCst);
    let _ = drain_sender.send(true);
    // Connections the kernel already completed are taken and drained like the others:
    // their clients may have sent a request already. Then the listener closes. The std
    // listener's `accept` asks the kernel each time (tokio's would trust a readiness flag
    // that may not have seen the newest connection yet).
    match listener.into_std() {
        Ok(listener) => {
            for _ in 0..SWEEP_MAX {
                let Ok((stream, _)) = listener.accept() else {
                    break;
                };
                let stream = stream
                    .set_nonblocking(true)
                    .and_then(|()| TcpStream::from_std(stream));
                if let Ok(stream) = stream {
                    let slot = Arc::clone(&slots).try_acquire_owned().ok();
                    spawn_connection(&mut tasks, &shared, stream, slot, drain_receiver.clone());
                }
            }
        }
        Err(error) => tracing::warn!(%error, "cannot take the queued connections"),
    }
    let drained = tokio::time::timeout(limits.drain_timeout, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            "drain timeout of {} ms reached; closing the remaining connections",
            limits.drain_timeout.as_millis()
        );
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
    Ok(())
}

#[derive(Clone)]
struct Shared {
    router: Router,
    limits: ConnLimits,
    state: Arc<AppState>,
    open: Arc<Open>,
    draining: Arc<AtomicBool>,
}

/// An accept error: a connection that failed before we took it is skipped; anything else
/// (a full file table) waits a little before trying again.
async fn accept_failed(error: &io::Error) {
    use io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    ) {
        return;
    }
    tracing::warn!(%error, "cannot accept a connection; trying again in 100 ms");
    tokio::time::sleep(Duration::from_millis(100)).await;
}

fn spawn_connection(
    tasks: &mut JoinSet<()>,
    shared: &Shared,
    stream: TcpStream,
    slot: Option<OwnedSemaphorePermit>,
    drain: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let shared = shared.clone();
    tasks.spawn(async move {
        let activity = Arc::new(Activity::new());
        let id = shared.open.add(&activity);
        shared.state.metrics.connections_open.inc();
        connection(&shared, stream, &activity, drain).await;
        shared.state.metrics.connections_open.dec();
        shared.open.remove(id);
        drop(slot);
    });
}

/// Why the server closes a connection on its own.
#[derive(Clone, Copy, Debug)]
enum Reason {
    IdleTimeout,
    HeaderTimeout,
    Evicted,
    Drain,
}

impl Reason {
    fn label(self) -> &'static str {
        match self {
            Reason::IdleTimeout => "idle-timeout",
            Reason::HeaderTimeout => "header-timeout",
            Reason::Evicted => "evicted",
            Reason::Drain => "drain",
        }
    }
}

/// When the connection must close if nothing changes, and why. `drain_since` is when the
/// shutdown began, if it did.
fn deadline(
    phase: Phase,
    limits: &ConnLimits,
    drain_since: Option<Instant>,
) -> Option<(Instant, Reason)> {
    let own = match phase {
        Phase::Idle(since) => (since + limits.idle_timeout, Reason::IdleTimeout),
        Phase::Head(since) => (since + limits.header_read_timeout, Reason::HeaderTimeout),
        Phase::Busy => return None,
    };
    match drain_since {
        Some(since) if since + limits.linger < own.0 => {
            Some((since + limits.linger, Reason::Drain))
        }
        _ => Some(own),
    }
}

async fn connection(
    shared: &Shared,
    stream: TcpStream,
    activity: &Arc<Activity>,
    mut drain: watch::Receiver<bool>,
) {
    let io = TokioIo::new(Tracked {
        stream,
        activity: Arc::clone(activity),
    });
    let service_activity = Arc::clone(activity);
    let router = shared.router.clone();
    let draining = Arc::clone(&shared.draining);
    let service = hyper::service::service_fn(move |request: Request<Incoming>| {
        service_activity.set(Phase::Busy);
        let answered = Answered(Arc::clone(&service_activity));
        let draining = Arc::clone(&draining);
        let response = router.clone().oneshot(request.map(axum::body::Body::new));
        async move {
            let mut response = match response.await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            if draining.load(Ordering::SeqCst) {
                response
                    .headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            Ok::<_, Infallible>(response.map(|inner| WatchedBody {
                inner,
                _answered: answered,
            }))
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    // Our own timeouts replace hyper's (see the module documentation).
    builder.header_read_timeout(None);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    let limits = shared.limits;
    let mut drain_since = (*drain.borrow()).then(Instant::now);
    let mut closing = false;
    loop {
        // Wake at the phase's deadline, and at least every header-read timeout: a head that
        // begins while asleep has a deadline no earlier than that.
        let now = Instant::now();
        let due = deadline(activity.phase(), &limits, drain_since);
        let wake = due.map_or(now + limits.header_read_timeout, |(at, _)| {
            at.min(now + limits.header_read_timeout)
        });
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, "connection ended with an error");
                }
                return;
            }
            () = activity.evict.notified(), if !closing => {
                match activity.phase() {
                    Phase::Busy => {}
                    Phase::Head(_) => return count_close(shared, Reason::Evicted),
                    Phase::Idle(_) => {
                        count_close(shared, Reason::Evicted);
                        conn.as_mut().graceful_shutdown();
                        closing = true;
                    }
                }
            }
            changed = drain.changed(), if drain_since.is_none() => {
                let _ = changed;
                drain_since = Some(Instant::now());
            }
            () = tokio::time::sleep_until(wake), if !closing => {
                let phase = activity.phase();
                if let Some((at, reason)) = deadline(phase, &limits, drain_since)
                    && Instant::now() >= at
                {
                    count_close(shared, reason);
                    if let Phase::Head(_) = phase {
                        // hyper would keep reading a first request's head: drop it.
                        return;
                    }
                    conn.as_mut().graceful_shutdown();
                    closing = true;
                }
            }
        }
    }
}

/// Counts (and logs at debug level) a connection the server closes on its own. A connection
/// in the middle of a request head is then dropped (no request is in progress); an idle one
/// gets hyper's `graceful_shutdown`, which closes it at once, or after an answer still
/// being written.
fn count_close(shared: &Shared, reason: Reason) {
    tracing::debug!(reason = reason.label(), "closing a connection");
    shared
        .state
        .metrics
        .connections_closed
        .get_or_create(&CloseLabels {
            reason: reason.label().to_owned(),
        })
        .inc();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ConnLimits {
        ConnLimits {
            max_connections: 4,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            drain_timeout: Duration::from_secs(10),
            linger: Duration::from_millis(200),
        }
    }

    #[test]
    fn deadlines_follow_the_phase_and_the_drain() {
        let t = Instant::now();
        let l = limits();
        let at = |phase, drain| deadline(phase, &l, drain).map(|(at, r)| (at - t, r.label()));
        assert_eq!(
            at(Phase::Idle(t), None),
            Some((Duration::from_secs(30), "idle-timeout"))
        );
        assert_eq!(
            at(Phase::Head(t), None),
            Some((Duration::from_secs(10), "header-timeout"))
        );
        assert_eq!(at(Phase::Busy, None), None);
        assert_eq!(
            at(Phase::Busy, Some(t)),
            None,
            "a request in progress is answered"
        );
        assert_eq!(
            at(Phase::Idle(t), Some(t)),
            Some((Duration::from_millis(200), "drain"))
        );
        // A deadline sooner than the linger stays.
        let late = t + Duration::from_secs(29) + Duration::from_millis(900);
        assert_eq!(
            deadline(Phase::Idle(t), &l, Some(late)).map(|(_, r)| r.label()),
            Some("idle-timeout")
        );
    }

    #[test]
    fn eviction_picks_the_longest_waiting_connection_without_a_request() {
        let open = Open::default();
        let busy = Arc::new(Activity::new());
        busy.set(Phase::Busy);
        let old = Arc::new(Activity::new());
        old.set(Phase::Head(Instant::now() - Duration::from_secs(5)));
        let young = Arc::new(Activity::new());
        for activity in [&busy, &old, &young] {
            open.add(activity);
        }
        assert!(open.evict_one());
        // The old one got the request (a stored permit), the others did not.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let quick = Duration::from_millis(20);
            assert!(
                tokio::time::timeout(quick, old.evict.notified())
                    .await
                    .is_ok()
            );
            assert!(
                tokio::time::timeout(quick, young.evict.notified())
                    .await
                    .is_err()
            );
            assert!(
                tokio::time::timeout(quick, busy.evict.notified())
                    .await
                    .is_err()
            );
        });
        let only_busy = Open::default();
        only_busy.add(&busy);
        assert!(!only_busy.evict_one());
    }
}
