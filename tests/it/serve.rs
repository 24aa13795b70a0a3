//! `flexmap serve`, tested against the real binary on a loopback port: mapping, every JSON
//! error, the bearer token, metrics, reloads (file change and SIGHUP) that refuse broken
//! rules, and graceful shutdown of an in-flight request.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::http_client::{Connection, Response, request_head, send};

/// How long a test waits for anything (server start, a reload) before failing.
const PATIENCE: Duration = Duration::from_secs(10);

/// A `flexmap serve` process on 127.0.0.1 with a free port; killed when dropped.
struct Served {
    child: Child,
    addr: String,
    log: Arc<Mutex<String>>,
}

impl Served {
    fn start(rules: &Path, args: &[&str], env: &[(&str, &str)]) -> Served {
        Served::spawn(
            Command::new(env!("CARGO_BIN_EXE_flexmap")),
            rules,
            args,
            env,
        )
    }

    /// Starts the server with at most `files` open file descriptors (`ulimit -n`).
    #[cfg(unix)]
    fn start_with_open_files(rules: &Path, args: &[&str], files: u32) -> Served {
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!("ulimit -n {files} && exec \"$0\" \"$@\""))
            .arg(env!("CARGO_BIN_EXE_flexmap"));
        Served::spawn(command, rules, args, &[])
    }

    fn spawn(mut command: Command, rules: &Path, args: &[&str], env: &[(&str, &str)]) -> Served {
        command
            .arg("serve")
            .arg("--rules")
            .arg(rules)
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .current_dir(crate::root())
            .env_remove("FLEXMAP_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("flexmap serve starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new(Mutex::new(String::new()));
        let (address_sender, address) = std::sync::mpsc::channel();
        let log_writer = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("flexmap serve: listening on http://") {
                    let addr = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    let _ = address_sender.send(addr);
                }
                let mut log = log_writer.lock().expect("log lock");
                log.push_str(&line);
                log.push('\n');
            }
        });
        let Ok(addr) = address.recv_timeout(PATIENCE) else {
            let _ = child.kill();
            panic!(
                "no listening line; stderr:\n{}",
                log.lock().expect("log lock")
            );
        };
        Served { child, addr, log }
    }

    fn examples(args: &[&str]) -> Served {
        // Relative to the crate root, so positions in answers are the same on every machine.
        Served::start(Path::new("rules-examples"), args, &[])
    }

    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
        send(&self.addr, method, path, headers, body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}\nlog:\n{}", self.log()))
    }

    fn get(&self, path: &str) -> Response {
        self.request("GET", path, &[], b"")
    }

    fn post(&self, path: &str, body: &Value) -> Response {
        self.request("POST", path, &[], body.to_string().as_bytes())
    }

    fn log(&self) -> String {
        self.log.lock().expect("log lock").clone()
    }

    /// Polls the log until it contains `text` (stderr is read by another thread).
    fn wait_for_log(&self, text: &str) {
        let deadline = Instant::now() + PATIENCE;
        while !self.log().contains(text) {
            assert!(
                Instant::now() < deadline,
                "the log never said {text:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name}");
    }

    /// The ruleset entry from `/v1/rulesets`.
    fn ruleset(&self, name: &str) -> Value {
        let list = self.get("/v1/rulesets").json();
        list["rulesets"]
            .as_array()
            .and_then(|all| all.iter().find(|r| r["name"] == name))
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// Polls `/v1/rulesets` until `done` holds for the entry of `name`.
    fn wait_for(&self, name: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let entry = self.ruleset(name);
            if done(&entry) {
                return entry;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; last entry {entry}\nlog:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ndjson(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("example data")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("example line is JSON"))
        .collect()
}

/// A copy of the example rule files (and `flexmap.toml`) in a temporary folder.
fn copy_of_examples() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for name in [
        "flexmap.toml",
        "inbound-voice.yaml",
        "chat-survey.yaml",
        "worker-hr.yaml",
    ] {
        std::fs::copy(
            crate::root().join("rules-examples").join(name),
            dir.path().join(name),
        )
        .expect("copy example");
    }
    dir
}

#[test]
fn serve_maps_every_example_one_record_and_as_a_batch() {
    let server = Served::examples(&[]);
    for rules in crate::files("rules-examples", ".input.ndjson") {
        let name = rules
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".input.ndjson"))
            .expect("example name")
            .to_owned();
        let inputs = ndjson(&rules);
        let expected = ndjson(&rules.with_file_name(format!("{name}.expected.ndjson")));
        assert_eq!(inputs.len(), expected.len(), "{name}");
        let path = format!("/v1/rulesets/{name}/apply");

        let one = server.post(&path, &inputs[0]);
        assert_eq!(one.status, 200, "{name}: {}", one.text());
        let one = one.json();
        assert_eq!(one["attributes"], expected[0], "{name} first record");
        assert_eq!(one["ruleset"], name.as_str());
        assert_eq!(one["content_hash"].as_str().map(str::len), Some(64));

        let batch = server.post(&path, &json!({ "records": inputs }));
        assert_eq!(batch.status, 200, "{name}: {}", batch.text());
        let batch = batch.json();
        let results = batch["results"].as_array().expect("results");
        assert_eq!(results.len(), expected.len(), "{name}: no record lost");
        for (index, (result, expected)) in results.iter().zip(&expected).enumerate() {
            assert_eq!(&result["attributes"], expected, "{name} record {index}");
        }
        assert_eq!(batch["mapped"], expected.len());
        assert_eq!(batch["failed"], 0);
    }
}

#[test]
fn serve_answers_bad_requests_with_json_errors() {
    let server = Served::examples(&[
        "--max-body-bytes",
        "2000",
        "--max-depth",
        "8",
        "--max-batch-records",
        "4",
    ]);
    let apply = "/v1/rulesets/inbound-voice/apply";
    let deep = format!("{}{}", "[".repeat(9), "]".repeat(9));
    let big = format!("{{\"x\": \"{}\"}}", "a".repeat(3000));
    // (method, path, body, status, code, a part of the message or help)
    let cases: &[(&str, &str, &str, u16, &str, &str)] = &[
        (
            "POST",
            "/v1/rulesets/inbound-voic/apply",
            "{}",
            404,
            "unknown-ruleset",
            "did you mean `inbound-voice`?",
        ),
        (
            "POST",
            "/v1/rulesets/zzz/apply",
            "{}",
            404,
            "unknown-ruleset",
            "chat-survey, hipaa-healthcare, inbound-voice, worker-hr",
        ),
        (
            "POST",
            apply,
            "{\"a\": 1,\n \"b\": }",
            400,
            "malformed-json",
            "at line 2 column 7",
        ),
        ("POST", apply, "", 400, "empty-body", "the body is empty"),
        (
            "POST",
            apply,
            &big,
            413,
            "body-too-large",
            "over the limit of 2000 bytes",
        ),
        (
            "POST",
            apply,
            &deep,
            422,
            "too-deep",
            "deeper than 8 levels (line 1, column 9)",
        ),
        (
            "POST",
            apply,
            "[1, 2]",
            422,
            "not-an-object",
            "the record is an array, not a JSON object",
        ),
        (
            "POST",
            apply,
            "{\"records\": [{}, {}, {}, {}, {}]}",
            413,
            "batch-too-large",
            "the batch has 5 records, over the limit of 4",
        ),
        (
            "POST",
            apply,
            "{\"records\": 5}",
            422,
            "bad-batch",
            "`records` must be an array",
        ),
        (
            "POST",
            "/v1/rulesets/inbound-voice/apply?strict=maybe",
            "{}",
            400,
            "bad-query",
            "strict",
        ),
        (
            "POST",
            "/v1/rulesets/inbound-voice/apply?strict=true",
            "{\"task\": {\"sid\": \"WT4\"}, \"ivr\": {\"duration_seconds\": \"forty\"}}",
            422,
            "strict",
            "1 runtime warning",
        ),
        ("GET", apply, "", 405, "method-not-allowed", "use POST"),
        (
            "DELETE",
            "/v1/rulesets",
            "",
            405,
            "method-not-allowed",
            "use GET",
        ),
        (
            "GET",
            "/v2/things",
            "",
            404,
            "not-found",
            "nothing at /v2/things",
        ),
    ];
    let mut transcript = String::new();
    for &(method, path, body, status, code, text) in cases {
        let response = server.request(method, path, &[], body.as_bytes());
        let _ = writeln!(
            transcript,
            "{method} {path} {:?}\n{} {}",
            body.chars().take(40).collect::<String>(),
            response.status,
            response.text()
        );
        let what = format!("{method} {path} {body:.40}: {}", response.text());
        assert_eq!(response.status, status, "{what}");
        assert_eq!(
            response.header("content-type"),
            Some("application/json"),
            "{what}"
        );
        let error = &response.json()["error"];
        assert_eq!(error["code"], code, "{what}");
        let said = format!("{} {}", error["message"], error["help"]);
        assert!(said.contains(text), "{what}: wanted {text:?}");
    }
    // Every error as a caller sees it, reviewed in one place.
    // The hash changes with every edit of the example; its shape is checked elsewhere.
    let hash = regex::Regex::new("\"content_hash\":\"[0-9a-f]{64}\"").expect("regex");
    let transcript = hash.replace_all(&transcript, "\"content_hash\":\"[sha256]\"");
    insta::assert_snapshot!("serve_error_bodies", transcript);
    // Positions are fields too, for programs.
    let malformed = server.request("POST", apply, &[], b"{\"a\": 1,\n \"b\": }");
    assert_eq!(malformed.json()["error"]["line"], 2);
    assert_eq!(malformed.json()["error"]["column"], 7);
    // A batch keeps every record, errors in place.
    let batch = server.post(
        apply,
        &json!({"records": [{"task": {"sid": "WT1"}}, "x", null, {}]}),
    );
    assert_eq!(batch.status, 200, "{}", batch.text());
    let results = batch.json()["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let codes: Vec<Value> = results.iter().map(|r| r["error"]["code"].clone()).collect();
    assert_eq!(
        codes,
        [
            Value::Null,
            json!("not-an-object"),
            json!("not-an-object"),
            Value::Null
        ]
    );
    assert_eq!(
        results[0]["attributes"]["conversations"]["conversation_id"],
        "WT1"
    );
    // The server is still fine after all that.
    assert_eq!(server.get("/healthz").json()["status"], "ok");
}

#[test]
fn serve_reports_runtime_warnings_without_values() {
    let server = Served::examples(&[]);
    let record = json!({"task": {"sid": "WT4"}, "ivr": {"duration_seconds": "forty"}});
    let response = server.post("/v1/rulesets/inbound-voice/apply", &record);
    assert_eq!(response.status, 200, "{}", response.text());
    let warnings = response.json()["warnings"].clone();
    assert_eq!(warnings.as_array().map(Vec::len), Some(1), "{warnings}");
    let warning = &warnings[0];
    assert_eq!(warning["code"], "filter-failed");
    assert_eq!(warning["rule"], "conversations.ivr_time");
    let at = warning["at"].as_str().unwrap_or_default();
    let position: Vec<&str> = at.rsplitn(3, ':').collect();
    assert!(position[2].ends_with("inbound-voice.yaml"), "{at}");
    assert!(
        position[..2].iter().all(|n| n.parse::<u32>().is_ok()),
        "{at}"
    );
    assert!(
        !response.text().contains("forty"),
        "a warning never carries the value"
    );
}

#[test]
fn serve_needs_the_bearer_token_when_one_is_set() {
    let token_dir = tempfile::tempdir().expect("tempdir");
    let token_file = token_dir.path().join("token");
    std::fs::write(&token_file, "s3cret-from-file\n").expect("write token");
    let examples = crate::root().join("rules-examples");
    let by_env = Served::start(&examples, &[], &[("FLEXMAP_TOKEN", "s3cret")]);
    let token_arg = token_file.to_string_lossy().into_owned();
    let by_file = Served::start(&examples, &["--token-file", &token_arg], &[]);
    for (server, token) in [(&by_env, "s3cret"), (&by_file, "s3cret-from-file")] {
        let right = format!("Bearer {token}");
        let wrong = format!("Bearer {token}x");
        assert_eq!(server.get("/healthz").status, 200, "health needs no token");
        for path in ["/v1/rulesets", "/metrics"] {
            let none = server.request("GET", path, &[], b"");
            assert_eq!(none.status, 401, "{path}");
            assert_eq!(none.json()["error"]["code"], "unauthorized");
            assert_eq!(
                none.header("www-authenticate"),
                Some("Bearer realm=\"flexmap\"")
            );
            let bad = server.request("GET", path, &[("Authorization", &wrong)], b"");
            assert_eq!(bad.status, 401, "{path}");
            assert!(
                bad.text().contains("the bearer token is wrong"),
                "{}",
                bad.text()
            );
            let good = server.request("GET", path, &[("Authorization", &right)], b"");
            assert_eq!(good.status, 200, "{path}: {}", good.text());
        }
        let apply = server.request("POST", "/v1/rulesets/worker-hr/apply", &[], b"{}");
        assert_eq!(apply.status, 401);
        let apply = server.request(
            "POST",
            "/v1/rulesets/worker-hr/apply",
            &[("Authorization", &right)],
            b"{}",
        );
        assert_eq!(apply.status, 200, "{}", apply.text());
    }
}

#[test]
fn serve_metrics_count_requests_records_warnings_and_reloads() {
    let server = Served::examples(&[]);
    let apply = "/v1/rulesets/inbound-voice/apply";
    server.post(apply, &json!({"records": [{}, {}, {"task": {"sid": "WT4"}, "ivr": {"duration_seconds": "forty"}}]}));
    server.post(apply, &json!({}));
    server.request("POST", apply, &[], b"{");
    server.request("BREW", "/healthz", &[], b"");
    let metrics = server.get("/metrics");
    assert_eq!(metrics.status, 200);
    assert!(
        metrics
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/plain"))
    );
    let text = metrics.text();
    for line in [
        r#"flexmap_http_requests_total{route="/v1/rulesets/{name}/apply",method="POST",status="200"} 2"#,
        r#"flexmap_http_requests_total{route="/v1/rulesets/{name}/apply",method="POST",status="400"} 1"#,
        r#"flexmap_http_request_duration_seconds_count{route="/v1/rulesets/{name}/apply"} 3"#,
        r#"flexmap_records_mapped_total{ruleset="inbound-voice"} 4"#,
        r#"flexmap_runtime_warnings_total{ruleset="inbound-voice",rule="conversations.ivr_time",code="filter-failed"} 1"#,
        r#"flexmap_reloads_total{trigger="startup"} 1"#,
        r#"flexmap_http_requests_total{route="/healthz",method="other",status="405"} 1"#,
        "flexmap_rulesets_serving 4",
        "flexmap_http_requests_in_flight 1",
        "flexmap_rulesets_refused 0",
        r#"flexmap_reload_failures_total{trigger="startup"} 0"#,
        r#"flexmap_reloads_total{trigger="file"} 0"#,
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
}

#[test]
fn serve_reloads_on_file_change_and_refuses_a_broken_edit() {
    let dir = copy_of_examples();
    let file = dir.path().join("inbound-voice.yaml");
    let original = std::fs::read_to_string(&file).expect("read example");
    let server = Served::start(dir.path(), &["--timeout-ms", "2000"], &[]);
    let first = server.ruleset("inbound-voice");
    assert_eq!(first["status"], "ok", "{first}");
    let first_hash = first["content_hash"].clone();

    // A broken edit: an unknown target. The old program keeps serving.
    let broken = original.replacen("conversations:\n", "conversations:\n  wrapup_tme: 1\n", 1);
    assert_ne!(broken, original);
    std::fs::write(&file, &broken).expect("break the file");
    let stale = server.wait_for("inbound-voice", "a refused reload", |e| {
        e["status"] == "stale"
    });
    assert_eq!(
        stale["content_hash"], first_hash,
        "the previous program keeps serving"
    );
    let error = &stale["last_reload_error"];
    let line = broken
        .lines()
        .position(|l| l.contains("wrapup_tme"))
        .expect("edited line")
        + 1;
    let diagnostic = error["diagnostics"][0].as_str().unwrap_or_default();
    assert!(
        diagnostic.contains(&format!("inbound-voice.yaml:{line}:3: error[FM101]")),
        "{error}"
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap_or_default()
            .contains("the previous version keeps serving")
    );
    let applied = server.post(
        "/v1/rulesets/inbound-voice/apply",
        &json!({"task": {"sid": "WT1"}}),
    );
    assert_eq!(applied.status, 200);
    assert_eq!(applied.json()["content_hash"], first_hash);
    assert_eq!(server.get("/healthz").json()["status"], "degraded");
    server.wait_for_log("error[FM101]");

    // A fixed edit is swapped in.
    let fixed = format!("{original}\n# fixed\n");
    std::fs::write(&file, &fixed).expect("fix the file");
    let ok = server.wait_for("inbound-voice", "the fixed version", |e| {
        e["status"] == "ok" && e["content_hash"] != first_hash
    });
    assert!(ok["last_reload_error"].is_null(), "{ok}");
    let applied = server.post("/v1/rulesets/inbound-voice/apply", &json!({}));
    assert_eq!(applied.json()["content_hash"], ok["content_hash"]);
    assert_eq!(server.get("/healthz").json()["status"], "ok");

    // A deleted file is removed.
    std::fs::remove_file(dir.path().join("chat-survey.yaml")).expect("remove");
    let deadline = Instant::now() + PATIENCE;
    while server.ruleset("chat-survey") != Value::Null {
        assert!(
            Instant::now() < deadline,
            "chat-survey never removed\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let gone = server.post("/v1/rulesets/chat-survey/apply", &json!({}));
    assert_eq!(gone.status, 404);

    let metrics = server.get("/metrics").text();
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with(r#"flexmap_reloads_total{trigger="file"}"#)),
        "{metrics}"
    );
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with(r#"flexmap_reload_failures_total{trigger="file"}"#)),
        "{metrics}"
    );
}

#[test]
fn serve_reloads_on_sighup() {
    let dir = copy_of_examples();
    let file = dir.path().join("worker-hr.yaml");
    let server = Served::start(dir.path(), &["--no-watch"], &[]);
    let first = server.ruleset("worker-hr");
    assert_eq!(first["status"], "ok");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, format!("{text}\n# edited\n")).expect("edit");
    server.signal("HUP");
    let second = server.wait_for("worker-hr", "a reload by SIGHUP", |e| {
        e["content_hash"] != first["content_hash"] && e["status"] == "ok"
    });
    assert_ne!(second["loaded_at"], Value::Null);
    // A broken version is refused at SIGHUP too.
    std::fs::write(
        &file,
        "flexmap: 1\ntarget: worker\nworker:\n  full_name: first | nope\n",
    )
    .expect("break");
    server.signal("HUP");
    let stale = server.wait_for("worker-hr", "a refused SIGHUP reload", |e| {
        e["status"] == "stale"
    });
    assert_eq!(stale["content_hash"], second["content_hash"]);
    assert!(
        stale["last_reload_error"]["diagnostics"][0]
            .as_str()
            .is_some_and(|d| d.contains("error[FM306]")),
        "{stale}"
    );
    let metrics = server.get("/metrics").text();
    assert!(
        metrics.contains("flexmap_reloads_total{trigger=\"signal\"} 2"),
        "{metrics}"
    );
    assert!(
        metrics.contains("flexmap_reload_failures_total{trigger=\"signal\"} 1"),
        "{metrics}"
    );
}

#[test]
fn serve_starts_with_refused_rulesets_and_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = crate::root().join("rules-examples/broken/fm101-unknown-target.yaml");
    std::fs::copy(&broken, dir.path().join("broken-one.yaml")).expect("copy");
    // Only a broken ruleset: the server starts, but is unavailable.
    let alone = Served::start(dir.path(), &["--no-watch"], &[]);
    let health = alone.get("/healthz");
    assert_eq!(health.status, 503);
    assert_eq!(health.json()["status"], "unavailable");
    let refused = alone.ruleset("broken-one");
    assert_eq!(refused["status"], "refused", "{refused}");
    assert!(refused["content_hash"].is_null());
    let apply = alone.post("/v1/rulesets/broken-one/apply", &json!({}));
    assert_eq!(apply.status, 503);
    let error = &apply.json()["error"];
    assert_eq!(error["code"], "ruleset-refused");
    assert!(
        error["diagnostics"][0]
            .as_str()
            .is_some_and(|d| d.contains("error[FM101]")),
        "{error}"
    );
    assert!(alone.log().contains("refused"), "{}", alone.log());
    drop(alone);
    // With a good one beside it: degraded, and the good one serves.
    std::fs::copy(
        crate::root().join("rules-examples/worker-hr.yaml"),
        dir.path().join("worker-hr.yaml"),
    )
    .expect("copy");
    let both = Served::start(dir.path(), &["--no-watch"], &[]);
    assert_eq!(
        both.get("/healthz").json(),
        json!({"status": "degraded", "serving": 1, "refused": 1})
    );
    assert_eq!(
        both.post("/v1/rulesets/worker-hr/apply", &json!({})).status,
        200
    );
}

#[test]
fn serve_answers_408_when_a_body_is_too_slow() {
    let server = Served::examples(&["--timeout-ms", "300"]);
    let mut connection = Connection::open(&server.addr).expect("connect");
    connection
        .write_raw(&request_head(
            "POST",
            "/v1/rulesets/worker-hr/apply",
            &server.addr,
            &[],
            Some(10),
        ))
        .expect("head");
    connection.write_raw(b"{").expect("part of the body");
    let response = connection.read_response().expect("an answer");
    assert_eq!(response.status, 408, "{}", response.text());
    assert_eq!(response.json()["error"]["code"], "timeout");
}

#[test]
fn serve_drains_an_in_flight_request_on_sigterm() {
    let mut server = Served::examples(&[]);
    let body = br#"{"records": [{"task": {"sid": "WT1"}}, {"task": {"sid": "WT2"}}]}"#;
    let mut connection = Connection::open(&server.addr).expect("connect");
    connection
        .write_raw(&request_head(
            "POST",
            "/v1/rulesets/inbound-voice/apply",
            &server.addr,
            &[],
            Some(body.len()),
        ))
        .expect("head");
    connection.write_raw(&body[..10]).expect("first part");
    // Wait until the server has read the head, so the request is in flight at the signal
    // (an idle connection would simply be closed): this /metrics request and that one.
    let deadline = Instant::now() + PATIENCE;
    while !server
        .get("/metrics")
        .text()
        .contains("flexmap_http_requests_in_flight 2")
    {
        assert!(Instant::now() < deadline, "the request never got in flight");
        std::thread::sleep(Duration::from_millis(5));
    }
    server.signal("TERM");
    let deadline = Instant::now() + PATIENCE;
    while !server.log().contains("shutting down") {
        assert!(Instant::now() < deadline, "no shutdown\n{}", server.log());
        std::thread::sleep(Duration::from_millis(10));
    }
    connection.write_raw(&body[10..]).expect("rest of the body");
    let response = connection
        .read_response()
        .expect("the in-flight request is answered");
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(response.json()["mapped"], 2);
    let status = server.child.wait().expect("the server exits");
    assert!(status.success(), "{status:?}\n{}", server.log());
    server.wait_for_log("stopped");
}

#[test]
fn serve_keeps_a_keep_alive_connection_usable_or_says_close() {
    let server = Served::start(
        &crate::root().join("rules-examples"),
        &["--max-body-bytes", "100"],
        &[("FLEXMAP_TOKEN", "t")],
    );
    let auth = ("Authorization", "Bearer t");
    let big = vec![b' '; 5000];
    // (method, path, with token, body, status)
    let cases: &[(&str, &str, bool, &[u8], u16)] = &[
        ("POST", "/v1/rulesets/worker-hr/apply", false, b"{}", 401),
        ("POST", "/v1/rulesets/nope/apply", true, b"{}", 404),
        ("POST", "/v1/rulesets/worker-hr/apply?x=1", true, b"{}", 400),
        ("POST", "/nowhere", true, b"{}", 404),
        ("PUT", "/v1/rulesets", true, b"{}", 405),
        (
            "POST",
            "/v1/rulesets/worker-hr/apply",
            true,
            b"{\"a\":",
            400,
        ),
        ("POST", "/v1/rulesets/worker-hr/apply", true, &big, 413),
    ];
    for &(method, path, token, body, status) in cases {
        let mut connection = Connection::open(&server.addr).expect("connect");
        let headers: &[(&str, &str)] = if token { &[auth] } else { &[] };
        let first = connection
            .send(method, path, headers, body)
            .expect("first answer");
        assert_eq!(first.status, status, "{method} {path}: {}", first.text());
        if first.header("connection") == Some("close") {
            continue;
        }
        let second = connection
            .send("POST", "/v1/rulesets/worker-hr/apply", &[auth], b"{}")
            .unwrap_or_else(|e| {
                panic!("after {method} {path} ({status}), the connection broke: {e}")
            });
        assert_eq!(
            second.status,
            200,
            "after {method} {path}: {}",
            second.text()
        );
    }
}

#[test]
fn serve_stops_after_the_drain_timeout_when_a_request_never_finishes() {
    let mut server = Served::examples(&["--drain-timeout-ms", "200", "--timeout-ms", "60000"]);
    let mut connection = Connection::open(&server.addr).expect("connect");
    connection
        .write_raw(&request_head(
            "POST",
            "/v1/rulesets/worker-hr/apply",
            &server.addr,
            &[],
            Some(100),
        ))
        .expect("head");
    connection.write_raw(b"{").expect("a body that never ends");
    let deadline = Instant::now() + PATIENCE;
    while !server
        .get("/metrics")
        .text()
        .contains("flexmap_http_requests_in_flight 2")
    {
        assert!(Instant::now() < deadline, "the request never got in flight");
        std::thread::sleep(Duration::from_millis(5));
    }
    let signalled = Instant::now();
    server.signal("TERM");
    let status = server.child.wait().expect("the server exits");
    assert!(status.success(), "{status:?}\n{}", server.log());
    assert!(
        signalled.elapsed() < Duration::from_secs(5),
        "stopped after {:?}",
        signalled.elapsed()
    );
    server.wait_for_log("drain timeout of 200 ms reached");
}

/// A deploy that swaps a symlinked folder at once, as Kubernetes does for a `ConfigMap`: the
/// rule files are links through `..data`, which is replaced by a rename.
#[cfg(unix)]
#[test]
fn serve_follows_a_symlink_swap_deploy() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let good = std::fs::read_to_string(crate::root().join("rules-examples/worker-hr.yaml"))
        .expect("example");
    let version = |name: &str, text: &str| {
        std::fs::create_dir(root.join(name)).expect("version folder");
        std::fs::write(root.join(name).join("worker-hr.yaml"), text).expect("write version");
    };
    let swap_to = |name: &str| {
        let _ = std::fs::remove_file(root.join("..data_tmp"));
        symlink(name, root.join("..data_tmp")).expect("link");
        std::fs::rename(root.join("..data_tmp"), root.join("..data")).expect("swap");
    };
    // Every version is written before the server starts, so the swaps are the only events.
    version("..v1", &good);
    version(
        "..v2",
        "flexmap: 1\ntarget: worker\nworker:\n  team_nme: x\n",
    );
    version("..v3", &format!("{good}\n# v3\n"));
    symlink("..v1", root.join("..data")).expect("link");
    symlink("..data/worker-hr.yaml", root.join("worker-hr.yaml")).expect("link");
    let server = Served::start(root, &[], &[]);
    let first = server.ruleset("worker-hr");
    assert_eq!(first["status"], "ok", "{first}\n{}", server.log());
    assert_eq!(
        server.get("/v1/rulesets").json()["rulesets"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "the hidden version folders are not rulesets"
    );

    swap_to("..v2");
    let stale = server.wait_for("worker-hr", "the broken deploy refused", |e| {
        e["status"] == "stale"
    });
    assert_eq!(stale["content_hash"], first["content_hash"]);

    swap_to("..v3");
    server.wait_for("worker-hr", "the fixed deploy", |e| {
        e["status"] == "ok" && e["content_hash"] != first["content_hash"]
    });
}

#[test]
fn trace_true_explains_each_rule_and_is_absent_otherwise() {
    let server = Served::examples(&[]);
    let record = json!({"task": {"sid": "WT1"}, "ivr": {"language": "EN-us"}});
    let plain = server.post("/v1/rulesets/inbound-voice/apply", &record);
    assert_eq!(plain.status, 200);
    assert!(plain.json().get("trace").is_none());
    let traced = server.post("/v1/rulesets/inbound-voice/apply?trace=true", &record);
    assert_eq!(traced.status, 200);
    let body = traced.json();
    // Same attributes as without the trace.
    assert_eq!(body["attributes"], plain.json()["attributes"]);
    let rules = body["trace"].as_array().expect("a trace");
    let language = rules
        .iter()
        .find(|r| r["rule"] == "conversations.language")
        .expect("the language rule is traced");
    assert_eq!(language["outcome"], "written");
    assert_eq!(
        language["output"],
        body["attributes"]["conversations"]["language"]
    );
    assert!(language["steps"].as_array().is_some_and(|s| !s.is_empty()));
    let batch = server.post(
        "/v1/rulesets/inbound-voice/apply?trace=true",
        &json!({"records": [record, {}]}),
    );
    let per_record = batch.json()["traces"].as_array().expect("traces").clone();
    assert_eq!(per_record.len(), 2);
    // Record values are in the answer to the caller who asked, never in the log.
    assert!(!server.log().contains("EN-us"));
}

// ---------------------------------------------------------------------------------------
// Hostile clients (issue 10): idle and trickling connections, connection floods, SIGTERM
// under load, concurrent heavy requests, values in errors.

/// Reads the counter `flexmap_http_connections_closed_total{reason="…"}`.
fn closed_by(server: &Served, reason: &str) -> u64 {
    let prefix = format!("flexmap_http_connections_closed_total{{reason=\"{reason}\"}} ");
    server
        .get("/metrics")
        .text()
        .lines()
        .find_map(|l| l.strip_prefix(&prefix).and_then(|n| n.parse().ok()))
        .unwrap_or_else(|| panic!("no {prefix} in /metrics"))
}

#[test]
fn serve_closes_idle_and_trickling_connections() {
    use std::io::Write as _;
    use std::net::TcpStream;
    let server = Served::examples(&[
        "--idle-timeout-ms",
        "1000",
        "--header-read-timeout-ms",
        "600",
    ]);
    // Trickled headers: one byte every 50 ms would keep an idle timer alive for ever; the
    // header-read timeout counts from the first byte.
    let addr = server.addr.clone();
    let trickler = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(&addr).expect("connect");
        let started = Instant::now();
        let _ = stream.write_all(b"GET /healthz HTTP/1.1\r\nX-Slow: ");
        for _ in 0..200 {
            if stream.write_all(b"x").is_err() {
                return Some(started.elapsed());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    });
    // A connection that never sends anything.
    let mut silent = TcpStream::connect(&server.addr).expect("connect");
    // A kept-alive connection: usable within the idle timeout, closed after it.
    let mut kept = Connection::open(&server.addr).expect("connect");
    let path = "/v1/rulesets/worker-hr/apply";
    assert_eq!(
        kept.send("POST", path, &[], b"{}").expect("first").status,
        200
    );
    std::thread::sleep(Duration::from_millis(300));
    let second = kept
        .send("POST", path, &[], b"{}")
        .expect("second, within the idle time");
    assert_eq!(second.status, 200);
    let kept_for = kept
        .wait_closed(Duration::from_secs(8))
        .expect("the idle kept-alive connection is closed");
    assert!(
        kept_for >= Duration::from_millis(500),
        "closed after {kept_for:?}"
    );
    crate::http_client::wait_closed(&mut silent, Duration::from_secs(8))
        .expect("the silent connection is closed");
    let trickled_for = trickler.join().expect("trickler");
    assert!(
        trickled_for.is_some_and(|t| t < Duration::from_secs(5)),
        "the trickling connection stayed open ({trickled_for:?})"
    );
    assert!(closed_by(&server, "idle-timeout") >= 2);
    assert!(closed_by(&server, "header-timeout") >= 1);
}

/// 300 half-open connections against 256 file descriptors: the cap fits the limit and the
/// longest idle connections make room, so `/healthz` still answers at once.
#[cfg(unix)]
#[test]
fn serve_stays_reachable_when_half_open_connections_exceed_the_file_limit() {
    use std::io::Write as _;
    use std::net::TcpStream;
    let server = Served::start_with_open_files(&crate::root().join("rules-examples"), &[], 256);
    server.wait_for_log("--max-connections 1024 lowered to 192");
    let mut half_open = Vec::new();
    for index in 0..300 {
        let mut stream = TcpStream::connect(&server.addr).expect("connect");
        if index % 2 == 0 {
            stream
                .write_all(b"POST /v1/rulesets/worker-hr/apply HTTP/1.1\r\n")
                .expect("a part of a head");
        }
        half_open.push(stream);
    }
    let started = Instant::now();
    let health = server.get("/healthz");
    assert_eq!(health.status, 200, "{}", health.text());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "/healthz took {:?}",
        started.elapsed()
    );
    assert!(closed_by(&server, "evicted") >= 100, "{}", server.log());
    drop(half_open);
}

#[test]
fn serve_answers_every_request_sent_before_sigterm() {
    use std::io::Write as _;
    use std::net::TcpStream;
    use std::sync::atomic::{AtomicU64, Ordering};
    let mut server = Served::examples(&[]);
    // An idle and a trickling connection must not hold the shutdown for the drain timeout.
    let _silent = TcpStream::connect(&server.addr).expect("connect");
    let mut trickling = TcpStream::connect(&server.addr).expect("connect");
    trickling
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .expect("a part of a head");

    let answered = Arc::new(AtomicU64::new(0));
    let unanswered = Arc::new(Mutex::new(Vec::<String>::new()));
    let give_up = Instant::now() + Duration::from_secs(30);
    let body = br#"{"records": [{"task": {"sid": "WT1"}}, {"task": {"sid": "WT2"}}]}"#;
    let workers: Vec<_> = (0..8)
        .map(|index| {
            let addr = server.addr.clone();
            let answered = Arc::clone(&answered);
            let unanswered = Arc::clone(&unanswered);
            std::thread::spawn(move || {
                // Reconnects after `Connection: close` until the listener is gone.
                while Instant::now() < give_up {
                    let Ok(mut connection) = Connection::open(&addr) else {
                        return;
                    };
                    loop {
                        let (path, bytes): (&str, &[u8]) = if index % 4 == 0 {
                            ("/v1/rulesets/inbound-voice/apply", b"{\"a\":")
                        } else {
                            ("/v1/rulesets/inbound-voice/apply", body)
                        };
                        let mut request = request_head("POST", path, &addr, &[], Some(bytes.len()));
                        request.extend_from_slice(bytes);
                        if connection.write_raw(&request).is_err() {
                            break; // Not sent: the server had closed.
                        }
                        match connection.read_response() {
                            Ok(response) => {
                                answered.fetch_add(1, Ordering::Relaxed);
                                if response.header("connection") == Some("close") {
                                    break;
                                }
                            }
                            Err(error) => {
                                unanswered
                                    .lock()
                                    .expect("lock")
                                    .push(format!("worker {index}: {error}"));
                                break;
                            }
                        }
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + PATIENCE;
    while answered.load(Ordering::Relaxed) < 300 {
        assert!(Instant::now() < deadline, "the load never got going");
        std::thread::sleep(Duration::from_millis(5));
    }
    let signalled = Instant::now();
    server.signal("TERM");
    for worker in workers {
        worker.join().expect("worker");
    }
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "no exit\n{}", server.log());
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = signalled.elapsed();
    assert!(status.success(), "{status:?}\n{}", server.log());
    let unanswered = unanswered.lock().expect("lock");
    assert!(
        unanswered.is_empty(),
        "{} of {} requests got no answer: {:?}",
        unanswered.len(),
        answered.load(Ordering::Relaxed) + unanswered.len() as u64,
        &unanswered[..unanswered.len().min(5)]
    );
    assert!(
        took < Duration::from_secs(5),
        "an idle connection held the shutdown for {took:?}"
    );
}

#[test]
fn serve_admits_a_bounded_number_of_apply_requests() {
    let server = Served::examples(&[
        "--max-queued",
        "2",
        "--max-concurrent",
        "1",
        "--timeout-ms",
        "20000",
    ]);
    let path = "/v1/rulesets/worker-hr/apply";
    let body = br#"{"worker": {"name": "W"}}"#;
    // Two requests admitted, each waiting for the rest of its body.
    let mut slow: Vec<Connection> = (0..2)
        .map(|_| {
            let mut connection = Connection::open(&server.addr).expect("connect");
            connection
                .write_raw(&request_head(
                    "POST",
                    path,
                    &server.addr,
                    &[],
                    Some(body.len()),
                ))
                .expect("head");
            connection
                .write_raw(&body[..1])
                .expect("a part of the body");
            connection
        })
        .collect();
    let deadline = Instant::now() + PATIENCE;
    while !server
        .get("/metrics")
        .text()
        .contains("flexmap_http_requests_in_flight 3")
    {
        assert!(
            Instant::now() < deadline,
            "the requests never got in flight"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    // A third is refused at once, with a JSON error and a retry hint.
    let started = Instant::now();
    let refused = server.request("POST", path, &[], body);
    assert_eq!(refused.status, 503, "{}", refused.text());
    assert_eq!(refused.json()["error"]["code"], "overloaded");
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert!(started.elapsed() < Duration::from_secs(2));
    // Other routes are not affected.
    assert_eq!(server.get("/healthz").status, 200);
    for connection in &mut slow {
        connection.write_raw(&body[1..]).expect("rest of the body");
        let response = connection.read_response().expect("an answer");
        assert_eq!(response.status, 200, "{}", response.text());
    }
    assert_eq!(server.request("POST", path, &[], body).status, 200);
}

#[test]
fn serve_accepts_the_bearer_scheme_in_any_case() {
    let server = Served::start(
        &crate::root().join("rules-examples"),
        &[],
        &[("FLEXMAP_TOKEN", "t0k")],
    );
    for header in [
        "Bearer t0k",
        "BEARER t0k",
        "bearer t0k",
        "bEaReR   t0k",
        "Bearer\tt0k",
    ] {
        let response = server.request("GET", "/v1/rulesets", &[("Authorization", header)], b"");
        assert_eq!(response.status, 200, "{header:?}: {}", response.text());
    }
    for header in ["Bearert0k", "Basic t0k", "Bearer", "BEARER t0kk"] {
        let response = server.request("GET", "/v1/rulesets", &[("Authorization", header)], b"");
        assert_eq!(response.status, 401, "{header:?}");
    }
}

#[test]
fn serve_never_shows_record_values_unless_asked() {
    let secret = "alice.secret@example.com";
    let apply = "/v1/rulesets/inbound-voice/apply";
    let strict = "/v1/rulesets/inbound-voice/apply?strict=true";
    let cases: Vec<(&str, String)> = vec![
        (apply, format!(r#"{{"email": "{secret}", }}"#)),
        (apply, format!(r#"{{"email": "{secret}"}} trailing"#)),
        (apply, format!(r#""{secret}""#)),
        (apply, format!(r#"{{"records": ["{secret}", {{}}]}}"#)),
        (
            strict,
            format!(
                r#"{{"task": {{"sid": "{secret}"}}, "ivr": {{"duration_seconds": "{secret}"}}}}"#
            ),
        ),
        (
            apply,
            format!(
                r#"{{"{secret}": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}"#
            ),
        ),
    ];
    let quiet = Served::start(
        &crate::root().join("rules-examples"),
        &[],
        &[("FLEXMAP_LOG", "debug")],
    );
    for (path, body) in &cases {
        let response = quiet.request("POST", path, &[], body.as_bytes());
        assert!(
            response.status >= 400 || response.text().contains("error"),
            "{body}: {}",
            response.text()
        );
        assert!(
            !response.text().contains(secret),
            "{body} answered {}",
            response.text()
        );
    }
    assert!(!quiet.log().contains(secret), "{}", quiet.log());

    let shown = Served::start(
        &crate::root().join("rules-examples"),
        &["--show-values"],
        &[],
    );
    let response = shown.request("POST", apply, &[], cases[0].1.as_bytes());
    assert_eq!(response.status, 400);
    assert!(
        response.json()["error"]["excerpt"]
            .as_str()
            .is_some_and(|e| e.contains(secret)),
        "{}",
        response.text()
    );
}

/// Copies the examples into `dir` (created), with `suffix` appended to worker-hr.yaml.
fn examples_into(dir: &Path, suffix: &str) {
    std::fs::create_dir_all(dir).expect("create the folder");
    let source = copy_of_examples();
    for entry in std::fs::read_dir(source.path()).expect("read copy") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), dir.join(entry.file_name())).expect("copy");
    }
    let file = dir.join("worker-hr.yaml");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, format!("{text}{suffix}")).expect("write");
}

/// Edits worker-hr.yaml under `dir` and waits until the server serves the edit.
fn edit_and_wait(server: &Served, dir: &Path, suffix: &str, what: &str) {
    let before = server.ruleset("worker-hr")["content_hash"].clone();
    let file = dir.join("worker-hr.yaml");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, format!("{text}{suffix}")).expect("edit");
    server.wait_for("worker-hr", what, |e| {
        e["status"] == "ok" && e["content_hash"] != before
    });
}

/// A deploy that replaces the rules folder by renames: the watcher follows the path, not
/// the old folder, and later edits are still seen.
#[test]
fn serve_keeps_watching_after_the_rules_folder_is_swapped_by_mv() {
    let root = tempfile::tempdir().expect("tempdir");
    let rules = root.path().join("rules");
    examples_into(&rules, "");
    let server = Served::start(&rules, &[], &[]);
    let first = server.ruleset("worker-hr")["content_hash"].clone();
    examples_into(&root.path().join("rules.new"), "\n# release 2\n");
    std::fs::rename(&rules, root.path().join("rules.old")).expect("move the old folder away");
    std::fs::rename(root.path().join("rules.new"), &rules).expect("move the new one in");
    server.wait_for("worker-hr", "the swapped-in release", |e| {
        e["status"] == "ok" && e["content_hash"] != first
    });
    server.wait_for_log("was replaced; watching the new one");
    edit_and_wait(
        &server,
        &rules,
        "\n# edit after the swap\n",
        "an edit after the swap",
    );
    // Edits to the old folder no longer matter.
    let now = server.ruleset("worker-hr")["content_hash"].clone();
    std::fs::write(root.path().join("rules.old/worker-hr.yaml"), "flexmap: 1\n").expect("edit old");
    edit_and_wait(
        &server,
        &rules,
        "\n# one more\n",
        "a second edit after the swap",
    );
    assert_ne!(server.ruleset("worker-hr")["content_hash"], now);
    assert_eq!(server.ruleset("worker-hr")["status"], "ok");
}

/// `rm -r` and recreate: the rulesets keep serving while the folder is gone, the new folder
/// is loaded when it appears, and its later edits are seen.
#[test]
fn serve_keeps_watching_after_the_rules_folder_is_removed_and_recreated() {
    let root = tempfile::tempdir().expect("tempdir");
    let rules = root.path().join("rules");
    examples_into(&rules, "");
    let server = Served::start(&rules, &[], &[]);
    let first = server.ruleset("worker-hr")["content_hash"].clone();
    std::fs::remove_dir_all(&rules).expect("remove the folder");
    server.wait_for_log("is gone");
    assert_eq!(
        server.get("/healthz").status,
        200,
        "the loaded rulesets keep serving"
    );
    assert_eq!(
        server
            .post("/v1/rulesets/worker-hr/apply", &json!({}))
            .status,
        200
    );
    examples_into(&rules, "\n# recreated\n");
    server.wait_for("worker-hr", "the recreated folder", |e| {
        e["status"] == "ok" && e["content_hash"] != first
    });
    edit_and_wait(
        &server,
        &rules,
        "\n# edit after recreate\n",
        "an edit after the recreate",
    );
}

/// Reads a counter of `/metrics` by its full name and labels.
fn counter(server: &Served, series: &str) -> u64 {
    let prefix = format!("{series} ");
    server
        .get("/metrics")
        .text()
        .lines()
        .find_map(|l| l.strip_prefix(&prefix).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

/// A FIFO named like a rule file: startup does not block on it (it is refused with FM902),
/// reloads with one present finish (by file change and by SIGHUP), and SIGTERM still ends
/// the server at once.
#[cfg(unix)]
#[test]
fn serve_is_not_blocked_by_a_fifo_in_the_rules_folder() {
    let dir = copy_of_examples();
    let mkfifo = |name: &str| {
        let status = Command::new("mkfifo")
            .arg(dir.path().join(name))
            .status()
            .expect("mkfifo runs");
        assert!(status.success(), "mkfifo {name}");
    };
    mkfifo("at-start.yaml");
    let mut server = Served::start(dir.path(), &[], &[]);
    let fifo = server.ruleset("at-start");
    assert_eq!(fifo["status"], "refused", "{fifo}");
    assert!(
        fifo["last_reload_error"]["diagnostics"][0]
            .as_str()
            .is_some_and(|d| d.contains("error[FM902]") && d.contains("not a regular file")),
        "{fifo}"
    );
    std::fs::remove_file(dir.path().join("at-start.yaml")).expect("remove the FIFO");
    server.wait_for("worker-hr", "the folder without the FIFO", |e| {
        e["status"] == "ok"
    });

    // One created while running: the reload it starts finishes, and so does a SIGHUP one.
    let file_reloads = counter(&server, r#"flexmap_reloads_total{trigger="file"}"#);
    mkfifo("while-running.yaml");
    server.wait_for("while-running", "the FIFO refused at a reload", |e| {
        e["status"] == "refused"
    });
    assert!(counter(&server, r#"flexmap_reloads_total{trigger="file"}"#) > file_reloads);
    server.signal("HUP");
    let deadline = Instant::now() + PATIENCE;
    while counter(&server, r#"flexmap_reloads_total{trigger="signal"}"#) < 1 {
        assert!(
            Instant::now() < deadline,
            "the SIGHUP reload never finished\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_ne!(
        server.get("/healthz").json()["status"],
        "ok",
        "the FIFO is reported"
    );
    let signalled = Instant::now();
    server.signal("TERM");
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = server.child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "no exit\n{}", server.log());
        std::thread::sleep(Duration::from_millis(10));
    };
    assert!(status.success(), "{status:?}\n{}", server.log());
    assert!(
        signalled.elapsed() < Duration::from_secs(3),
        "{:?}",
        signalled.elapsed()
    );
}

/// Exact numbers (issue 10 item 6): a 25-digit ID comes back as written, in text and as a
/// number, alone, in a batch and in the trace (it was `1.2345678901234568e24`).
#[test]
fn serve_keeps_big_integers_exact() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("ids.yaml"),
        "flexmap: 1\ntarget: task\nconversations:\n  conversation_id: r.id\n  conversation_measure_1: r.n\nextra:\n  raw: r.list\n",
    )
    .expect("write rules");
    let server = Served::start(dir.path(), &[], &[]);
    let d25 = "1234567890123456789012345";
    let d40 = "-1234567890123456789012345678901234567890";
    let record = format!(r#"{{"r":{{"id":{d25},"n":{d25},"list":[{d40},5.0]}}}}"#);
    let attributes = format!(
        r#""attributes":{{"conversations":{{"conversation_id":"{d25}","conversation_measure_1":{d25}}},"raw":[{d40},5.0]}}"#
    );
    let path = "/v1/rulesets/ids/apply";
    let one = server.request("POST", path, &[], record.as_bytes());
    assert_eq!(one.status, 200, "{}", one.text());
    assert!(one.text().contains(&attributes), "{}", one.text());
    let batch = format!(r#"{{"records":[{record},{record}]}}"#);
    let many = server.request("POST", path, &[], batch.as_bytes());
    assert_eq!(many.status, 200, "{}", many.text());
    assert_eq!(
        many.text().matches(&attributes).count(),
        2,
        "{}",
        many.text()
    );
    let traced = server.request(
        "POST",
        &format!("{path}?trace=true"),
        &[],
        record.as_bytes(),
    );
    assert!(
        traced.text().contains(&format!(r#""output":"{d25}""#))
            && traced.text().contains(&format!(r#""value":{d25}"#)),
        "{}",
        traced.text()
    );
}
