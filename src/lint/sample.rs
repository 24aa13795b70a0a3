//! `flexmap lint --sample FILE.ndjson`: evidence from real records, attached to the static
//! findings (FM204 with the distinct-value figure, FM301 with the longest value), new
//! findings where only the data shows the problem, and FM310 for runtime warnings by rule.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};

use serde_json::Value;

use super::Lint;
use crate::catalog::{Kind, SlotKind, TEXT_CHARS};
use crate::check::AnalyzedRule;
use crate::diagnostic::{Code, Diagnostic};
use crate::figures::group;
use crate::runtime::{OutSection, Program, SiteId, WarningKind};
use crate::source::{SourceFile, Span};

/// FM310.
pub static LINT: Lint = Lint {
    code: Code::RuntimeWarnings,
    check: None,
    explanation: r#"## What it does
With `flexmap lint --sample FILE.ndjson`, reports (info) each rule that gave runtime
warnings on the sample records: a filter that could not convert its input, a lookup that
found no entry, a value cut at 128 characters or dropped for its shape, with how many
records and the first line.

## Why it matters
A warning at run time means data was lost or changed on its way to Insights (values over 128 characters are cut on load, docs/insights.md#limits; values of the wrong shape are dropped).
Seeing the rate on real records tells whether a rule needs a fix before it ships.

## Example
```yaml
conversations:
  ivr_time: ivr.duration_seconds | number   # the CRM sends "n/a" in 3% of records
```

## Fix
Handle the data the sample shows: a `default`, a table entry, a `truncate(128)`, or a
different source field.
"#,
};

/// Cap on distinct values remembered per rule (the figure saturates beyond it).
const DISTINCT_CAP: usize = 1_000_000;

/// What one rule produced over the sample.
#[derive(Debug, Default)]
pub struct RuleStats {
    /// Records where the rule produced a value.
    pub values: usize,
    /// Hashes of the distinct values (rendered JSON).
    distinct: HashSet<u64>,
    /// Longest text value, in characters.
    pub longest: usize,
    /// Text values over 128 characters.
    pub over_limit: usize,
    /// The longest text value itself, kept only by `measure_showing_values`.
    pub longest_value: Option<String>,
}

impl RuleStats {
    /// Number of distinct values seen (saturates at one million).
    #[must_use]
    pub fn distinct(&self) -> usize {
        self.distinct.len()
    }
}

/// Measurements over a sample file.
#[derive(Debug, Default)]
pub struct SampleStats {
    /// Records read.
    pub records: usize,
    /// Lines that were not JSON objects.
    pub skipped: usize,
    /// Per rule site.
    pub rules: HashMap<SiteId, RuleStats>,
    /// Per (rule site, site, warning kind): count and first line.
    pub warnings: BTreeMap<(SiteId, SiteId, WarningKind), (usize, usize)>,
    /// Record values may be quoted in findings (`lint --sample --show-values`).
    pub show_values: bool,
}

/// Runs `program` over NDJSON `text` (one record per line) and measures every rule. Findings
/// built from the result quote no record value (they say "the longest N characters").
#[must_use]
pub fn measure(program: &Program, text: &str) -> SampleStats {
    measure_inner(program, text, false)
}

/// `measure`, keeping the longest value of each rule so FM301 can quote it
/// (`lint --sample --show-values`: the user asked to see record values).
#[must_use]
pub fn measure_showing_values(program: &Program, text: &str) -> SampleStats {
    measure_inner(program, text, true)
}

fn measure_inner(program: &Program, text: &str, show_values: bool) -> SampleStats {
    let mut stats = SampleStats {
        show_values,
        ..SampleStats::default()
    };
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let Ok(record @ Value::Object(_)) = serde_json::from_str::<Value>(line) else {
            stats.skipped += 1;
            continue;
        };
        stats.records += 1;
        let rules = &mut stats.rules;
        let applied = program.apply_observed(&record, &mut |site, value| {
            let rendered = match value {
                Value::Null => return,
                Value::String(s) if s.trim().is_empty() => return,
                Value::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
                other => std::borrow::Cow::Owned(other.to_string()),
            };
            let entry = rules.entry(site).or_default();
            entry.values += 1;
            if entry.distinct.len() < DISTINCT_CAP {
                let mut hasher = DefaultHasher::new();
                rendered.hash(&mut hasher);
                entry.distinct.insert(hasher.finish());
            }
            let chars = rendered.chars().count();
            if show_values && chars > entry.longest {
                entry.longest_value = Some(rendered.clone().into_owned());
            }
            entry.longest = entry.longest.max(chars);
            if chars > TEXT_CHARS {
                entry.over_limit += 1;
            }
        });
        for warning in applied.warnings {
            let Some(site) = warning.site else { continue };
            let rule_site = rule_site_of(program, site);
            let entry = stats
                .warnings
                .entry((rule_site, site, warning.kind))
                .or_insert((0, number + 1));
            entry.0 += 1;
        }
    }
    stats
}

/// The rule site a filter or operator site belongs to (sites of one rule follow it).
fn rule_site_of(program: &Program, site: SiteId) -> SiteId {
    let sites = program.sites();
    let mut index = site as usize;
    while index > 0 && sites.get(index).is_some_and(|s| &*s.what != "rule") {
        index -= 1;
    }
    u32::try_from(index).unwrap_or(site)
}

/// Adds the sample's evidence to `diagnostics` (which already hold the static findings).
pub fn attach(
    analysis: &crate::check::Analysis,
    stats: &SampleStats,
    source: &SourceFile,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let program = &analysis.program;
    for rule in analysis.rules.iter().filter(|r| r.compiled) {
        let Some(measured) = stats.rules.get(&rule.site) else {
            continue;
        };
        let extent = rule_extent(rule);
        let within = |d: &Diagnostic| {
            let span = d.primary_span();
            span.start >= extent.start && span.end <= extent.end
        };
        let text_kind = rule.kind.is_some_and(Kind::can_reach_text_limit);
        // FM204: distinct values.
        let distinct_note = format!(
            "sample: {} distinct values in {} records",
            group(measured.distinct()),
            group(stats.records)
        );
        if let Some(existing) = diagnostics
            .iter_mut()
            .find(|d| d.code == Code::IdInAttribute && within(d))
        {
            existing.message = format!("{} ({distinct_note})", existing.message);
        } else if attribute_like(rule)
            && stats.records >= 20
            && measured.distinct() * 2 > stats.records
        {
            let section = match rule.section {
                OutSection::Insights(section) => section,
                OutSection::Extra => continue,
            };
            let help = analysis
                .allocator
                .first_free(section, SlotKind::Label)
                .map_or_else(
                    || "use a label slot for per-contact values".to_string(),
                    |slot| format!("use {slot}, the first free label slot"),
                );
            diagnostics.push(
                Diagnostic::new(
                    Code::IdInAttribute,
                    format!(
                        "`{}` takes almost one value per record ({distinct_note})",
                        rule.target
                    ),
                    rule.rule.name_span,
                )
                .with_label("high cardinality in the sample")
                .with_help(help)
                .in_source(source),
            );
        }
        // FM301: values over the text limit.
        if text_kind && measured.over_limit > 0 {
            let mut note = format!(
                "sample: {} of {} values over {TEXT_CHARS} characters, the longest {} characters",
                group(measured.over_limit),
                group(measured.values),
                group(measured.longest)
            );
            if let Some(value) = measured
                .longest_value
                .as_deref()
                .filter(|_| stats.show_values)
            {
                let shown: String = value.chars().take(160).collect();
                let more = if value.chars().count() > 160 {
                    "…"
                } else {
                    ""
                };
                note = format!("{note}: {shown:?}{more}");
            }
            if let Some(existing) = diagnostics
                .iter_mut()
                .find(|d| d.code == Code::ValueTooLong && within(d))
            {
                existing.message = format!("{} ({note})", existing.message);
            } else {
                diagnostics.push(
                    Diagnostic::new(
                        Code::ValueTooLong,
                        format!("`{}` can exceed {TEXT_CHARS} characters ({note})", rule.target),
                        rule.rule.value.span(),
                    )
                    .with_label(format!("Insights keeps the first {TEXT_CHARS} characters"))
                    .with_help(format!(
                        "add `| truncate({TEXT_CHARS})` (or shorten the source) so the cut is deliberate"
                    ))
                    .in_source(source),
                );
            }
        }
    }
    // FM310: runtime warnings by rule.
    for ((rule_site, site, kind), (count, first)) in &stats.warnings {
        let Some(rule) = analysis.rules.iter().find(|r| r.site == *rule_site) else {
            continue;
        };
        let what = program.describe(&crate::runtime::RuntimeWarning {
            kind: *kind,
            site: Some(*site),
        });
        let what = what.splitn(4, ": ").last().unwrap_or(&what).to_string();
        diagnostics.push(
            Diagnostic::new(
                Code::RuntimeWarnings,
                format!(
                    "`{}`: {what} in {} of {} sample records (first at line {first})",
                    rule.target,
                    group(*count),
                    group(stats.records)
                ),
                rule.rule.name_span,
            )
            .with_label(kind.name())
            .with_help(format!("handle the data the sample shows: a `default`, a table entry, a `truncate({TEXT_CHARS})`, or another source field"))
            .in_source(source),
        );
    }
}

/// Attribute slots and text fields meant for categories (the places FM204 watches).
fn attribute_like(rule: &AnalyzedRule) -> bool {
    if let Some(slot) = rule.slot {
        return slot.kind == SlotKind::Attribute;
    }
    rule.field.is_some_and(|f| {
        matches!(f.kind, Kind::Text | Kind::Hierarchy | Kind::Enum) && !f.identifier
    })
}

/// From the rule's key to the end of its value (or condition).
/// The index of the rule whose text holds `span` (what a sample finding is about).
pub(crate) fn rule_at(rules: &[AnalyzedRule], span: Span) -> Option<usize> {
    rules.iter().position(|rule| {
        let extent = rule_extent(rule);
        span.start >= extent.start && span.end <= extent.end
    })
}

fn rule_extent(rule: &AnalyzedRule) -> Span {
    let mut end = rule.rule.value.span().end;
    if let Some(when) = &rule.rule.when {
        end = end.max(when.span.end);
    }
    Span::new(
        rule.rule.name_span.start.min(rule.rule.value.span().start),
        end,
    )
}

#[cfg(test)]
#[allow(clippy::format_collect)]
mod tests {
    use super::*;
    use crate::Ruleset;

    fn with_sample(rules: &str, sample: &str) -> Vec<String> {
        with_sample_showing(rules, sample, false)
    }

    fn with_sample_showing(rules: &str, sample: &str, show_values: bool) -> Vec<String> {
        let ruleset = Ruleset::from_str(rules, "t.yaml");
        let file = ruleset.model().expect("parses");
        let analysis = crate::check::analyze(file);
        let mut diagnostics = crate::lint::lint(file, &analysis, &crate::Config::default());
        let stats = if show_values {
            measure_showing_values(&analysis.program, sample)
        } else {
            measure(&analysis.program, sample)
        };
        attach(&analysis, &stats, ruleset.source(), &mut diagnostics);
        diagnostics
            .iter()
            .map(|d| format!("{} {}", d.code.as_str(), d.message))
            .collect()
    }

    #[test]
    fn distinct_values_and_long_values_are_measured() {
        let rules = "flexmap: 1\ntarget: task\nconversations:\n  conversation_attribute_1: crm.code\n  content: crm.note\n  conversation_measure_1: crm.n | number\n";
        let sample: String = (0..40)
            .map(|i| {
                format!(
                    "{{\"crm\": {{\"code\": \"R-{i}\", \"note\": \"{}\", \"n\": \"{}\"}}}}\n",
                    "x".repeat(100 + i * 3),
                    if i % 10 == 0 { "n/a" } else { "5" }
                )
            })
            .collect();
        let found = with_sample(rules, &sample);
        // Free-text notes are nearly unique too: the sample shows it.
        assert!(
            found
                .iter()
                .any(|f| f.starts_with("FM204 `content` takes almost one value per record")),
            "{found:#?}"
        );
        assert!(found.contains(&"FM204 `conversation_attribute_1` takes almost one value per record (sample: 40 distinct values in 40 records)".to_string()), "{found:#?}");
        assert!(found.iter().any(|f| f == "FM301 `content` can be longer than 128 characters: `crm.note` is free text (sample: 30 of 40 values over 128 characters, the longest 217 characters)"), "{found:#?}");
        assert!(found.iter().any(|f| f.starts_with("FM310 `conversation_measure_1`: `number` could not convert its input, gave null (filter-failed) in 4 of 40 sample records (first at line 1)")), "{found:#?}");
    }

    #[test]
    fn low_cardinality_and_short_values_stay_silent() {
        let rules =
            "flexmap: 1\ntarget: task\nconversations:\n  conversation_attribute_1: crm.tier\n";
        let sample: String = (0..40)
            .map(|i| format!("{{\"crm\": {{\"tier\": \"T{}\"}}}}\n", i % 3))
            .collect();
        assert!(with_sample(rules, &sample).is_empty());
    }

    /// No record value reaches a finding unless `--show-values` asked for it.
    #[test]
    fn values_are_quoted_only_when_asked() {
        let rules = "flexmap: 1\ntarget: task\nconversations:\n  content: crm.note\n";
        let secret = format!("ann@example.com {}", "y".repeat(150));
        let sample = format!(
            "{{\"crm\": {{\"note\": \"{secret}\"}}}}\n{{\"crm\": {{\"note\": \"short\"}}}}\n"
        );
        let quiet = with_sample_showing(rules, &sample, false);
        assert!(
            quiet
                .iter()
                .any(|f| f.contains("the longest 166 characters)")),
            "{quiet:#?}"
        );
        assert!(!quiet.iter().any(|f| f.contains("ann@")), "{quiet:#?}");
        let shown = with_sample_showing(rules, &sample, true);
        assert!(
            shown.iter().any(
                |f| f.contains("the longest 166 characters: \"ann@example.com yyy")
                    && f.ends_with("…)")
            ),
            "{shown:#?}"
        );
    }
}
