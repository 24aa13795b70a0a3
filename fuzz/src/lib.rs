//! The logic of flexmap's fuzz targets, in plain functions.
//!
//! Each `fuzz_targets/*.rs` is one line that calls a function here, and the normal test
//! suite includes this file too (`tests/it/fuzz_regressions.rs`): it replays every input the
//! fuzzers ever found (`tests/cases/fuzz-regressions/<target>/`) through the same functions,
//! and its property tests check outputs with the same `check_output`. So `cargo test` keeps
//! this file compiling, and a fuzz finding becomes a regression test by saving one file.
//!
//! Every function panics on a broken invariant (that is how libFuzzer sees a finding) and
//! returns normally otherwise, whatever the bytes.

use std::fmt::Write as _;
use std::sync::OnceLock;

use flexmap::catalog::{self, Kind, Section, Target};
use flexmap::diagnostic::{Diagnostic, render};
use flexmap::runtime::convert;
use flexmap::{Applied, Code, Program, Ruleset, Severity, SourceFile, WarningKind};
use serde_json::{Map, Value, json};

/// `TaskRouter`'s cap on an attributes JSON, in characters.
pub const PAYLOAD_CHARS: usize = 4096;

/// Stack of the thread each fuzz input runs on: half of what rayon and tokio threads get by
/// default, so the fuzzers catch recursion that would overflow there (libFuzzer's own thread
/// has 8 MiB, which would hide it).
pub const FUZZ_STACK: usize = 1 << 20;

/// Runs `target` over `data` on a thread with `stack` bytes of stack; a panic there is a
/// panic here (and a stack overflow aborts the process, which libFuzzer reports as a crash).
pub fn on_stack(stack: usize, target: fn(&[u8]), data: &[u8]) {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .stack_size(stack)
            .spawn_scoped(scope, || target(data))
            .expect("a fuzz thread starts");
        if let Err(panic) = thread.join() {
            std::panic::resume_unwind(panic);
        }
    });
}

/// Fuzz target `yaml_front_end`: the bytes as a rule file, through load, check, lint and
/// rendering; a program that comes out is run over a few records.
pub fn yaml_front_end(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    rule_file(text, &fixed_records());
}

/// Fuzz target `expression`: the bytes as one expression, parsed on its own, then as the
/// value of a rule whose target (chosen from the input's length) covers every kind.
pub fn expression(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match flexmap::syntax::parse(text) {
        Ok(_) => {}
        Err(error) => {
            let (start, end) = error.span;
            assert!(
                start <= end && end <= text.len(),
                "syntax error span {start}..{end} outside a {}-byte expression",
                text.len()
            );
            assert!(
                text.is_char_boundary(start) && text.is_char_boundary(end),
                "syntax error span {start}..{end} splits a character"
            );
            assert!(!error.message.is_empty(), "syntax error without a message");
        }
    }
    let targets = EXPRESSION_TARGETS;
    let (section, name) = targets[text.len() % targets.len()];
    let quoted = serde_json::to_string(text).unwrap_or_default();
    let source = format!("flexmap: 1\ntarget: task\n{section}:\n  {name}: {quoted}\n");
    rule_file(&source, &fixed_records());
}

/// Fuzz target `runtime`: the bytes up to the first NUL are a rule file and the rest is a
/// JSON record; without a NUL, the whole input is a record for the fixed programs (the
/// examples and the every-field rulesets). Every output must satisfy the catalog.
pub fn runtime(data: &[u8]) {
    let (rules, record) = match data.iter().position(|b| *b == 0) {
        Some(nul) => (Some(&data[..nul]), &data[nul + 1..]),
        None => (None, data),
    };
    let Ok(record) = serde_json::from_slice::<Value>(record) else {
        return;
    };
    match rules {
        None => {
            for program in fixed_programs() {
                run(program, &record);
            }
        }
        Some(rules) => {
            let Ok(text) = std::str::from_utf8(rules) else {
                return;
            };
            let ruleset = Ruleset::from_str(text, "fuzz.yaml");
            if let (Some(program), diagnostics) = ruleset.check() {
                run_checked(
                    &program,
                    &record,
                    !diagnostics.iter().any(Diagnostic::is_error),
                );
                // `lint --sample`: the record as a one-line sample file.
                let stats = flexmap::lint::sample::measure(&program, &record.to_string());
                assert_eq!(stats.records, usize::from(record.is_object()));
            }
        }
    }
}

/// What the `amplification` target measures: the most heap memory in use at once since
/// `start`. The fuzz binary counts every allocation (a counting global allocator); `cargo
/// test` replays with `NoMeter`, which measures nothing, so there only the cost model's own
/// checks run.
pub trait Meter: Sync {
    /// Starts a measurement from the memory in use now.
    fn start(&self);
    /// The largest number of bytes in use above the start, so far.
    fn peak(&self) -> usize;
}

/// A `Meter` that measures nothing (`cargo test`, where the allocator is the system's).
pub struct NoMeter;

impl Meter for NoMeter {
    fn start(&self) {}
    fn peak(&self) -> usize {
        0
    }
}

/// How far the `amplification` target stretches the record's strings: each is repeated to
/// about this many bytes (times the input's first byte, 1 to 4), so that a rule that
/// amplifies its input reaches the runtime caps from a small fuzz input.
pub const STRETCH_BYTES: usize = 64 * 1024;

/// The most heap memory one record may take while a program maps it: three times
/// `MAX_RECORD_BYTES` (what the rules may build, the bounded buffers' capacity up to the
/// caps, and copies of values read whole), plus 64 bytes per byte of the stretched record
/// (the record parsed into a `Value`, and a whole-value copy of it).
#[must_use]
pub fn allocation_bound(record_bytes: usize) -> usize {
    3 * flexmap::runtime::MAX_RECORD_BYTES + 64 * record_bytes
}

/// Fuzz target `amplification`: `scale rules NUL record`. Every string of the record is
/// stretched (repeated to about `scale × STRETCH_BYTES` bytes), the rules (which must
/// compile) map it through `Program::apply` and `FastPath`, and:
///
/// - the heap memory in use at once while mapping stays within `allocation_bound` (measured
///   by `meter`): a rule that builds more than the cost model allows is a crash;
/// - the fast path writes the same bytes with the same warnings as `Program::apply`;
/// - a `value-too-large` warning comes with a site and makes the record an error, and the
///   output without it satisfies the catalog (`check_output`).
///
/// # Panics
/// On a broken invariant.
pub fn amplification(data: &[u8], meter: &dyn Meter) {
    let Some((&scale, rest)) = data.split_first() else {
        return;
    };
    let Some(nul) = rest.iter().position(|b| *b == 0) else {
        return;
    };
    let Ok(rules) = std::str::from_utf8(&rest[..nul]) else {
        return;
    };
    let Ok(mut record) = serde_json::from_slice::<Value>(&rest[nul + 1..]) else {
        return;
    };
    let Ok(program) = Ruleset::from_str(rules, "fuzz.yaml").compile() else {
        return;
    };
    stretch(
        &mut record,
        STRETCH_BYTES * (usize::from(scale % 4) + 1),
        &mut 8,
    );
    let text = record.to_string();
    drop(record);
    let bound = allocation_bound(text.len());

    meter.start();
    let record: Value = serde_json::from_str(&text).expect("a Value's text parses");
    let applied = program.apply(&record);
    let peak = meter.peak();
    assert!(
        peak <= bound,
        "Program::apply took {peak} bytes at once for a {}-byte record (bound {bound})",
        text.len()
    );
    let mut expected = Vec::new();
    applied.attributes.write_json(&mut expected);
    drop(record);

    meter.start();
    let fast = flexmap::runtime::FastPath::new(&program);
    let parsed = fast.parse(&text).expect("a Value's text parses");
    let (mut out, mut warnings) = (Vec::new(), Vec::new());
    fast.apply_json(&parsed, &mut out, &mut warnings);
    let peak = meter.peak();
    assert!(
        peak <= bound,
        "FastPath took {peak} bytes at once for a {}-byte record (bound {bound})",
        text.len()
    );
    assert_eq!(out, expected, "the fast path wrote other bytes");
    // The payload cap is a record-level check the caller (`runtime::policy`) makes on the
    // bytes the fast path wrote; `Program::apply` reports it as a warning of its own.
    let over_cap = applied
        .warnings
        .iter()
        .any(|w| w.kind == WarningKind::PayloadTooLarge);
    assert_eq!(
        flexmap::runtime::json_chars(&out) > flexmap::runtime::MAX_PAYLOAD_CHARS,
        over_cap,
        "the fast path's bytes and Program::apply disagree on the payload cap"
    );
    let expected_warnings: Vec<_> = applied
        .warnings
        .iter()
        .copied()
        .filter(|w| w.kind != WarningKind::PayloadTooLarge)
        .collect();
    assert_eq!(
        warnings, expected_warnings,
        "the fast path warned otherwise"
    );

    let too_large: Vec<_> = applied
        .warnings
        .iter()
        .filter(|w| w.kind == WarningKind::ValueTooLarge)
        .collect();
    assert!(too_large.len() <= 1, "more than one value-too-large");
    if let Some(warning) = too_large.first() {
        assert!(warning.site.is_some(), "value-too-large without a site");
        assert!(
            applied.record_error().is_some(),
            "value-too-large is no record error"
        );
    }
    check_output(&program, &applied, true);
}

/// Repeats each string of `value` to about `bytes` bytes (at most `budget` strings).
fn stretch(value: &mut Value, bytes: usize, budget: &mut usize) {
    match value {
        Value::String(text) if !text.is_empty() && *budget > 0 => {
            *budget -= 1;
            let times = (bytes / text.len()).max(1);
            *text = text.repeat(times);
        }
        Value::Array(items) => items.iter_mut().for_each(|v| stretch(v, bytes, budget)),
        Value::Object(map) => map.values_mut().for_each(|v| stretch(v, bytes, budget)),
        _ => {}
    }
}

/// Applies `program` to `record` and checks the result (`check_output`); every warning
/// must be describable.
pub fn run(program: &Program, record: &Value) -> Applied {
    run_checked(program, record, true)
}

/// `run`; without `compiles`, the program came from a ruleset with errors (`Ruleset::check`
/// still builds one from the rules the checker accepted), so lint errors such as a
/// read-only target may show in its output: all but the `flexmap audit` agreement is
/// checked.
fn run_checked(program: &Program, record: &Value, compiles: bool) -> Applied {
    let applied = program.apply(record);
    check_output(program, &applied, compiles);
    for warning in &applied.warnings {
        let described = program.describe(warning);
        assert!(
            described.contains(warning.kind.name()),
            "`{described}` does not name {}",
            warning.kind.name()
        );
    }
    applied
}

/// The catalog property of one output: only known keys in each Insights section (`extra`
/// keys are free), text kinds within 128 characters, finite numbers for measures and
/// durations, exactly `Yes`/`No` for flags, documented enum values (or an
/// `unknown-enum-value` or `truncated` warning), dates in 1901–2049 as epoch milliseconds, absolute http(s)
/// links, lists of objects, no nulls or blank strings, and a payload within 4096 characters
/// unless the record is flagged `payload-too-large`. `flexmap audit` must agree: the
/// Insights part of the output gets no finding about its shape.
///
/// With `audit` false (a ruleset with errors), the `flexmap audit` agreement is skipped.
///
/// # Panics
/// On the first broken rule, naming the key and the value.
pub fn check_output(program: &Program, applied: &Applied, audit: bool) {
    let output = applied.attributes.to_value();
    let object = output
        .as_object()
        .unwrap_or_else(|| panic!("attributes are not an object: {output}"));
    let mut insights = Map::new();
    for (key, value) in object {
        assert!(!value.is_null(), "null written at {key}");
        assert!(
            !value.as_str().is_some_and(|s| s.trim().is_empty()),
            "blank string written at {key}"
        );
        match (program.target(), key.as_str()) {
            (Target::Task, name @ ("conversations" | "customers")) => {
                let section = if name == "conversations" {
                    Section::Conversations
                } else {
                    Section::Customers
                };
                let fields = value
                    .as_object()
                    .unwrap_or_else(|| panic!("`{name}` is not an object: {value}"));
                assert!(!fields.is_empty(), "empty `{name}` written");
                for (field, value) in fields {
                    check_field(section, field, value, applied);
                }
                insights.insert(key.clone(), value.clone());
            }
            (Target::Worker, name) if catalog::kind_of(Section::Worker, name).is_some() => {
                check_field(Section::Worker, name, value, applied);
                insights.insert(key.clone(), value.clone());
            }
            _ => {} // `extra`: free keys, written as evaluated.
        }
    }
    let mut payload = Vec::new();
    applied.attributes.write_json(&mut payload);
    let payload = String::from_utf8(payload).unwrap_or_else(|e| panic!("payload not UTF-8: {e}"));
    let flagged = applied
        .warnings
        .iter()
        .any(|w| w.kind == WarningKind::PayloadTooLarge);
    let chars = convert::char_len(&payload);
    assert_eq!(
        chars > PAYLOAD_CHARS,
        flagged,
        "a {chars}-character payload, flagged payload-too-large: {flagged}"
    );
    if audit {
        audit_agrees(program.target(), &Value::Object(insights), applied);
    }
}

/// One Insights field against its kind.
fn check_field(section: Section, key: &str, value: &Value, applied: &Applied) {
    let kind = catalog::kind_of(section, key)
        .unwrap_or_else(|| panic!("unknown key {}.{key}", section.name()));
    assert!(!value.is_null(), "null written at {key}");
    match kind {
        Kind::Text | Kind::Label | Kind::Id | Kind::Hierarchy | Kind::Enum => {
            let text = value
                .as_str()
                .unwrap_or_else(|| panic!("{key}: a {} field holds {value}", kind.name()));
            assert!(!text.trim().is_empty(), "{key}: blank string");
            let length = text.chars().count();
            assert!(length <= 128, "{key}: {length} characters");
            if kind == Kind::Enum {
                let values = catalog::field(section, key).map_or(&[][..], |f| f.values);
                assert!(
                    values.is_empty()
                        || values.contains(&text)
                        || applied.warnings.iter().any(|w| {
                            // One warning per value: a cut value reports `truncated`.
                            matches!(
                                w.kind,
                                WarningKind::UnknownEnumValue | WarningKind::Truncated
                            )
                        }),
                    "{key}: undocumented value {text:?} without a warning"
                );
            }
        }
        Kind::YesNo => assert!(value == "Yes" || value == "No", "{key}: {value}"),
        Kind::Measure | Kind::Duration => {
            assert!(value.as_f64().is_some_and(f64::is_finite), "{key}: {value}");
        }
        Kind::Date => {
            let ms = value
                .as_i64()
                .unwrap_or_else(|| panic!("{key}: date written as {value}"));
            assert!(
                (convert::DATE_MIN_MS..=convert::DATE_MAX_MS).contains(&ms),
                "{key}: {ms} ms is outside 1901-2049"
            );
        }
        Kind::Url => assert!(
            value.as_str().is_some_and(convert::is_http_url),
            "{key}: {value}"
        ),
        Kind::List => assert!(
            value
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_object)),
            "{key}: {value}"
        ),
    }
}

/// `flexmap audit` over the Insights part of an output: nothing about its shape. Findings
/// that depend on the record's data, not on the runtime, are allowed: an undocumented enum
/// value the runtime kept (with its warning), a leaked placeholder copied from the record, a
/// name whose id the record lacked, contradicting values, a link without credentials, an id
/// in an attribute, and info-level hints.
fn audit_agrees(target: Target, insights: &Value, applied: &Applied) {
    let line = insights.to_string();
    let report = flexmap::audit::audit(&SourceFile::new("output.ndjson", line), Some(target));
    for finding in &report.diagnostics {
        let allowed = finding.severity == Severity::Info
            || matches!(
                finding.code,
                Code::InvalidEnumValue
                    | Code::PlaceholderValue
                    | Code::MissingDependency
                    | Code::InconsistentValues
                    | Code::InvalidUrl
                    | Code::IdInAttribute
                    | Code::HierarchySeparator
            )
            || (finding.code == Code::PayloadTooLarge
                && applied
                    .warnings
                    .iter()
                    .any(|w| w.kind == WarningKind::PayloadTooLarge));
        assert!(
            allowed,
            "audit disagrees with the runtime: {} {}",
            finding.code.as_str(),
            finding.message
        );
    }
}

/// Loads, checks, lints and renders a rule file; checks every diagnostic's spans; applies
/// one round of `lint --fix` and checks the fixed file the same way; runs the program that
/// comes out over `records`.
pub fn rule_file(text: &str, records: &[Value]) {
    let ruleset = Ruleset::from_str(text, "fuzz.yaml");
    let (program, diagnostics) = ruleset.check();
    for diagnostic in &diagnostics {
        check_diagnostic(text, diagnostic);
    }
    let fixed = flexmap::lint::fix::apply(text, &diagnostics);
    if !fixed.applied.is_empty() {
        for diagnostic in Ruleset::from_str(&fixed.text, "fixed.yaml").diagnostics() {
            check_diagnostic(&fixed.text, &diagnostic);
        }
    }
    if let Some(program) = program {
        let compiles = !diagnostics.iter().any(Diagnostic::is_error);
        for record in records {
            run_checked(&program, record, compiles);
        }
    }
}

fn check_diagnostic(text: &str, diagnostic: &Diagnostic) {
    assert!(
        !diagnostic.message.is_empty(),
        "{} without a message",
        diagnostic.code.as_str()
    );
    for label in &diagnostic.labels {
        let span = label.span;
        assert!(
            span.start <= span.end && span.end <= text.len(),
            "{} span {}..{} outside a {}-byte file",
            diagnostic.code.as_str(),
            span.start,
            span.end,
            text.len()
        );
        assert!(
            text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
            "{} span {}..{} splits a character",
            diagnostic.code.as_str(),
            span.start,
            span.end
        );
    }
    let rendered = render::human(diagnostic, false, 80);
    assert!(
        rendered.contains(diagnostic.code.as_str()),
        "rendering lost the code"
    );
    let _ = render::short(diagnostic);
}

/// Where the `expression` target puts the expression: one field of every kind.
const EXPRESSION_TARGETS: &[(&str, &str)] = &[
    ("extra", "v"),
    ("conversations", "conversation_attribute_1"),
    ("conversations", "conversation_label_1"),
    ("conversations", "conversation_measure_1"),
    ("conversations", "ivr_path"),
    ("conversations", "conversation_id"),
    ("conversations", "talk_time"),
    ("conversations", "in_business_hours"),
    ("conversations", "abandoned"),
    ("conversations", "date"),
    ("conversations", "segment_link"),
    ("conversations", "media"),
];

/// Records the front-end targets run their programs over.
pub fn fixed_records() -> Vec<Value> {
    vec![
        json!({}),
        json!({"a": {"b": [1, "x", null, {"c": "1:02:03"}]}, "x": "2024-05-01T10:00:00Z", "n": "42"}),
        json!({"a": "Ünïcödé ▸ 😀", "b": -1.5e300, "c": true, "d": ["", " ", "Yes"], "x": 1e15}),
        json!([1, 2, 3]),
    ]
}

/// The programs the `runtime` target runs every record through: the examples, and one
/// ruleset per target that writes every writable catalog field (`every_field_rules`).
pub fn fixed_programs() -> &'static [Program] {
    static PROGRAMS: OnceLock<Vec<Program>> = OnceLock::new();
    PROGRAMS.get_or_init(|| {
        let mut sources: Vec<(String, &str)> = EXAMPLES
            .iter()
            .map(|(name, text)| ((*text).to_string(), *name))
            .collect();
        for target in [Target::Task, Target::Worker] {
            for filtered in [false, true] {
                sources.push((every_field_rules(target, filtered), "every-field.yaml"));
            }
        }
        sources
            .iter()
            .map(
                |(text, name)| match Ruleset::from_str(text, name).compile() {
                    Ok(program) => program,
                    Err(error) => panic!("{name} does not compile: {error}"),
                },
            )
            .collect()
    })
}

/// The example rule files, built in.
const EXAMPLES: &[(&str, &str)] = &[
    (
        "chat-survey.yaml",
        include_str!("../../rules-examples/chat-survey.yaml"),
    ),
    (
        "hipaa-healthcare.yaml",
        include_str!("../../rules-examples/hipaa-healthcare.yaml"),
    ),
    (
        "inbound-voice.yaml",
        include_str!("../../rules-examples/inbound-voice.yaml"),
    ),
    (
        "worker-hr.yaml",
        include_str!("../../rules-examples/worker-hr.yaml"),
    ),
];

/// A ruleset for `target` that writes every writable catalog field and every slot, each
/// from the record key of the same name (`r.<field>`); with `filtered`, through a filter
/// that fits its kind. An `extra.e` rule copies `r.e` as is.
pub fn every_field_rules(target: Target, filtered: bool) -> String {
    let sections: &[Section] = match target {
        Target::Task => &[Section::Conversations, Section::Customers],
        Target::Worker => &[Section::Worker],
    };
    let target_name = match target {
        Target::Task => "task",
        Target::Worker => "worker",
    };
    let mut text = format!("flexmap: 1\ntarget: {target_name}\n");
    for &section in sections {
        text.push_str(section.name());
        text.push_str(":\n");
        let fields = catalog::section_fields(section)
            .filter(|f| !f.read_only)
            .map(|f| (f.name.to_string(), f.kind));
        let slots = catalog::slots(section).map(|s| (s.name(), s.kind()));
        for (name, kind) in fields.chain(slots) {
            let value = if filtered {
                format!("r.{name}{}", filter_for(kind))
            } else {
                format!("r.{name}")
            };
            let _ = writeln!(text, "  {name}: {value}");
        }
    }
    text.push_str("extra:\n  e: r.e\n");
    text
}

fn filter_for(kind: Kind) -> &'static str {
    match kind {
        Kind::Text => " | trim | title",
        Kind::Label => " | upper",
        Kind::Id => " | sha256",
        Kind::Hierarchy => " | hierarchy",
        Kind::Enum => " | lower",
        Kind::Measure => " | number | round(2)",
        Kind::Duration => " | seconds",
        Kind::YesNo => " | yes_no",
        Kind::Date => " | date",
        Kind::Url => " | trim",
        Kind::List => "",
    }
}
