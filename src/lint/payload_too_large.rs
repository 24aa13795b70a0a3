//! FM308 payload-too-large: the attributes JSON a ruleset can produce may exceed `TaskRouter`'s
//! 4096-character cap.

use std::collections::HashMap;

use serde_json::Value;

use super::{Finding, Lint, LintContext};
use crate::catalog::{Kind, Target};
use crate::check::AnalyzedRule;
use crate::diagnostic::{Code, Diagnostic};
use crate::runtime::OutSection;
use crate::types::Type;

/// FM308.
pub static LINT: Lint = Lint {
    code: Code::PayloadTooLarge,
    check: Some(check),
    explanation: r#"## What it does
Computes a static upper bound of the attributes JSON the ruleset can produce, as if every
rule wrote its longest value, and warns when it exceeds 4096 characters. A task ruleset
produces `{"conversations":{…},"customers":{…},…extra}`, a worker ruleset one flat object.
Each value counts at most:

| value | characters |
|---|---|
| text, label, id, hierarchy, enum | its known maximum, never more than 128, plus 2 quotes |
| measure, duration | 24 |
| yes_no | 5 (`"Yes"`) |
| date | 15 (epoch milliseconds) |
| url, list, `extra` value | its known maximum (a constant's JSON, a bounded string plus 2 quotes); otherwise unbounded |

plus every key with its quotes and colon, the commas and the braces. Unbounded values are
left out of the sum: when the rest alone is over the cap the message says "at least".

The bound is not exact in two ways, both of which can make the real payload **longer**:
JSON escaping (a `"` in a value is written `\"`, a control character `\u00XX`), and
`apply --merge`, which writes the result into the attributes the task or worker already has,
so the existing attributes count too.

## Why it matters
TaskRouter caps task attributes and worker attributes at 4096 characters each, whitespace
included, and rejects an update over the cap (docs/insights.md#limits, https://www.twilio.com/docs/taskrouter/limits). A rejected update loses every value of the mapping, not only the long ones, and
a fully populated `conversations` plus `customers` payload can reach the cap.

## Example
```yaml
conversations:
  conversation_attribute_1: crm.a     # … every attribute, label and text field mapped,
  conversation_label_1: crm.b         # each up to 128 characters
  # …
```

## Fix
Move rarely used values out of the ruleset (report on them elsewhere), shorten text with
`| truncate(n)` or declare a smaller `max_length` under `inputs:`, or split the data across
tasks (for example, customer data on the first task of a conversation only).
"#,
};

use crate::catalog::{PAYLOAD_CHARS as CAP, TEXT_CHARS as TEXT_LIMIT};

/// A static bound of the attributes JSON of one ruleset.
#[derive(Debug, PartialEq, Eq)]
struct Payload {
    /// Characters of everything with a known bound.
    known: usize,
    /// Targets whose value has no known bound (`extra.skills`).
    unbounded: Vec<String>,
    /// Known characters per part of the output: a section name or `extra`.
    parts: Vec<(&'static str, usize)>,
}

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    let payload = payload(context);
    if payload.known <= CAP {
        return;
    }
    let target = context.file.target.unwrap_or(Target::Task);
    let what = match target {
        Target::Task => "task",
        Target::Worker => "worker",
    };
    let Some((largest, largest_chars)) = payload
        .parts
        .iter()
        .copied()
        .max_by_key(|(_, chars)| *chars)
    else {
        return;
    };
    let first_rule = context
        .resolved()
        .filter(|(_, r)| part_name(r) == largest)
        .min_by_key(|(_, r)| r.rule.name_span.start);
    let amount = if payload.unbounded.is_empty() {
        format!("{} characters", payload.known)
    } else {
        format!(
            "at least {} characters (not counting {})",
            payload.known,
            list(&payload.unbounded)
        )
    };
    let message = format!(
        "the {what} attributes this ruleset writes can reach {amount}, over TaskRouter's {CAP}-character cap"
    );
    let help = "move rarely used values out of the ruleset, shorten text with `| truncate(n)` (or a smaller `max_length` under `inputs:`), or split the data across tasks";
    let finding = match first_rule {
        Some((index, rule)) => Finding::on(
            index,
            Diagnostic::new(Code::PayloadTooLarge, message, rule.rule.name_span)
                .with_label(format!(
                    "`{largest}` alone can take {largest_chars} characters"
                ))
                .with_secondary(
                    context.file.target_span,
                    format!("{what} attributes are capped at {CAP} characters"),
                )
                .with_help(help),
        ),
        None => Finding::file(
            Diagnostic::new(Code::PayloadTooLarge, message, context.file.target_span)
                .with_label(format!("{what} attributes are capped at {CAP} characters"))
                .with_help(help),
        ),
    };
    out.push(finding);
}

/// The bound of the whole attributes object.
fn payload(context: &LintContext<'_>) -> Payload {
    // One entry per written key: two rules writing one key produce it once.
    let mut entries: HashMap<(&'static str, &str), Option<usize>> = HashMap::new();
    let mut order: Vec<(&'static str, &str)> = Vec::new();
    for (_, rule) in context.resolved() {
        if rule.facts.is_none() {
            continue;
        }
        let key = (part_name(rule), rule.target.as_str());
        let bound = value_bound(rule);
        match entries.get_mut(&key) {
            Some(existing) => *existing = existing.zip(bound).map(|(a, b)| a.max(b)),
            None => {
                entries.insert(key, bound);
                order.push(key);
            }
        }
    }
    let mut unbounded = Vec::new();
    // Known characters of each part's entries ("key":value), and how many entries it has.
    let mut parts: Vec<(&'static str, usize, usize)> = Vec::new();
    for key in &order {
        let (part, name) = *key;
        let value = entries.get(key).copied().flatten();
        if value.is_none() {
            unbounded.push(if part == "worker" {
                format!("`{name}`")
            } else {
                format!("`{part}.{name}`")
            });
        }
        let entry = name.chars().count() + 3 + value.unwrap_or(0);
        match parts.iter_mut().find(|(p, _, _)| *p == part) {
            Some((_, chars, count)) => {
                *chars += entry;
                *count += 1;
            }
            None => parts.push((part, entry, 1)),
        }
    }
    // Entries of `extra` (and of worker rulesets) sit at the root; `conversations` and
    // `customers` are objects of their own at the root.
    let mut root_chars = 0;
    let mut root_entries = 0;
    let mut sized = Vec::new();
    for (part, chars, count) in &parts {
        // Entries and the commas between them.
        let body = chars + count.saturating_sub(1);
        if matches!(*part, "conversations" | "customers") {
            // "conversations":{…}
            let object = part.len() + 3 + 2 + body;
            root_chars += object;
            root_entries += 1;
            sized.push((*part, object));
        } else {
            // The root's commas are counted below, with the root's entries.
            root_chars += chars;
            root_entries += count;
            sized.push((*part, body));
        }
    }
    let known = 2 + root_chars + root_entries.saturating_sub(1);
    Payload {
        known,
        unbounded,
        parts: sized,
    }
}

/// Which part of the output a rule writes: `conversations`, `customers`, `worker`, `extra`.
fn part_name(rule: &AnalyzedRule) -> &'static str {
    match rule.section {
        OutSection::Insights(section) => section.name(),
        OutSection::Extra => "extra",
    }
}

/// Longest JSON text of the rule's value, or `None` when it has no known bound.
fn value_bound(rule: &AnalyzedRule) -> Option<usize> {
    let facts = rule.facts.as_ref()?;
    let constant = || {
        facts
            .constant
            .as_ref()
            .map(|v| serde_json::to_string(v).map_or(0, |s| s.chars().count()))
    };
    match rule.kind {
        Some(Kind::Text | Kind::Label | Kind::Id | Kind::Hierarchy | Kind::Enum) => {
            Some(facts.max_chars.unwrap_or(TEXT_LIMIT).min(TEXT_LIMIT) + 2)
        }
        Some(Kind::Measure | Kind::Duration) => Some(24),
        Some(Kind::YesNo) => Some(5),
        Some(Kind::Date) => Some(15),
        Some(Kind::Url) => constant().or(facts.max_chars.map(|n| n + 2)),
        Some(Kind::List) => constant(),
        None => constant().or(match facts.ty {
            Type::Number => Some(24),
            Type::Bool => Some(5),
            Type::Null => Some(4),
            _ => facts.max_chars.map(|n| n + 2),
        }),
    }
    .map(|n| match &facts.constant {
        // A constant that writes nothing still writes nothing.
        Some(Value::Null) => 0,
        _ => n,
    })
}

/// "`a`, `b` and `c`".
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use crate::config::Config;
    use crate::source::SourceFile;

    fn payload_of(text: &str) -> Payload {
        let source = SourceFile::new("t.yaml", text);
        let (file, _) = crate::rules_file::load(&source);
        let file = file.expect("parses");
        let analysis = crate::check::analyze(&file);
        let config = Config::default();
        let context = LintContext {
            file: &file,
            rules: &analysis.rules,
            config: &config,
            ledger: &[],
            allocator: &crate::ledger::SlotAllocator::new(),
        };
        payload(&context)
    }

    /// A task ruleset writing every conversation attribute and label slot and `extra_text`
    /// text fields, each value a path (`suffix` appended).
    fn big_task(extra_text: usize, suffix: &str) -> String {
        let mut text = String::from("flexmap: 1\ntarget: task\nconversations:\n");
        for n in 1..=10 {
            let _ = writeln!(text, "  conversation_attribute_{n}: crm.a{n}{suffix}");
            let _ = writeln!(text, "  conversation_label_{n}: crm.l{n}{suffix}");
        }
        for field in [
            "campaign",
            "content",
            "initiative",
            "language",
            "source",
            "segment_name",
            "followed_by",
            "preceded_by",
        ]
        .iter()
        .take(extra_text)
        {
            let _ = writeln!(text, "  {field}: crm.{field}{suffix}");
        }
        text
    }

    #[test]
    fn fires_when_the_known_bound_is_over_the_cap_and_not_on_its_truncated_twin() {
        assert_eq!(
            super::super::findings(&big_task(8, ""), Code::PayloadTooLarge),
            ["4:3"]
        );
        assert!(
            super::super::findings(&big_task(8, " | truncate(60)"), Code::PayloadTooLarge)
                .is_empty()
        );
    }

    #[test]
    fn message_gives_the_bound_and_says_at_least_with_unbounded_parts() {
        let text = format!("{}extra:\n  skills: crm.skills\n", big_task(8, ""));
        let diagnostics = crate::Ruleset::from_str(&text, "t.yaml").diagnostics();
        let d = diagnostics
            .iter()
            .find(|d| d.code == Code::PayloadTooLarge)
            .expect("fires");
        let bound = payload_of(&text).known;
        assert_eq!(
            d.message,
            format!(
                "the task attributes this ruleset writes can reach at least {bound} characters (not counting `extra.skills`), over TaskRouter's 4096-character cap"
            )
        );
        // Unbounded values alone are no evidence.
        let text = format!("{}extra:\n  skills: crm.skills\n", big_task(0, ""));
        assert!(super::super::findings(&text, Code::PayloadTooLarge).is_empty());
    }

    #[test]
    fn the_bound_is_exact_for_constants_and_holds_for_the_longest_values() {
        let text = "flexmap: 1\ntarget: task\nconversations:\n  abandoned: { const: \"No\" }\n  conversation_measure_1: 5\ncustomers:\n  category: { const: VIP }\nextra:\n  type: { const: inbound_voice }\n  nothing: { const: null }\n";
        let bound = payload_of(text).known;
        let expected = r#"{"conversations":{"abandoned":"No","conversation_measure_1":5},"customers":{"category":"VIP"},"type":"inbound_voice","nothing":}"#;
        // The measure counts 24 characters; `nothing` counts its key only.
        assert_eq!(bound, expected.chars().count() + 23);
        // Every value at its longest: the real output stays within the bound.
        let text = big_task(8, "");
        let program = crate::Ruleset::from_str(&text, "t.yaml")
            .compile()
            .expect("compiles");
        let long = "é".repeat(300);
        let mut crm = serde_json::Map::new();
        for n in 1..=10 {
            crm.insert(format!("a{n}"), Value::from(long.clone()));
            crm.insert(format!("l{n}"), Value::from(long.clone()));
        }
        for field in [
            "campaign",
            "content",
            "initiative",
            "language",
            "source",
            "segment_name",
            "followed_by",
            "preceded_by",
        ] {
            crm.insert(field.to_string(), Value::from(long.clone()));
        }
        let applied = program.apply(&serde_json::json!({ "crm": crm }));
        let mut bytes = Vec::new();
        applied.attributes.write_json(&mut bytes);
        let written = String::from_utf8(bytes).expect("UTF-8").chars().count();
        assert_eq!(written, payload_of(&text).known);
    }

    #[test]
    fn worker_rulesets_are_flat() {
        let mut text =
            String::from("flexmap: 1\ntarget: worker\nworker:\n  team_id: hr.team\nextra:\n");
        for n in 0..40 {
            let _ = writeln!(text, "  skill_{n}: hr.skill_{n} | truncate(100)");
        }
        let diagnostics = crate::Ruleset::from_str(&text, "t.yaml").diagnostics();
        let d = diagnostics
            .iter()
            .find(|d| d.code == Code::PayloadTooLarge)
            .expect("fires");
        assert_eq!(d.line_col(), (6, 3), "at the first rule of `extra`");
        assert!(d.message.starts_with("the worker attributes"));
        let small =
            "flexmap: 1\ntarget: worker\nworker:\n  team_id: hr.team\n  team_name: hr.team\n";
        assert_eq!(
            payload_of(small).known,
            r#"{"team_id":"","team_name":""}"#.len() + 2 * 128
        );
    }
}
