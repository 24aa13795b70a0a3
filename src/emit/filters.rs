//! Each filter's JavaScript: the runtime function that implements it (in
//! `templates/runtime.js`, object `F`), how its prepared arguments are written, and what about
//! it JavaScript cannot reproduce (FM601 regexes, FM602 date formats).
//!
//! `JS_FILTERS` has one entry per entry of `runtime::filters::FILTERS` (a test checks it), so
//! a new filter cannot be added without saying how it runs in JavaScript.

use serde_json::Value;

use super::{Portability, js_string, js_value, regex};
use crate::runtime::FilterOp;
use crate::runtime::convert::TimeUnit;

/// Filter name → the runtime function that implements it (`F.<name>` in runtime.js).
pub static JS_FILTERS: &[(&str, &str)] = &[
    ("lower", "F.lower"),
    ("upper", "F.upper"),
    ("trim", "F.trim"),
    ("title", "F.title"),
    ("string", "F.string"),
    ("truncate", "F.truncate"),
    ("replace", "F.replace"),
    ("matches", "F.matches"),
    ("split", "F.split"),
    ("join", "F.join"),
    ("slice", "F.slice"),
    ("len", "F.len"),
    ("first", "F.first"),
    ("last", "F.last"),
    ("number", "F.number"),
    ("int", "F.int"),
    ("round", "F.round"),
    ("clamp", "F.clamp"),
    ("seconds", "F.seconds"),
    ("yes_no", "F.yes_no"),
    // `default` is lazy: the generated code evaluates its argument only when needed.
    ("default", "(inline)"),
    ("lookup", "F.lookup"),
    ("in", "F.in"),
    ("hierarchy", "F.hierarchy"),
    ("phone", "F.phone"),
    ("email", "F.email"),
    ("sha256", "F.sha256"),
    ("date", "F.date"),
];

/// Strftime specifiers the JavaScript date parser implements as chrono does.
const DATE_SPECIFIERS: &[&str] = &[
    "Y", "y", "m", "d", "e", "j", "H", "I", "M", "S", "s", "b", "h", "B", "a", "A", "p", "P", ".f",
    "z", ":z", "#z", "Z", "T", "F", "R", "D", "%", "n", "t",
];

/// The specifiers of a strftime format that the JavaScript date parser does not implement.
pub fn unsupported_date_specifiers(format: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        let mut spec = String::new();
        if let Some(&next) = chars.peek() {
            chars.next();
            spec.push(next);
            if matches!(next, '.' | ':' | '#' | '-' | '_' | '0' | '3' | '6' | '9')
                && let Some(&more) = chars.peek()
            {
                chars.next();
                spec.push(more);
            }
        }
        if !DATE_SPECIFIERS.contains(&spec.as_str()) {
            out.push(format!("%{spec}"));
        }
    }
    out
}

/// Portability findings for one node.
pub(super) fn check(ir: &crate::runtime::Ir, found: &mut Vec<Portability>) {
    let crate::runtime::Ir::Filter(_, op, _, site) = ir else {
        return;
    };
    match op {
        FilterOp::Replace(re, _) | FilterOp::Matches(re) => {
            if let Err(why) = regex::translate(re.as_str()) {
                found.push(Portability {
                    site: *site,
                    code: "FM601",
                    message: format!("this regex has no exact JavaScript equivalent: {why}"),
                    help: "rewrite the pattern without it (for example `\\r?\\n` instead of CRLF mode, or a class of the characters you mean), or build for the Rust runtime only".into(),
                });
            }
        }
        FilterOp::Date(Some(format)) => {
            let missing = unsupported_date_specifiers(format);
            if !missing.is_empty() {
                found.push(Portability {
                    site: *site,
                    code: "FM602",
                    message: format!(
                        "the generated JavaScript cannot parse the date format specifier{} {}",
                        crate::diagnostic::plural(missing.len()),
                        missing.join(", ")
                    ),
                    help: format!(
                        "use only {} in `date(...)` formats",
                        DATE_SPECIFIERS
                            .iter()
                            .map(|s| format!("%{s}"))
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                });
            }
        }
        _ => {}
    }
}

/// The call of `op` on the value in variable `t`; `hoist` makes a JavaScript expression a
/// module constant (built once) and returns its name.
pub(super) fn call(op: &FilterOp, t: &str, hoist: &mut dyn FnMut(String) -> String) -> String {
    let constant = |v: &Value, hoist: &mut dyn FnMut(String) -> String| match v {
        Value::Array(_) | Value::Object(_) => hoist(js_value(v)),
        _ => js_value(v),
    };
    match op {
        FilterOp::Lower => format!("F.lower({t})"),
        FilterOp::Upper => format!("F.upper({t})"),
        FilterOp::Trim => format!("F.trim({t})"),
        FilterOp::Title => format!("F.title({t})"),
        FilterOp::String => format!("F.string({t})"),
        FilterOp::Truncate(n) => format!("F.truncate({t}, {n})"),
        FilterOp::Replace(re, with) => {
            let (source, parts) = match regex::translate(re.as_str()) {
                Ok(js) => {
                    let parts: Vec<String> = regex::replacement_parts(with, &js.names)
                        .into_iter()
                        .map(|p| match p {
                            regex::Part::Text(text) => js_string(&text),
                            regex::Part::Group(i) => format!("[{i}]"),
                        })
                        .collect();
                    (js.source, parts)
                }
                Err(_) => (String::from("(?!)"), Vec::new()),
            };
            let re = regex_constant(hoist, &source, "gu");
            let parts = hoist(format!("[{}]", parts.join(", ")));
            // Rust checks each match against the replacement's largest expansion when it has
            // `$` references (`runtime::filters::replace_bounded`).
            let references = if with.contains('$') {
                with.matches('$').count().to_string()
            } else {
                "-1".into()
            };
            format!(
                "F.replace({t}, {re}, {parts}, {}, {references})",
                with.len()
            )
        }
        FilterOp::Matches(re) => {
            let source =
                regex::translate(re.as_str()).map_or_else(|_| "(?!)".into(), |js| js.source);
            let re = regex_constant(hoist, &source, "u");
            format!("F.matches({t}, {re})")
        }
        FilterOp::Split(sep) => format!("F.split({t}, {})", js_string(sep)),
        FilterOp::Join(sep) => format!("F.join({t}, {})", js_string(sep)),
        FilterOp::Slice(start, end) => format!(
            "F.slice({t}, {start}, {})",
            end.map_or_else(|| "null".to_string(), |e| e.to_string())
        ),
        FilterOp::Len => format!("F.len({t})"),
        FilterOp::First => format!("F.first({t})"),
        FilterOp::Last => format!("F.last({t})"),
        FilterOp::Number => format!("F.number({t})"),
        FilterOp::Int => format!("F.int({t})"),
        FilterOp::Round(digits) => format!("F.round({t}, {digits})"),
        FilterOp::Clamp(lo, hi) => format!("F.clamp({t}, {lo:?}, {hi:?})"),
        FilterOp::Seconds(unit) => format!(
            "F.seconds({t}, {})",
            match unit {
                TimeUnit::Milliseconds => "0.001",
                TimeUnit::Seconds => "1",
                TimeUnit::Minutes => "60",
                TimeUnit::Hours => "3600",
            }
        ),
        FilterOp::YesNo => format!("F.yes_no({t})"),
        FilterOp::Default => t.to_string(),
        FilterOp::Lookup(table, default) => {
            let mut keys: Vec<&String> = table.keys().collect();
            keys.sort();
            let entries: Vec<String> = keys
                .iter()
                .map(|k| format!("[{}, {}]", js_string(k), js_value(&table[*k])))
                .collect();
            let map = hoist(format!("new Map([{}])", entries.join(", ")));
            let fallback = match default {
                Some(v) => constant(v, hoist),
                None => "undefined".into(),
            };
            format!("F.lookup({t}, {map}, {fallback})")
        }
        FilterOp::In(values) => {
            let list = hoist(js_value(&Value::Array(values.clone())));
            format!("F.in({t}, {list})")
        }
        FilterOp::Hierarchy(sep) => format!("F.hierarchy({t}, {})", js_string(sep)),
        FilterOp::Phone(cc) => format!(
            "F.phone({t}, {})",
            cc.as_deref().map_or_else(|| "null".to_string(), js_string)
        ),
        FilterOp::Email => format!("F.email({t})"),
        FilterOp::Sha256 => format!("F.sha256({t})"),
        FilterOp::Date(format) => format!(
            "F.date({t}, {})",
            format
                .as_deref()
                .map_or_else(|| "null".to_string(), js_string)
        ),
    }
}

fn regex_constant(hoist: &mut dyn FnMut(String) -> String, source: &str, flags: &str) -> String {
    hoist(format!(
        "new RegExp({}, {})",
        js_string(source),
        js_string(flags)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::filters::FILTERS;

    #[test]
    fn every_filter_has_javascript() {
        for def in FILTERS {
            assert!(
                JS_FILTERS.iter().any(|(name, _)| *name == def.name),
                "filter `{}` has no JavaScript in src/emit/filters.rs",
                def.name
            );
        }
        assert_eq!(JS_FILTERS.len(), FILTERS.len());
    }

    #[test]
    fn date_specifiers_are_checked() {
        assert!(unsupported_date_specifiers("%d/%m/%Y %H:%M").is_empty());
        assert_eq!(unsupported_date_specifiers("%Y-%U %C"), vec!["%U", "%C"]);
    }
}
