//! Routes, handlers and JSON error bodies. The only place that knows HTTP.
//!
//! Every answer that is not a success is `{"error": {"code": "...", "message": "..."}}`
//! (with `help`, `line`, `column` or `diagnostics` where they say more); the codes are
//! listed in docs/http-api.md.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::AppState;
use super::limits;
use super::metrics::{RecordErrorLabels, RequestLabels, RouteLabels, RulesetLabels, WarningLabels};
use super::registry::{Entry, Registry};
use crate::runtime::{Output, Program, RecordError, RecordPolicy, RuntimeWarning};

/// The route of `POST …/apply`, as it appears in metrics.
pub const APPLY_ROUTE: &str = "/v1/rulesets/{name}/apply";

/// Builds the router over the shared state.
pub fn router(state: Arc<AppState>) -> Router {
    let protected = Router::new()
        .route("/v1/rulesets", get(list_rulesets))
        .route("/v1/rulesets/{name}", get(show_ruleset))
        .route(APPLY_ROUTE, post(apply))
        .route("/metrics", get(metrics))
        .route_layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            authorize,
        ));
    Router::new()
        .route("/healthz", get(healthz))
        .merge(protected)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&state),
            time_limit,
        ))
        .layer(middleware::from_fn_with_state(Arc::clone(&state), observe))
        .with_state(state)
}

/// A JSON error answer.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: Box<ErrorBody>,
    /// The request body may be unread: answer with `Connection: close`, so a keep-alive
    /// client does not send its next request into a connection the server drops.
    close: bool,
}

#[derive(Debug, Serialize)]
struct ErrorBody {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    diagnostics: Vec<String>,
    /// The body's text near the error (only with `--show-values`).
    #[serde(skip_serializing_if = "Option::is_none")]
    excerpt: Option<String>,
    /// Seconds to wait before retrying (also sent as `Retry-After`).
    #[serde(skip)]
    retry_after: Option<u32>,
}

impl ApiError {
    /// An error with a status, a code and a message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: Box::new(ErrorBody {
                code,
                message: message.into(),
                help: None,
                line: None,
                column: None,
                diagnostics: Vec::new(),
                excerpt: None,
                retry_after: None,
            }),
            close: false,
        }
    }

    /// Marks the answer as the last on its connection.
    fn closing(mut self) -> ApiError {
        self.close = true;
        self
    }

    fn retry_after(mut self, seconds: u32) -> ApiError {
        self.body.retry_after = Some(seconds);
        self
    }

    fn help(mut self, help: impl Into<String>) -> ApiError {
        self.body.help = Some(help.into());
        self
    }

    fn at(mut self, line: usize, column: usize) -> ApiError {
        self.body.line = Some(line);
        self.body.column = Some(column);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        #[derive(Serialize)]
        struct Wrapper<'a> {
            error: &'a ErrorBody,
        }
        let mut response = json_response(self.status, &Wrapper { error: &self.body });
        if self.close {
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        if let Some(seconds) = self.body.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"flexmap\""),
            );
        }
        response
    }
}

fn json_response(status: StatusCode, value: &impl Serialize) -> Response {
    let bytes = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    bytes_response(status, bytes)
}

fn bytes_response(status: StatusCode, mut bytes: Vec<u8>) -> Response {
    bytes.push(b'\n');
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// When the request must be answered by, set by `time_limit`.
#[derive(Clone, Copy, Debug)]
struct Deadline(Instant);

// ---------------------------------------------------------------------------------------
// Middleware

/// Counts and times every request, and logs it at debug level (no bodies, no values).
async fn observe(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    // Methods are a bounded label: anything unusual counts as `other`.
    let method = match *request.method() {
        Method::GET
        | Method::POST
        | Method::HEAD
        | Method::PUT
        | Method::DELETE
        | Method::PATCH
        | Method::OPTIONS => request.method().as_str(),
        _ => "other",
    }
    .to_owned();
    let response = {
        let _in_flight = InFlight::enter(&state.metrics.in_flight);
        next.run(request).await
    };
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state
        .metrics
        .requests
        .get_or_create(&RequestLabels {
            route: route.clone(),
            method: method.clone(),
            status,
        })
        .inc();
    state
        .metrics
        .latency
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(elapsed.as_secs_f64());
    tracing::debug!(%method, %route, status, micros = elapsed.as_micros() as u64, "request");
    response
}

/// Counts a request in flight until dropped (also when the connection goes away).
struct InFlight<'a>(&'a prometheus_client::metrics::gauge::Gauge);

impl<'a> InFlight<'a> {
    fn enter(gauge: &'a prometheus_client::metrics::gauge::Gauge) -> InFlight<'a> {
        gauge.inc();
        InFlight(gauge)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Answers 408 when the request is not read and answered within the time limit.
async fn time_limit(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Response {
    let limit = state.options.timeout;
    request
        .extensions_mut()
        .insert(Deadline(Instant::now() + limit));
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => timeout_error(limit).closing().into_response(),
    }
}

fn timeout_error(limit: std::time::Duration) -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "timeout",
        format!(
            "the request was not read and answered within the {} ms time limit",
            limit.as_millis()
        ),
    )
    .help("send smaller batches, or raise the limit with `flexmap serve --timeout-ms`")
}

/// Checks the bearer token, when one is configured.
async fn authorize(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let Some(expected) = &state.options.token else {
        return next.run(request).await;
    };
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_credentials);
    match given {
        None => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this server needs a bearer token",
        )
        .help("send the header `Authorization: Bearer <token>`")
        .closing()
        .into_response(),
        Some(given) if limits::same_secret(given.as_bytes(), expected.as_bytes()) => {
            next.run(request).await
        }
        Some(_) => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the bearer token is wrong",
        )
        .help("send the token the server was started with (--token-file or FLEXMAP_TOKEN)")
        .closing()
        .into_response(),
    }
}

/// The credentials of an `Authorization: Bearer …` header. The scheme is case-insensitive
/// (RFC 9110, section 11.1) and followed by one or more spaces.
fn bearer_credentials(value: &str) -> Option<&str> {
    let (scheme, rest) = value.split_once([' ', '\t'])?;
    let credentials = rest.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !credentials.is_empty()).then_some(credentials)
}

// ---------------------------------------------------------------------------------------
// Handlers

#[derive(Serialize)]
struct Health {
    status: &'static str,
    serving: usize,
    refused: usize,
}

/// `GET /healthz`: 200 `ok` or `degraded` (some ruleset refused), 503 `unavailable` when
/// no ruleset has a program.
async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    let registry = state.registry.load();
    let serving = registry.serving();
    let refused = registry.refused();
    let (status, word) = match (serving, refused) {
        (0, _) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        (_, 0) if registry.error.is_none() => (StatusCode::OK, "ok"),
        _ => (StatusCode::OK, "degraded"),
    };
    json_response(
        status,
        &Health {
            status: word,
            serving,
            refused,
        },
    )
}

#[derive(Serialize)]
struct RulesetList<'a> {
    rules_dir: String,
    rulesets: Vec<&'a Entry>,
    /// Why the last reload of the whole folder failed, if it did.
    error: Option<&'a super::registry::ReloadError>,
}

/// `GET /v1/rulesets`.
async fn list_rulesets(State(state): State<Arc<AppState>>) -> Response {
    let registry = state.registry.load();
    json_response(
        StatusCode::OK,
        &RulesetList {
            rules_dir: state.options.rules.display().to_string(),
            rulesets: registry.rulesets.values().map(AsRef::as_ref).collect(),
            error: registry.error.as_ref(),
        },
    )
}

/// `GET /v1/rulesets/{name}`.
async fn show_ruleset(
    State(state): State<Arc<AppState>>,
    name: Result<Path<String>, PathRejection>,
) -> Response {
    let name = match name {
        Ok(Path(name)) => name,
        Err(rejection) => return bad_path(&rejection).into_response(),
    };
    let registry = state.registry.load();
    match registry.get(&name) {
        Some(entry) => json_response(StatusCode::OK, entry.as_ref()),
        None => unknown_ruleset(&registry, &name).into_response(),
    }
}

/// `GET /metrics`.
async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let text = state.metrics.render();
    let mut response = Response::new(Body::from(text));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(super::metrics::CONTENT_TYPE),
    );
    response
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not-found",
        format!("nothing at {}", uri.path()),
    )
    .help(
        "the routes are GET /healthz, GET /metrics, GET /v1/rulesets and POST /v1/rulesets/{name}/apply",
    )
    .closing()
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    let allowed = if uri.path().ends_with("/apply") {
        "POST"
    } else {
        "GET"
    };
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
    .help(format!("use {allowed}"))
    .closing()
}

/// Options of `POST …/apply`, from the query string.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ApplyQuery {
    /// Runtime warnings make the record an error (in place).
    #[serde(default)]
    strict: bool,
    /// Add each record's trace (`Program::trace`): it holds record values, by request.
    #[serde(default)]
    trace: bool,
}

/// `POST /v1/rulesets/{name}/apply`: one record, or `{"records": [...]}`.
async fn apply(
    State(state): State<Arc<AppState>>,
    name: Result<Path<String>, PathRejection>,
    query: Result<Query<ApplyQuery>, QueryRejection>,
    request: Request,
) -> Result<Response, ApiError> {
    let deadline = request
        .extensions()
        .get::<Deadline>()
        .map_or_else(|| Instant::now() + state.options.timeout, |d| d.0);
    // Admission first: a bounded number of apply requests hold a body at once; the rest
    // are told to come back (their body is not read: the connection closes).
    let Ok(admitted) = Arc::clone(&state.admitted).try_acquire_owned() else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            format!(
                "{} apply requests are already being handled; this one was not read",
                state.options.max_queued
            ),
        )
        .help("retry after a moment, or raise the limit with `flexmap serve --max-queued`")
        .retry_after(1)
        .closing());
    };
    // The body is read first, whatever the answer, so the connection stays usable.
    let (parts, body) = request.into_parts();
    let bytes = read_body(&parts.headers, body, state.options.max_body_bytes).await?;
    let Path(name) = name.map_err(|r| bad_path(&r))?;
    let Query(query) = query.map_err(|r| {
        ApiError::new(StatusCode::BAD_REQUEST, "bad-query", r.body_text())
            .help("the query parameters are `strict=true` and `trace=true`")
    })?;
    let (name, entry, program) = {
        let registry = state.registry.load();
        let Some(entry) = registry.get(&name) else {
            return Err(unknown_ruleset(&registry, &name));
        };
        let Some(program) = entry.program.clone() else {
            let mut error = ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "ruleset-refused",
                format!("the ruleset `{name}` has errors and is not serving"),
            )
            .help("fix the rule file; the server reloads it on change or on SIGHUP");
            if let Some(reload) = &entry.last_reload_error {
                error.body.diagnostics.clone_from(&reload.diagnostics);
            }
            return Err(error);
        };
        (name, Arc::clone(entry), program)
    };
    // At most `max_concurrent` mappings run at once; the others wait here (the time limit
    // answers 408 if that takes too long).
    let worker = Arc::clone(&state.permits)
        .acquire_owned()
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "shutting-down",
                "the server is shutting down",
            )
        })?;
    // The job holds both permits until it ends, so a request answered 408 (or whose client
    // went away) still counts until its work has stopped; it stops at the next record.
    let cancelled = Arc::new(AtomicBool::new(false));
    let _cancel_on_drop = CancelOnDrop(Arc::clone(&cancelled));
    let job_state = Arc::clone(&state);
    let outcome = tokio::task::spawn_blocking(move || {
        let _permits = (worker, admitted);
        map_body(
            &job_state,
            &name,
            &entry,
            &program,
            &bytes,
            query,
            &Stop {
                deadline,
                cancelled,
            },
        )
    })
    .await;
    match outcome {
        Ok(result) => result,
        Err(join_error) => {
            if state.options.show_values {
                tracing::error!(error = %join_error, "mapping task failed");
            } else {
                // A panic message may quote a value.
                tracing::error!("mapping task failed (start with --show-values for its message)");
            }
            Err(ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "mapping the request failed inside the server",
            ))
        }
    }
}

/// Sets its flag when dropped: the handler holds it, so a request answered 408 (its
/// future dropped by the time limit) or whose client went away stops its mapping job at the
/// next record.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// When a mapping job must stop.
struct Stop {
    deadline: Instant,
    cancelled: Arc<AtomicBool>,
}

impl Stop {
    fn now(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed) || Instant::now() > self.deadline
    }
}

fn bad_path(rejection: &PathRejection) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad-path", rejection.body_text())
}

fn unknown_ruleset(registry: &Registry, name: &str) -> ApiError {
    let names: Vec<&str> = registry.rulesets.keys().map(String::as_str).collect();
    let mut error = ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown-ruleset",
        format!("no ruleset named `{name}`"),
    );
    let help = match crate::suggest_name(name, names.iter().copied()) {
        Some(suggestion) => format!("did you mean `{suggestion}`?"),
        None if names.is_empty() => "the rules folder has no ruleset".to_owned(),
        None => format!("the rulesets are: {}", names.join(", ")),
    };
    error.body.help = Some(help);
    error
}

async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Vec<u8>, ApiError> {
    use http_body_util::BodyExt;
    let too_large = |size: Option<u64>| {
        let message = match size {
            Some(size) => format!("the body is {size} bytes, over the limit of {limit} bytes"),
            None => format!("the body is over the limit of {limit} bytes"),
        };
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body-too-large", message)
            .help("send smaller batches, or raise the limit with `flexmap serve --max-body-bytes`")
            .closing()
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(size) = declared.filter(|&size| size > limit as u64) {
        return Err(too_large(Some(size)));
    }
    match http_body_util::Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes().to_vec()),
        Err(error)
            if error
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            Err(too_large(None))
        }
        Err(error) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "body-unreadable",
            format!("the body could not be read: {error}"),
        )
        .closing()),
    }
}

// ---------------------------------------------------------------------------------------
// Mapping (runs on a blocking thread)

/// One runtime warning, without the value.
#[derive(Debug, Serialize)]
pub struct WarningBody {
    /// `truncated`, `lookup-miss`, …
    pub code: &'static str,
    /// The rule's target, e.g. `conversations.ivr_path` (empty for record-level warnings).
    pub rule: String,
    /// `file:line:col` of the rule, filter or operator.
    pub at: String,
    /// What happened.
    pub message: String,
}

#[derive(Serialize)]
#[serde(untagged)]
enum RecordResult {
    Mapped {
        attributes: Output,
        warnings: Vec<WarningBody>,
    },
    Failed {
        error: RecordErrorBody,
        warnings: Vec<WarningBody>,
    },
}

#[derive(Serialize)]
struct RecordErrorBody {
    code: &'static str,
    message: String,
}

#[derive(Serialize)]
struct SingleResponse<'a> {
    ruleset: &'a str,
    content_hash: Option<&'a str>,
    #[serde(flatten)]
    result: RecordResult,
    /// With `?trace=true`: why each rule gave what it gave.
    #[serde(skip_serializing_if = "Option::is_none")]
    trace: Option<Vec<crate::runtime::RuleTrace>>,
}

#[derive(Serialize)]
struct BatchResponse<'a> {
    ruleset: &'a str,
    content_hash: Option<&'a str>,
    mapped: usize,
    failed: usize,
    results: Vec<RecordResult>,
    /// With `?trace=true`: one trace per record, in the order of `results`.
    #[serde(skip_serializing_if = "Option::is_none")]
    traces: Option<Vec<Vec<crate::runtime::RuleTrace>>>,
}

fn map_body(
    state: &AppState,
    name: &str,
    entry: &Entry,
    program: &Program,
    bytes: &[u8],
    query: ApplyQuery,
    stop: &Stop,
) -> Result<Response, ApiError> {
    let strict = query.strict;
    let trace = |record: &Value| query.trace.then(|| program.trace(record));
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(
            ApiError::new(StatusCode::BAD_REQUEST, "empty-body", "the body is empty")
                .help("send one JSON record, or {\"records\": [ ... ]}"),
        );
    }
    let max_depth = state.options.max_depth;
    if let Err(at) = limits::check_depth(bytes, max_depth) {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "too-deep",
            format!(
                "the JSON nests deeper than {max_depth} levels (line {}, column {})",
                at.line, at.column
            ),
        )
        .at(at.line, at.column)
        .help("flatten the record, or raise the limit with `flexmap serve --max-depth`"));
    }
    let body: Value = match std::str::from_utf8(bytes) {
        Ok(text) => crate::runtime::number::parse_record(text),
        Err(_) => serde_json::from_slice(bytes),
    }
    .map_err(|e| {
        // serde_json's messages name what was expected, never the text itself.
        let mut error = ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            format!("the body is not valid JSON: {e}"),
        )
        .at(e.line(), e.column());
        if state.options.show_values {
            error.body.excerpt = Some(excerpt(bytes, e.line(), e.column()));
        }
        error
    })?;
    let hash = entry.content_hash.as_deref();
    let ruleset_labels = RulesetLabels {
        ruleset: name.to_owned(),
    };
    match batch_records(body) {
        Batch::Records(records) if records.len() > state.options.max_batch_records => {
            Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "batch-too-large",
                format!(
                    "the batch has {} records, over the limit of {}",
                    records.len(),
                    state.options.max_batch_records
                ),
            )
            .help("split the batch, or raise the limit with `flexmap serve --max-batch-records`"))
        }
        Batch::Records(records) => {
            let mut results = Vec::with_capacity(records.len());
            let (mut mapped, mut failed) = (0, 0);
            for record in &records {
                if stop.now() {
                    return Err(timeout_error(state.options.timeout));
                }
                let result = map_record(state, name, program, record, strict);
                match result {
                    RecordResult::Mapped { .. } => mapped += 1,
                    RecordResult::Failed { .. } => failed += 1,
                }
                results.push(result);
            }
            let traces = query
                .trace
                .then(|| records.iter().filter_map(&trace).collect());
            state
                .metrics
                .records_mapped
                .get_or_create(&ruleset_labels)
                .inc_by(mapped as u64);
            let bytes = serde_json::to_vec(&BatchResponse {
                ruleset: name,
                content_hash: hash,
                mapped,
                failed,
                results,
                traces,
            })
            .map_err(internal)?;
            Ok(bytes_response(StatusCode::OK, bytes))
        }
        Batch::NotAnArray => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad-batch",
            "`records` must be an array of records",
        )
        .help("send {\"records\": [ {...}, {...} ]}, or one record on its own")),
        Batch::One(record) => {
            let result = map_record(state, name, program, &record, strict);
            let status = match &result {
                RecordResult::Mapped { .. } => {
                    state
                        .metrics
                        .records_mapped
                        .get_or_create(&ruleset_labels)
                        .inc();
                    StatusCode::OK
                }
                RecordResult::Failed { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let bytes = serde_json::to_vec(&SingleResponse {
                ruleset: name,
                content_hash: hash,
                result,
                trace: trace(&record),
            })
            .map_err(internal)?;
            Ok(bytes_response(status, bytes))
        }
    }
}

/// Up to 40 bytes either side of a 1-based line and column of `bytes`, as text.
fn excerpt(bytes: &[u8], line: usize, column: usize) -> String {
    let line_start = bytes
        .split(|&b| b == b'\n')
        .take(line.saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum::<usize>();
    let at = (line_start + column.saturating_sub(1)).min(bytes.len());
    let from = at.saturating_sub(40);
    let to = (at + 40).min(bytes.len());
    String::from_utf8_lossy(&bytes[from..to]).into_owned()
}

#[allow(clippy::needless_pass_by_value)] // Used as `map_err(internal)`.
fn internal(error: serde_json::Error) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        format!("the answer could not be written: {error}"),
    )
}

enum Batch {
    One(Value),
    Records(Vec<Value>),
    NotAnArray,
}

/// A batch is an object whose only key is `records`; anything else is one record.
fn batch_records(body: Value) -> Batch {
    match body {
        Value::Object(mut object) if object.len() == 1 && object.contains_key("records") => {
            match object.remove("records") {
                Some(Value::Array(records)) => Batch::Records(records),
                _ => Batch::NotAnArray,
            }
        }
        other => Batch::One(other),
    }
}

/// One record under the library's record policy (`RecordPolicy`, shared with `flexmap apply`):
/// an over-cap payload or a strict warning is an error here exactly as it is there.
fn map_record(
    state: &AppState,
    name: &str,
    program: &Program,
    record: &Value,
    strict: bool,
) -> RecordResult {
    let outcome = RecordPolicy::new()
        .strict(strict)
        .map_record(program, record);
    let warnings: Vec<WarningBody> = outcome
        .warnings
        .iter()
        .map(|w| warning_body(state, name, program, w))
        .collect();
    match outcome.result {
        Ok(attributes) => RecordResult::Mapped {
            attributes,
            warnings,
        },
        Err(RecordError { code, message }) => {
            state
                .metrics
                .record_errors
                .get_or_create(&RecordErrorLabels {
                    ruleset: name.to_owned(),
                    code: code.to_owned(),
                })
                .inc();
            RecordResult::Failed {
                error: RecordErrorBody { code, message },
                warnings,
            }
        }
    }
}

fn warning_body(
    state: &AppState,
    name: &str,
    program: &Program,
    warning: &RuntimeWarning,
) -> WarningBody {
    let described = program.describe(warning);
    let site = warning.site.and_then(|s| program.sites().get(s as usize));
    let (rule, at) = match site {
        Some(site) => (
            site.target.to_string(),
            format!("{}:{}:{}", site.file, site.line, site.column),
        ),
        None => (String::new(), program.name().to_owned()),
    };
    let prefix = if rule.is_empty() {
        format!("{at}: ")
    } else {
        format!("{at}: {rule}: ")
    };
    let message = described
        .strip_prefix(&prefix)
        .map_or_else(|| described.clone(), str::to_owned);
    state
        .metrics
        .warnings
        .get_or_create(&WarningLabels {
            ruleset: name.to_owned(),
            rule: rule.clone(),
            code: warning.kind.name().to_owned(),
        })
        .inc();
    WarningBody {
        code: warning.kind.name(),
        rule,
        at,
        message,
    }
}
