//! A `regex`-crate pattern as an equivalent JavaScript `RegExp` (flag `u`), from the pattern's
//! HIR: classes arrive with Unicode and case folding already expanded into code-point ranges,
//! so `\d`, `\w`, `\s`, `.` and `(?i)` mean in JavaScript exactly what they mean in Rust.
//! What JavaScript cannot express the same way is refused (FM601).

use std::fmt::Write as _;

use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// The translation of one pattern: `RegExp` source (flags `gu` for `replace`, `u` for `matches`).
#[derive(Debug)]
pub struct JsRegex {
    /// The pattern text for `new RegExp(source, flags)`.
    pub source: String,
    /// Capture group names, by index (index 0 is the whole match).
    pub names: Vec<Option<String>>,
}

/// Translates a pattern the `regex` crate accepted.
///
/// # Errors
/// A construct JavaScript cannot reproduce exactly (CRLF-mode anchors, byte classes beyond
/// ASCII, half word boundaries), as a sentence for the diagnostic.
pub fn translate(pattern: &str) -> Result<JsRegex, String> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .map_err(|e| format!("the pattern does not parse: {e}"))?;
    let mut out = String::new();
    let mut names = vec![None];
    emit(&hir, &mut out, &mut names)?;
    Ok(JsRegex { source: out, names })
}

fn emit(hir: &Hir, out: &mut String, names: &mut Vec<Option<String>>) -> Result<(), String> {
    match hir.kind() {
        HirKind::Empty => out.push_str("(?:)"),
        HirKind::Literal(literal) => {
            let text = std::str::from_utf8(&literal.0)
                .map_err(|_| "a literal that is not UTF-8 (`(?-u)` bytes)".to_string())?;
            for c in text.chars() {
                push_char(out, c, false);
            }
        }
        HirKind::Class(class) => emit_class(class, out)?,
        HirKind::Look(look) => out.push_str(&look_js(*look)?),
        HirKind::Repetition(rep) => {
            out.push_str("(?:");
            emit(&rep.sub, out, names)?;
            out.push(')');
            match (rep.min, rep.max) {
                (0, None) => out.push('*'),
                (1, None) => out.push('+'),
                (0, Some(1)) => out.push('?'),
                (min, None) => {
                    let _ = write!(out, "{{{min},}}");
                }
                (min, Some(max)) if min == max => {
                    let _ = write!(out, "{{{min}}}");
                }
                (min, Some(max)) => {
                    let _ = write!(out, "{{{min},{max}}}");
                }
            }
            if !rep.greedy {
                out.push('?');
            }
        }
        HirKind::Capture(capture) => {
            let index = capture.index as usize;
            if names.len() <= index {
                names.resize(index + 1, None);
            }
            names[index] = capture.name.as_deref().map(str::to_string);
            out.push('(');
            emit(&capture.sub, out, names)?;
            out.push(')');
        }
        HirKind::Concat(items) => {
            out.push_str("(?:");
            for item in items {
                emit(item, out, names)?;
            }
            out.push(')');
        }
        HirKind::Alternation(items) => {
            out.push_str("(?:");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push('|');
                }
                emit(item, out, names)?;
            }
            out.push(')');
        }
    }
    Ok(())
}

/// The Unicode `\w` of the `regex` crate, as a class.
fn word_class() -> Result<String, String> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(r"\w")
        .map_err(|e| e.to_string())?;
    let mut out = String::new();
    if let HirKind::Class(class) = hir.kind() {
        emit_class(class, &mut out)?;
    }
    Ok(out)
}

fn look_js(look: Look) -> Result<String, String> {
    Ok(match look {
        Look::Start => "^".into(),
        Look::End => "$".into(),
        Look::StartLF => r"(?<![^\n])".into(),
        Look::EndLF => r"(?![^\n])".into(),
        Look::WordUnicode | Look::WordUnicodeNegate => {
            let w = word_class()?;
            if look == Look::WordUnicode {
                format!("(?:(?<={w})(?!{w})|(?<!{w})(?={w}))")
            } else {
                format!("(?:(?<={w})(?={w})|(?<!{w})(?!{w}))")
            }
        }
        Look::WordAscii => r"\b".into(),
        Look::WordAsciiNegate => r"\B".into(),
        other => {
            return Err(format!(
                "the assertion {other:?} has no exact JavaScript equivalent"
            ));
        }
    })
}

fn emit_class(class: &Class, out: &mut String) -> Result<(), String> {
    match class {
        Class::Unicode(class) => {
            let ranges = class.ranges();
            if ranges.is_empty() {
                // Matches nothing.
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for range in ranges {
                push_char(out, range.start(), true);
                if range.end() != range.start() {
                    out.push('-');
                    push_char(out, range.end(), true);
                }
            }
            out.push(']');
        }
        Class::Bytes(class) => {
            if class.ranges().iter().any(|r| r.end() > 0x7F) {
                return Err(
                    "a byte class beyond ASCII (`(?-u)`) has no JavaScript equivalent".into(),
                );
            }
            if class.ranges().is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for range in class.ranges() {
                push_char(out, char::from(range.start()), true);
                if range.end() != range.start() {
                    out.push('-');
                    push_char(out, char::from(range.end()), true);
                }
            }
            out.push(']');
        }
    }
    Ok(())
}

/// One character, escaped for a `RegExp` with flag `u` (in a class or outside one).
fn push_char(out: &mut String, c: char, in_class: bool) {
    let special = if in_class {
        matches!(c, '\\' | ']' | '[' | '-' | '^')
    } else {
        matches!(
            c,
            '\\' | '^'
                | '$'
                | '.'
                | '|'
                | '?'
                | '*'
                | '+'
                | '('
                | ')'
                | '['
                | ']'
                | '{'
                | '}'
                | '/'
        )
    };
    if special {
        out.push('\\');
        out.push(c);
    } else if c.is_ascii_graphic() || c == ' ' {
        out.push(c);
    } else {
        let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
    }
}

/// The parts of a `replace` template: literal text and capture references (by index, or
/// by a name the pattern does not have, which expands to nothing), as `regex` expands them.
#[derive(Debug, PartialEq, Eq)]
pub enum Part {
    /// Literal text.
    Text(String),
    /// A capture group by index.
    Group(usize),
}

/// Splits a replacement template the way `regex`'s `Captures::expand` reads it: `$$` is `$`,
/// `$name`/`${name}` a group (a number is an index), an unknown name nothing, a lone `$` itself.
pub fn replacement_parts(template: &str, names: &[Option<String>]) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let bytes = template.as_bytes();
    let mut i = 0;
    let is_letter = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    while i < bytes.len() {
        if bytes[i] != b'$' {
            let next = template[i..].find('$').map_or(bytes.len(), |n| i + n);
            text.push_str(&template[i..next]);
            i = next;
            continue;
        }
        if bytes.get(i + 1) == Some(&b'$') {
            text.push('$');
            i += 2;
            continue;
        }
        let reference = if bytes.get(i + 1) == Some(&b'{') {
            template[i + 2..]
                .find('}')
                .map(|close| (&template[i + 2..i + 2 + close], i + 3 + close))
        } else {
            let end = (i + 1..bytes.len())
                .find(|&j| !is_letter(bytes[j]))
                .unwrap_or(bytes.len());
            (end > i + 1).then(|| (&template[i + 1..end], end))
        };
        let Some((name, end)) = reference else {
            text.push('$');
            i += 1;
            continue;
        };
        if !text.is_empty() {
            parts.push(Part::Text(std::mem::take(&mut text)));
        }
        let index = name
            .parse::<usize>()
            .ok()
            .or_else(|| names.iter().position(|n| n.as_deref() == Some(name)));
        // A group that does not exist expands to nothing.
        if let Some(index) = index.filter(|&i| i < names.len()) {
            parts.push(Part::Group(index));
        }
        i = end;
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacement_templates_read_like_regex() {
        let names = vec![None, None, Some("y".to_string())];
        assert_eq!(
            replacement_parts("$1-${y}$$ $ $9 $y1 ${1}a", &names),
            vec![
                Part::Group(1),
                Part::Text("-".into()),
                Part::Group(2),
                Part::Text("$ $ ".into()),
                Part::Text(" ".into()),
                Part::Text(" ".into()),
                Part::Group(1),
                Part::Text("a".into()),
            ]
        );
    }

    #[test]
    fn classes_are_expanded() {
        let js = translate(r"(?i)k\d").map(|r| r.source).unwrap_or_default();
        assert!(js.contains("\\u{212a}"), "{js}");
        assert!(translate(r"(?Rm)^a$").is_err());
    }
}
