//! Bounded load test of `flexmap serve` on loopback (127.0.0.1 only), for
//! docs/performance.md: it starts the server on a temporary copy of rules-examples/, sends
//! a mix of valid and invalid requests over keep-alive connections for a fixed time, breaks
//! a rule file in the middle (the old program must keep serving) and fixes it again (by
//! file change, then SIGHUP), samples the server's RSS from /proc, and reports throughput,
//! latency percentiles, every request sent against every answer, and the server's own count.
//! Last, a SIGTERM under load: the same number of clients (10 % bad requests) with idle and
//! trickling connections open, SIGTERM while they send; every request sent must be answered
//! (or refused before it was read), and the server must exit 0.
//! It stops by itself and exits non-zero on any lost request or unexpected status.
//!
//! ```sh
//! cargo build --release --bin flexmap
//! cargo run --release --example serve-load -- --seconds 30 --connections 8
//! ```

// A benchmark report is printed on stdout.
#![allow(clippy::print_stdout)]

#[allow(dead_code)]
#[path = "../tests/it/http_client.rs"]
mod http_client;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http_client::{Connection, request_head};
use serde_json::{Value, json};

const TOKEN: &str = "load-test-token";
const MAX_BODY: usize = 64 * 1024;
const BATCH: usize = 16;

/// What a request is, and the status it must get.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Single,
    Batch,
    Malformed,
    TooLarge,
    TooDeep,
    Unauthorized,
    UnknownRuleset,
    NotAnObject,
    Rulesets,
    Metrics,
    Health,
}

impl Kind {
    fn expected(self) -> u16 {
        match self {
            Kind::Single | Kind::Batch | Kind::Rulesets | Kind::Metrics | Kind::Health => 200,
            Kind::Malformed => 400,
            Kind::TooLarge => 413,
            Kind::TooDeep | Kind::NotAnObject => 422,
            Kind::Unauthorized => 401,
            Kind::UnknownRuleset => 404,
        }
    }
}

/// One cycle of the mix: 40 % single records, 20 % batches of 16, the rest invalid or
/// read-only requests.
const MIX: [Kind; 20] = [
    Kind::Single,
    Kind::Batch,
    Kind::Single,
    Kind::Malformed,
    Kind::Single,
    Kind::Batch,
    Kind::TooDeep,
    Kind::Single,
    Kind::Unauthorized,
    Kind::Batch,
    Kind::Single,
    Kind::UnknownRuleset,
    Kind::Single,
    Kind::Batch,
    Kind::NotAnObject,
    Kind::Single,
    Kind::TooLarge,
    Kind::Single,
    Kind::Rulesets,
    Kind::Metrics,
];

#[derive(Default)]
struct Tally {
    sent: u64,
    answered: u64,
    lost: u64,
    unexpected: u64,
    server_errors: u64,
    records_sent: u64,
    records_answered: u64,
    by_kind: BTreeMap<Kind, (u64, BTreeMap<u16, u64>)>,
    latencies_micros: Vec<u32>,
    first_problems: Vec<String>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.sent += other.sent;
        self.answered += other.answered;
        self.lost += other.lost;
        self.unexpected += other.unexpected;
        self.server_errors += other.server_errors;
        self.records_sent += other.records_sent;
        self.records_answered += other.records_answered;
        for (kind, (count, statuses)) in other.by_kind {
            let entry = self.by_kind.entry(kind).or_default();
            entry.0 += count;
            for (status, n) in statuses {
                *entry.1.entry(status).or_default() += n;
            }
        }
        self.latencies_micros.extend(other.latencies_micros);
        for problem in other.first_problems {
            if self.first_problems.len() < 10 {
                self.first_problems.push(problem);
            }
        }
    }

    fn problem(&mut self, text: String) {
        if self.first_problems.len() < 10 {
            self.first_problems.push(text);
        }
    }
}

struct Bodies {
    singles: Vec<(String, Vec<u8>)>,
    batches: Vec<(String, Vec<u8>)>,
    too_large: Vec<u8>,
    too_deep: Vec<u8>,
}

fn main() {
    let mut seconds = 30u64;
    let mut connections = 8usize;
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut bin = root.join("target/release/flexmap");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_default();
        match arg.as_str() {
            "--seconds" => seconds = value.parse().unwrap_or(seconds).clamp(3, 600),
            "--connections" => connections = value.parse().unwrap_or(connections).clamp(1, 256),
            "--bin" => bin = PathBuf::from(value),
            _ => {
                eprintln!("usage: serve-load [--seconds N] [--connections N] [--bin PATH]");
                std::process::exit(2);
            }
        }
    }
    if !bin.is_file() {
        eprintln!(
            "serve-load: {} not found; build it with `cargo build --release --bin flexmap`",
            bin.display()
        );
        std::process::exit(2);
    }
    let rules = tempfile::tempdir().expect("temporary folder");
    for entry in std::fs::read_dir(root.join("rules-examples")).expect("rules-examples") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        // The examples are all spelt `*.yaml`, and `*.test.yaml` are rule tests.
        let rule_file = Path::new(name)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml"))
            && !name.to_ascii_lowercase().ends_with(".test.yaml");
        if name == "flexmap.toml" || rule_file {
            std::fs::copy(&path, rules.path().join(name)).expect("copy rule file");
        }
    }
    let bodies = Arc::new(bodies(&root));

    let mut child = Command::new(&bin)
        .args(["serve", "--listen", "127.0.0.1:0", "--rules"])
        .arg(rules.path())
        .args([
            "--max-body-bytes",
            &MAX_BODY.to_string(),
            "--max-depth",
            "32",
        ])
        .env("FLEXMAP_TOKEN", TOKEN)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start flexmap serve");
    let pid = child.id();
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    {
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("flexmap serve: listening on http://") {
                    let _ = addr_tx.send(
                        rest.split_whitespace()
                            .next()
                            .unwrap_or_default()
                            .to_owned(),
                    );
                }
                log.lock().expect("log").push(line);
            }
        });
    }
    let addr = addr_rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the server prints its address");
    assert!(addr.starts_with("127.0.0.1:"), "loopback only: {addr}");

    // Baseline, side by side on the same server and client: `GET /healthz` only, the HTTP
    // floor of this machine (parsing, routing, middleware, no mapping).
    let baseline_seconds = 3;
    let baseline_started = Instant::now();
    let baseline_deadline = baseline_started + Duration::from_secs(baseline_seconds);
    let baseline_workers: Vec<_> = (0..connections)
        .map(|index| {
            let addr = addr.clone();
            let bodies = Arc::clone(&bodies);
            std::thread::spawn(move || {
                work(&addr, index, baseline_deadline, &bodies, &[Kind::Health])
            })
        })
        .collect();
    let mut baseline = Tally::default();
    for worker in baseline_workers {
        baseline.merge(worker.join().expect("baseline worker"));
    }
    let baseline_rate = baseline.answered as f64 / baseline_started.elapsed().as_secs_f64();
    let mut baseline_latencies = std::mem::take(&mut baseline.latencies_micros);
    baseline_latencies.sort_unstable();
    let baseline_p50 = baseline_latencies
        .get(baseline_latencies.len() / 2)
        .map_or(0.0, |&m| f64::from(m) / 1000.0);

    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let stop = Arc::new(AtomicBool::new(false));

    // RSS sampler.
    let rss = Arc::new(Mutex::new(Vec::<(f64, u64)>::new()));
    let sampler = {
        let rss = Arc::clone(&rss);
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if let Some(kb) = rss_kb(pid) {
                    rss.lock()
                        .expect("rss")
                        .push((started.elapsed().as_secs_f64(), kb));
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        })
    };

    // Workers.
    let workers: Vec<_> = (0..connections)
        .map(|index| {
            let addr = addr.clone();
            let bodies = Arc::clone(&bodies);
            std::thread::spawn(move || work(&addr, index, deadline, &bodies, &MIX))
        })
        .collect();

    // The broken deploy in the middle, then the fix.
    let control = control(&addr, rules.path(), pid, started, seconds);

    let mut tally = Tally::default();
    for worker in workers {
        tally.merge(worker.join().expect("worker"));
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let _ = sampler.join();

    // The server's own count of answered requests, before this last request.
    let metrics = get(&addr, "/metrics").map(|r| r.text()).unwrap_or_default();
    let server_counted: u64 = metrics
        .lines()
        .filter(|l| l.starts_with("flexmap_http_requests_total{"))
        .filter_map(|l| l.rsplit(' ').next().and_then(|n| n.parse::<f64>().ok()))
        .map(|n| n as u64)
        .sum();
    let client_answered = tally.answered + control.requests + baseline.answered;
    let reload_lines: Vec<String> = metrics
        .lines()
        .filter(|l| l.starts_with("flexmap_reload"))
        .map(str::to_owned)
        .collect();

    // SIGTERM under load: `connections` clients with 10 % bad requests, plus idle and
    // trickling connections, then SIGTERM while they keep sending.
    let sigterm = sigterm_under_load(&addr, connections, &bodies, pid);
    let stop_started = sigterm.signalled;
    let exit = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if stop_started.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            break child.wait().expect("server exits");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stop_time = stop_started.elapsed();

    // Report.
    let mut latencies = std::mem::take(&mut tally.latencies_micros);
    latencies.sort_unstable();
    let pct = |p: f64| -> f64 {
        if latencies.is_empty() {
            return 0.0;
        }
        let index = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        f64::from(latencies[index]) / 1000.0
    };
    let rss_samples = rss.lock().expect("rss").clone();
    let after_warmup: Vec<u64> = rss_samples
        .iter()
        .filter(|(t, _)| *t >= 1.0)
        .map(|(_, kb)| *kb)
        .collect();
    let rss_first = after_warmup.first().copied().unwrap_or(0);
    let rss_max = rss_samples.iter().map(|(_, kb)| *kb).max().unwrap_or(0);
    let rss_last = rss_samples.last().map_or(0, |(_, kb)| *kb);
    // RSS at each fifth of the run, to see whether it levels off.
    let rss_timeline: Vec<String> = (1..=5)
        .filter_map(|fifth| {
            let at = secs_of(seconds) * f64::from(fifth) / 5.0;
            rss_samples
                .iter()
                .rev()
                .find(|(t, _)| *t <= at)
                .map(|(t, kb)| format!("{t:.0} s: {:.1}", *kb as f64 / 1024.0))
        })
        .collect();
    let secs = elapsed.as_secs_f64();
    println!("## serve-load: {seconds} s, {connections} keep-alive connections, 127.0.0.1");
    println!();
    println!("| | |");
    println!("|---|---|");
    println!("| requests sent | {} |", tally.sent);
    println!("| answered | {} |", tally.answered);
    println!("| lost (no answer) | {} |", tally.lost);
    println!("| unexpected status | {} |", tally.unexpected);
    println!("| 5xx | {} |", tally.server_errors);
    println!(
        "| records sent / answered in place | {} / {} |",
        tally.records_sent, tally.records_answered
    );
    println!(
        "| throughput | {:.0} requests/s, {:.0} records/s |",
        tally.answered as f64 / secs,
        tally.records_answered as f64 / secs
    );
    println!(
        "| baseline, GET /healthz only ({baseline_seconds} s before the run) | {baseline_rate:.0} requests/s, p50 {baseline_p50:.2} ms, {} lost |",
        baseline.lost
    );
    println!(
        "| mixed requests/s vs baseline | {:.2}x |",
        tally.answered as f64 / secs / baseline_rate.max(1.0)
    );
    println!(
        "| server RSS (MiB) over the run | {} |",
        rss_timeline.join(", ")
    );
    println!(
        "| latency p50 / p90 / p99 / max | {:.2} / {:.2} / {:.2} / {:.2} ms |",
        pct(0.5),
        pct(0.9),
        pct(0.99),
        pct(1.0)
    );
    println!(
        "| server RSS after 1 s / max / at end | {:.1} / {:.1} / {:.1} MiB ({} samples) |",
        rss_first as f64 / 1024.0,
        rss_max as f64 / 1024.0,
        rss_last as f64 / 1024.0,
        rss_samples.len()
    );
    println!(
        "| server's request count vs client's answers | {server_counted} / {client_answered} |"
    );
    println!(
        "| broken edit at {:.1} s: refused (stale) after | {} |",
        control.broke_at,
        ms(control.stale_after)
    );
    println!(
        "| fix at {:.1} s (file change + SIGHUP): new program after | {} |",
        control.fixed_at,
        ms(control.fixed_after)
    );
    println!(
        "| inbound-voice answers during the broken period | {} x 200, all with the old content hash: {} |",
        control.stale_answers, control.stale_hash_kept
    );
    println!(
        "| SIGTERM to exit (under load, {} idle and {} trickling connections open) | {:.0} ms, {exit} |",
        IDLE_CONNECTIONS,
        TRICKLING_CONNECTIONS,
        stop_time.as_secs_f64() * 1000.0
    );
    println!(
        "| SIGTERM under load: requests sent / answered / refused before sending / unanswered | {} / {} / {} / {} |",
        sigterm.sent, sigterm.answered, sigterm.refused, sigterm.unanswered
    );
    println!(
        "| SIGTERM under load: statuses | {} |",
        sigterm
            .statuses
            .iter()
            .map(|(s, n)| format!("{s}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "| SIGTERM under load: server RSS before the signal | {:.1} MiB |",
        sigterm.rss_kb as f64 / 1024.0
    );
    println!();
    println!("| request | count | statuses |");
    println!("|---|---|---|");
    for (kind, (count, statuses)) in &tally.by_kind {
        let statuses: Vec<String> = statuses.iter().map(|(s, n)| format!("{s}: {n}")).collect();
        println!(
            "| {kind:?} (expects {}) | {count} | {} |",
            kind.expected(),
            statuses.join(", ")
        );
    }
    println!();
    println!("Reload metrics at the end:");
    println!();
    println!("```");
    for line in &reload_lines {
        println!("{line}");
    }
    println!("```");
    let log = log.lock().expect("log");
    let reload_log: Vec<&String> = log
        .iter()
        .filter(|l| {
            l.contains("refused")
                || l.contains("error[")
                || l.contains("SIGHUP")
                || l.contains("loaded trigger=\"file\"")
                || l.contains("loaded trigger=\"signal\"")
        })
        .take(12)
        .collect();
    println!();
    println!("Server log around the reloads:");
    println!();
    println!("```");
    for line in reload_log {
        println!("{line}");
    }
    println!("```");
    let mut failed = tally.lost > 0
        || tally.unexpected > 0
        || tally.server_errors > 0
        || !exit.success()
        || sigterm.unanswered > 0
        || sigterm.answered == 0;
    for problem in &sigterm.problems {
        tally.problem(format!("at SIGTERM: {problem}"));
    }
    failed |= server_counted != client_answered
        || control.stale_after.is_none()
        || control.fixed_after.is_none()
        || !control.stale_hash_kept;
    if !tally.first_problems.is_empty() {
        println!();
        println!("First problems:");
        for problem in &tally.first_problems {
            println!("- {problem}");
        }
    }
    if failed {
        println!();
        println!("FAILED");
        std::process::exit(1);
    }
}

/// Idle connections (never send a byte) open during the SIGTERM phase.
const IDLE_CONNECTIONS: usize = 16;
/// Connections that trickle a request head, one byte every 100 ms.
const TRICKLING_CONNECTIONS: usize = 8;

/// One cycle of the SIGTERM phase: 10 % bad requests.
const MIX_SIGTERM: [Kind; 20] = [
    Kind::Single,
    Kind::Batch,
    Kind::Single,
    Kind::Single,
    Kind::Malformed,
    Kind::Single,
    Kind::Batch,
    Kind::Single,
    Kind::Single,
    Kind::Health,
    Kind::Single,
    Kind::Batch,
    Kind::Single,
    Kind::UnknownRuleset,
    Kind::Single,
    Kind::Batch,
    Kind::Single,
    Kind::Single,
    Kind::Rulesets,
    Kind::Single,
];

struct Sigterm {
    sent: u64,
    answered: u64,
    /// Connection refused, or the write failed: the server never read the request.
    refused: u64,
    /// Sent in full, then the connection ended without an answer.
    unanswered: u64,
    statuses: BTreeMap<u16, u64>,
    problems: Vec<String>,
    rss_kb: u64,
    signalled: Instant,
}

impl Default for Sigterm {
    fn default() -> Sigterm {
        Sigterm {
            sent: 0,
            answered: 0,
            refused: 0,
            unanswered: 0,
            statuses: BTreeMap::new(),
            problems: Vec::new(),
            rss_kb: 0,
            signalled: Instant::now(),
        }
    }
}

/// Runs load for 2 s, sends SIGTERM while it goes on, and counts what each request got.
fn sigterm_under_load(addr: &str, connections: usize, bodies: &Arc<Bodies>, pid: u32) -> Sigterm {
    use std::io::Write as _;
    let give_up = Instant::now() + Duration::from_secs(40);
    let idle: Vec<_> = (0..IDLE_CONNECTIONS)
        .filter_map(|_| std::net::TcpStream::connect(addr).ok())
        .collect();
    let tricklers: Vec<_> = (0..TRICKLING_CONNECTIONS)
        .map(|_| {
            let addr = addr.to_owned();
            std::thread::spawn(move || {
                while Instant::now() < give_up {
                    let Ok(mut stream) = std::net::TcpStream::connect(&addr) else {
                        return;
                    };
                    let _ = stream.write_all(b"GET /healthz HTTP/1.1\r\nX-Slow: ");
                    while Instant::now() < give_up && stream.write_all(b"x").is_ok() {
                        std::thread::sleep(Duration::from_millis(100));
                    }
                }
            })
        })
        .collect();
    let workers: Vec<_> = (0..connections)
        .map(|index| {
            let addr = addr.to_owned();
            let bodies = Arc::clone(bodies);
            std::thread::spawn(move || until_refused(&addr, index, &bodies, give_up))
        })
        .collect();
    std::thread::sleep(Duration::from_secs(2));
    let rss_kb = rss_kb(pid).unwrap_or(0);
    let signalled = Instant::now();
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let mut total = Sigterm {
        rss_kb,
        signalled,
        ..Sigterm::default()
    };
    for worker in workers {
        let part = worker.join().expect("worker");
        total.sent += part.sent;
        total.answered += part.answered;
        total.refused += part.refused;
        total.unanswered += part.unanswered;
        for (status, n) in part.statuses {
            *total.statuses.entry(status).or_default() += n;
        }
        total.problems.extend(part.problems.into_iter().take(3));
    }
    for trickler in tricklers {
        let _ = trickler.join();
    }
    drop(idle);
    total
}

/// Sends requests (reconnecting after `Connection: close`) until the server refuses.
fn until_refused(addr: &str, index: usize, bodies: &Bodies, give_up: Instant) -> Sigterm {
    let mut out = Sigterm::default();
    let auth = format!("Bearer {TOKEN}");
    let mut connection: Option<Connection> = None;
    let mut step = index * 7;
    while Instant::now() < give_up {
        let kind = MIX_SIGTERM[step % MIX_SIGTERM.len()];
        step += 1;
        let (method, path, body): (&str, &str, &[u8]) = match kind {
            Kind::Batch => {
                let (path, body) = &bodies.batches[step % bodies.batches.len()];
                ("POST", path, body)
            }
            Kind::Malformed => ("POST", "/v1/rulesets/inbound-voice/apply", b"{\"task\": "),
            Kind::UnknownRuleset => ("POST", "/v1/rulesets/inbound-voise/apply", b"{}"),
            Kind::Health => ("GET", "/healthz", b""),
            Kind::Rulesets => ("GET", "/v1/rulesets", b""),
            _ => {
                let (path, body) = &bodies.singles[step % bodies.singles.len()];
                ("POST", path, body)
            }
        };
        let conn = match connection.as_mut() {
            Some(conn) => conn,
            None => match Connection::open(addr) {
                Ok(conn) => connection.insert(conn),
                Err(_) => {
                    out.refused += 1;
                    return out;
                }
            },
        };
        let mut request = request_head(
            method,
            path,
            addr,
            &[("Authorization", &auth)],
            Some(body.len()),
        );
        request.extend_from_slice(body);
        out.sent += 1;
        if conn.write_raw(&request).is_err() {
            out.refused += 1;
            connection = None;
            continue;
        }
        match conn.read_response() {
            Ok(response) => {
                out.answered += 1;
                *out.statuses.entry(response.status).or_default() += 1;
                if response
                    .header("connection")
                    .is_some_and(|c| c.eq_ignore_ascii_case("close"))
                {
                    connection = None;
                }
            }
            Err(error) => {
                out.unanswered += 1;
                out.problems
                    .push(format!("{kind:?} {path}: sent, no answer: {error}"));
                connection = None;
            }
        }
    }
    out
}

fn secs_of(seconds: u64) -> f64 {
    seconds as f64
}

fn ms(duration: Option<Duration>) -> String {
    duration.map_or_else(
        || "never".to_owned(),
        |d| format!("{:.0} ms", d.as_secs_f64() * 1000.0),
    )
}

fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn bodies(root: &Path) -> Bodies {
    let mut singles = Vec::new();
    let mut batches = Vec::new();
    for name in [
        "inbound-voice",
        "chat-survey",
        "hipaa-healthcare",
        "worker-hr",
    ] {
        let text =
            std::fs::read_to_string(root.join(format!("rules-examples/{name}.input.ndjson")))
                .expect("example input");
        let records: Vec<Value> = text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let path = format!("/v1/rulesets/{name}/apply");
        for record in &records {
            singles.push((path.clone(), record.to_string().into_bytes()));
        }
        let batch: Vec<Value> = records.iter().cycle().take(BATCH).cloned().collect();
        batches.push((path, json!({ "records": batch }).to_string().into_bytes()));
    }
    let too_large = format!("{{\"x\": \"{}\"}}", "a".repeat(MAX_BODY * 2)).into_bytes();
    let too_deep = format!("{}{}", "[".repeat(40), "]".repeat(40)).into_bytes();
    Bodies {
        singles,
        batches,
        too_large,
        too_deep,
    }
}

fn get(addr: &str, path: &str) -> std::io::Result<http_client::Response> {
    let auth = format!("Bearer {TOKEN}");
    http_client::send(addr, "GET", path, &[("Authorization", &auth)], b"")
}

fn work(addr: &str, index: usize, deadline: Instant, bodies: &Bodies, mix: &[Kind]) -> Tally {
    let mut tally = Tally::default();
    let auth = format!("Bearer {TOKEN}");
    let mut connection: Option<Connection> = None;
    let mut step = index * 7;
    while Instant::now() < deadline {
        let kind = mix[step % mix.len()];
        step += 1;
        let (method, path, body, records): (&str, &str, &[u8], u64) = match kind {
            Kind::Single => {
                let (path, body) = &bodies.singles[step % bodies.singles.len()];
                ("POST", path, body, 1)
            }
            Kind::Batch => {
                let (path, body) = &bodies.batches[step % bodies.batches.len()];
                ("POST", path, body, BATCH as u64)
            }
            Kind::Malformed => (
                "POST",
                "/v1/rulesets/inbound-voice/apply",
                b"{\"task\": {\"sid\": ",
                1,
            ),
            Kind::TooLarge => (
                "POST",
                "/v1/rulesets/inbound-voice/apply",
                &bodies.too_large,
                1,
            ),
            Kind::TooDeep => (
                "POST",
                "/v1/rulesets/inbound-voice/apply",
                &bodies.too_deep,
                1,
            ),
            Kind::Unauthorized => ("POST", "/v1/rulesets/inbound-voice/apply", b"{}", 1),
            Kind::UnknownRuleset => ("POST", "/v1/rulesets/inbound-voise/apply", b"{}", 1),
            Kind::NotAnObject => ("POST", "/v1/rulesets/chat-survey/apply", b"[1, 2, 3]", 1),
            Kind::Rulesets => ("GET", "/v1/rulesets", b"", 0),
            Kind::Metrics => ("GET", "/metrics", b"", 0),
            Kind::Health => ("GET", "/healthz", b"", 0),
        };
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if kind != Kind::Unauthorized {
            headers.push(("Authorization", &auth));
        }
        if kind == Kind::TooLarge {
            headers.push(("Expect", "100-continue"));
        }
        tally.sent += 1;
        tally.records_sent += records;
        let began = Instant::now();
        let result = (|| -> std::io::Result<http_client::Response> {
            if connection.is_none() {
                connection = Some(Connection::open(addr)?);
            }
            let conn = connection
                .as_mut()
                .ok_or_else(|| std::io::Error::other("no connection"))?;
            if kind == Kind::TooLarge {
                // A well-behaved client of a big upload: the head first, the body only after
                // `100 Continue` (the server answers 413 from Content-Length instead).
                conn.write_raw(&request_head(
                    method,
                    path,
                    addr,
                    &headers,
                    Some(body.len()),
                ))?;
                let first = conn.read_response()?;
                if first.status != 100 {
                    return Ok(first);
                }
                conn.write_raw(body)?;
                return conn.read_response();
            }
            conn.send(method, path, &headers, body)
        })();
        let latency = began.elapsed();
        let response = match result {
            Ok(response) => response,
            Err(error) => {
                tally.lost += 1;
                tally.problem(format!("{kind:?} {path}: no answer: {error}"));
                connection = None;
                continue;
            }
        };
        tally.answered += 1;
        tally
            .latencies_micros
            .push(latency.as_micros().min(u128::from(u32::MAX)) as u32);
        let entry = tally.by_kind.entry(kind).or_default();
        entry.0 += 1;
        *entry.1.entry(response.status).or_default() += 1;
        if response.status >= 500 {
            tally.server_errors += 1;
        }
        if response.status == kind.expected() {
            if let Kind::Single | Kind::Batch = kind {
                let value = response.json();
                let answered = match kind {
                    Kind::Batch => value["results"].as_array().map_or(0, Vec::len) as u64,
                    _ => u64::from(value.get("attributes").is_some()),
                };
                tally.records_answered += answered;
                if answered != records {
                    tally.unexpected += 1;
                    tally.problem(format!(
                        "{kind:?} {path}: {answered} of {records} records answered"
                    ));
                }
            } else if !matches!(kind, Kind::Rulesets | Kind::Metrics | Kind::Health) {
                // A record refused as a whole is answered too: with its error.
                tally.records_answered += records;
            }
        } else {
            tally.unexpected += 1;
            tally.problem(format!(
                "{kind:?} {path}: status {} {}",
                response.status,
                response.text().chars().take(200).collect::<String>()
            ));
        }
        // After an early 413 the server does not read the body: start a fresh connection.
        if kind == Kind::TooLarge
            || response
                .header("connection")
                .is_some_and(|c| c.eq_ignore_ascii_case("close"))
        {
            connection = None;
        }
    }
    tally
}

struct Control {
    requests: u64,
    broke_at: f64,
    stale_after: Option<Duration>,
    fixed_at: f64,
    fixed_after: Option<Duration>,
    stale_answers: u64,
    stale_hash_kept: bool,
}

/// Breaks `inbound-voice.yaml` at a third of the run and fixes it at two thirds, and
/// checks which program answers in between.
fn control(addr: &str, rules: &Path, pid: u32, started: Instant, seconds: u64) -> Control {
    let file = rules.join("inbound-voice.yaml");
    let original = std::fs::read_to_string(&file).expect("rule file");
    let mut control = Control {
        requests: 0,
        broke_at: 0.0,
        stale_after: None,
        fixed_at: 0.0,
        fixed_after: None,
        stale_answers: 0,
        stale_hash_kept: true,
    };
    let entry = |control: &mut Control| -> Value {
        control.requests += 1;
        let list = get(addr, "/v1/rulesets").map_or(Value::Null, |r| r.json());
        list["rulesets"]
            .as_array()
            .and_then(|all| all.iter().find(|r| r["name"] == "inbound-voice"))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let first_hash = entry(&mut control)["content_hash"].clone();
    let third = Duration::from_secs(seconds) / 3;
    std::thread::sleep(third.saturating_sub(started.elapsed()));

    control.broke_at = started.elapsed().as_secs_f64();
    let broken = original.replacen("conversations:\n", "conversations:\n  wrapup_tme: 1\n", 1);
    std::fs::write(&file, broken).expect("break the rule file");
    let broke = Instant::now();
    while broke.elapsed() < third {
        if entry(&mut control)["status"] == "stale" {
            control.stale_after = Some(broke.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    // While it is broken, the old program answers.
    let auth = format!("Bearer {TOKEN}");
    while started.elapsed() < third * 2 {
        control.requests += 1;
        let answer = http_client::send(
            addr,
            "POST",
            "/v1/rulesets/inbound-voice/apply",
            &[("Authorization", &auth)],
            b"{}",
        );
        match answer {
            Ok(response) if response.status == 200 => {
                control.stale_answers += 1;
                control.stale_hash_kept &= response.json()["content_hash"] == first_hash;
            }
            _ => control.stale_hash_kept = false,
        }
        std::thread::sleep(Duration::from_millis(50));
    }

    control.fixed_at = started.elapsed().as_secs_f64();
    std::fs::write(&file, format!("{original}\n# fixed\n")).expect("fix the rule file");
    let _ = Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status();
    let fixed = Instant::now();
    while fixed.elapsed() < third {
        let now = entry(&mut control);
        if now["status"] == "ok" && now["content_hash"] != first_hash {
            control.fixed_after = Some(fixed.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    control
}
