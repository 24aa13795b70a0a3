//! Prometheus metrics of the service (prometheus-client, Prometheus text format 0.0.4).
//!
//! Every label has a bounded set of values: routes are the matched route templates (never
//! the raw path), rulesets and rules come from the rules folder, codes from fixed lists.
//! No label ever carries a record value.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Content type of `/metrics`.
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Labels of an HTTP request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The matched route template (`/v1/rulesets/{name}/apply`), or `unmatched`.
    pub route: String,
    /// HTTP method.
    pub method: String,
    /// Response status code.
    pub status: u16,
}

/// Labels of a route.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// The matched route template, or `unmatched`.
    pub route: String,
}

/// Labels of a ruleset.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RulesetLabels {
    /// Ruleset name.
    pub ruleset: String,
}

/// Labels of a record that could not be mapped.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RecordErrorLabels {
    /// Ruleset name.
    pub ruleset: String,
    /// Error code (`not-an-object`, `strict`).
    pub code: String,
}

/// Labels of a runtime warning.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WarningLabels {
    /// Ruleset name.
    pub ruleset: String,
    /// The rule's target (`conversations.ivr_path`), or empty for record-level warnings.
    pub rule: String,
    /// Warning code (`truncated`, `lookup-miss`, …).
    pub code: String,
}

/// Labels of a reload.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReloadLabels {
    /// What started it: `startup`, `signal` or `file`.
    pub trigger: String,
}

/// Labels of a connection the server closed on its own.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CloseLabels {
    /// Why: `idle-timeout`, `header-timeout`, `evicted` (at the connection cap) or `drain`
    /// (at shutdown).
    pub reason: String,
}

fn latency_histogram() -> Histogram {
    // 50 µs … about 3.3 s.
    Histogram::new(exponential_buckets(0.000_05, 2.0, 17))
}

/// The service's metrics, registered once.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// `flexmap_http_requests_total{route,method,status}`.
    pub requests: Family<RequestLabels, Counter>,
    /// `flexmap_http_request_duration_seconds{route}`.
    pub latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    /// `flexmap_records_mapped_total{ruleset}`.
    pub records_mapped: Family<RulesetLabels, Counter>,
    /// `flexmap_record_errors_total{ruleset,code}`.
    pub record_errors: Family<RecordErrorLabels, Counter>,
    /// `flexmap_runtime_warnings_total{ruleset,rule,code}`.
    pub warnings: Family<WarningLabels, Counter>,
    /// `flexmap_reloads_total{trigger}`.
    pub reloads: Family<ReloadLabels, Counter>,
    /// `flexmap_reload_failures_total{trigger}`.
    pub reload_failures: Family<ReloadLabels, Counter>,
    /// `flexmap_http_requests_in_flight`: requests whose head is read and whose answer is
    /// not yet sent.
    pub in_flight: Gauge,
    /// `flexmap_http_connections_open`.
    pub connections_open: Gauge,
    /// `flexmap_http_connections_closed_total{reason}`: connections the server closed on
    /// its own (timeouts, the connection cap, shutdown).
    pub connections_closed: Family<CloseLabels, Counter>,
    /// `flexmap_rulesets_serving`.
    pub serving: Gauge,
    /// `flexmap_rulesets_refused` (status `stale` or `refused`).
    pub refused: Gauge,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("flexmap");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let records_mapped = Family::<RulesetLabels, Counter>::default();
        let record_errors = Family::<RecordErrorLabels, Counter>::default();
        let warnings = Family::<WarningLabels, Counter>::default();
        let reloads = Family::<ReloadLabels, Counter>::default();
        let reload_failures = Family::<ReloadLabels, Counter>::default();
        let in_flight = Gauge::default();
        let serving = Gauge::default();
        let refused = Gauge::default();
        let connections_open = Gauge::default();
        let connections_closed = Family::<CloseLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template, method and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time from request to response, by route template",
            latency.clone(),
        );
        registry.register(
            "http_requests_in_flight",
            "Requests being answered now",
            in_flight.clone(),
        );
        registry.register(
            "http_connections_open",
            "Connections open now",
            connections_open.clone(),
        );
        registry.register(
            "http_connections_closed",
            "Connections the server closed on its own, by reason",
            connections_closed.clone(),
        );
        registry.register(
            "records_mapped",
            "Records mapped into attributes, by ruleset",
            records_mapped.clone(),
        );
        registry.register(
            "record_errors",
            "Records answered with an error in place (not an object, strict), by ruleset and code",
            record_errors.clone(),
        );
        registry.register(
            "runtime_warnings",
            "Runtime warnings, by ruleset, rule target and warning code",
            warnings.clone(),
        );
        registry.register(
            "reloads",
            "Reloads of the rules folder, by trigger",
            reloads.clone(),
        );
        registry.register(
            "reload_failures",
            "Reloads in which a ruleset or the whole folder was refused, by trigger",
            reload_failures.clone(),
        );
        registry.register(
            "rulesets_serving",
            "Rulesets with a program",
            serving.clone(),
        );
        registry.register(
            "rulesets_refused",
            "Rulesets whose latest file version was refused (stale or not serving)",
            refused.clone(),
        );
        // Every trigger shows from the start, at 0, so a rate() over them works at once.
        for trigger in ["startup", "signal", "file"] {
            let labels = ReloadLabels {
                trigger: trigger.to_owned(),
            };
            let _ = reloads.get_or_create(&labels);
            let _ = reload_failures.get_or_create(&labels);
        }
        for reason in ["idle-timeout", "header-timeout", "evicted", "drain"] {
            let _ = connections_closed.get_or_create(&CloseLabels {
                reason: reason.to_owned(),
            });
        }
        Metrics {
            registry,
            requests,
            latency,
            records_mapped,
            record_errors,
            warnings,
            reloads,
            reload_failures,
            in_flight,
            connections_open,
            connections_closed,
            serving,
            refused,
        }
    }

    /// The metrics in Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry);
        out
    }
}
