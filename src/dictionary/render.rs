//! Renders a [`Dictionary`] as Markdown or as a self-contained HTML page, from the tera
//! templates in `templates/` (embedded in the binary). Only with the `cli` feature.
//!
//! The templates decide the layout; the filters here only escape: `md_text` and `md_code`
//! for Markdown table cells (`|` and HTML in text, code spans with the right fence),
//! `html_text` for prose in HTML (escaped, with backtick spans as `<code>`) and `html_code`
//! for expressions in HTML (escaped, with `<wbr>` where long paths may wrap). Everything else
//! in the HTML page goes through tera's autoescaping.

use std::fmt;

use tera::{Context, Kwargs, State, Tera, Value};

use super::Dictionary;

/// The Markdown template.
pub const MARKDOWN_TEMPLATE: &str = include_str!("../../templates/docs.md.tera");
/// The HTML template.
pub const HTML_TEMPLATE: &str = include_str!("../../templates/docs.html.tera");

/// Output formats of `flexmap docs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// GitHub-flavoured Markdown.
    Markdown,
    /// One HTML page: inline CSS, no scripts, no external resources.
    Html,
}

/// A template failed to render (a bug in a template, never in the user's rules).
#[derive(Debug)]
pub struct RenderError(String);

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot render the data dictionary: {}", self.0)
    }
}

impl std::error::Error for RenderError {}

/// Renders `dictionary` in `format`.
///
/// # Errors
/// A template does not compile or render (covered by tests; never caused by user input).
pub fn render(dictionary: &Dictionary, format: Format) -> Result<String, RenderError> {
    let mut tera = Tera::new();
    tera.register_filter("md_text", |text: &str, _: Kwargs, _: &State| {
        markdown_text(text)
    });
    tera.register_filter("md_code", |text: &str, _: Kwargs, _: &State| {
        markdown_code(text)
    });
    tera.register_filter("html_text", |text: &str, _: Kwargs, _: &State| {
        Value::safe_string(&html_text(text))
    });
    tera.register_filter("html_code", |text: &str, _: Kwargs, _: &State| {
        Value::safe_string(&html_code(text))
    });
    let name = match format {
        Format::Markdown => "docs.md",
        Format::Html => "docs.html",
    };
    let template = match format {
        Format::Markdown => MARKDOWN_TEMPLATE,
        Format::Html => HTML_TEMPLATE,
    };
    // `docs.html` ends in `.html`, so tera autoescapes it; `docs.md` is not escaped.
    tera.add_raw_template(name, template)
        .map_err(|e| RenderError(error_chain(&e)))?;
    let context = Context::from_serialize(dictionary).map_err(|e| RenderError(error_chain(&e)))?;
    tera.render(name, &context)
        .map_err(|e| RenderError(error_chain(&e)))
}

/// Text for a Markdown table cell, on one line: `|` escaped everywhere (no cell break), `<`
/// and `\` escaped outside backtick spans (no HTML). Backtick spans stay, so descriptions
/// keep their `code`.
#[must_use]
pub fn markdown_text(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    let mut out = String::with_capacity(text.len());
    for (index, part) in parts.iter().enumerate() {
        // Odd parts lie after an opening backtick: code when a closing one follows.
        let code = index % 2 == 1 && index + 1 < parts.len();
        if index > 0 {
            out.push('`');
        }
        for c in part.chars() {
            match c {
                '|' => out.push_str("\\|"),
                '<' if !code => out.push_str("\\<"),
                '\\' if !code => out.push_str("\\\\"),
                '\n' | '\r' | '\t' => out.push(' '),
                c => out.push(c),
            }
        }
    }
    out
}

/// A Markdown code span for a table cell: a fence longer than any backtick run inside,
/// padded when the text starts or ends with a backtick, and `|` escaped (GitHub reads `\|`
/// inside a code span in a table as `|`).
#[must_use]
pub fn markdown_code(text: &str) -> String {
    let text = text.replace(['\n', '\r', '\t'], " ");
    let longest_run = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') || text.trim().is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", text.replace('|', "\\|"))
}

/// Prose for HTML: escaped, with each pair of backticks made a `<code>` span.
#[must_use]
pub fn html_text(text: &str) -> String {
    let escaped = escape_html(text);
    let mut out = String::with_capacity(escaped.len());
    let mut parts = escaped.split('`').peekable();
    let mut inside = false;
    while let Some(part) = parts.next() {
        if inside {
            if parts.peek().is_some() {
                out.push_str("<code>");
                out.push_str(part);
                out.push_str("</code>");
            } else {
                // An unpaired backtick: keep it as written.
                out.push('`');
                out.push_str(part);
            }
        } else {
            out.push_str(part);
        }
        inside = !inside;
    }
    out
}

/// An expression for HTML: escaped, with a line-break opportunity (`<wbr>`) after each `.`,
/// `/` and `_`, so long paths and URLs wrap at their joints instead of mid-word.
#[must_use]
pub fn html_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in escape_html(text).chars() {
        out.push(c);
        if matches!(c, '.' | '/' | '_') {
            out.push_str("<wbr>");
        }
    }
    out
}

/// The five HTML special characters as entities (what tera's autoescaping does).
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_escape_pipes_and_html() {
        for (text, expected) in [
            ("plain", "plain"),
            ("a | b", "a \\| b"),
            ("<b>x</b> & y", "\\<b>x\\</b> & y"),
            ("a\\b", "a\\\\b"),
            ("two\nlines", "two lines"),
            ("keeps `code`", "keeps `code`"),
            ("`a < b | c` < d", "`a < b \\| c` \\< d"),
            ("lone ` <", "lone ` \\<"),
        ] {
            assert_eq!(markdown_text(text), expected, "{text:?}");
        }
    }

    #[test]
    fn markdown_code_spans_pick_their_fence() {
        for (text, expected) in [
            ("a | lower", "`a \\| lower`"),
            ("x ++ \"`\"", "``x ++ \"`\"``"),
            ("`quoted`", "`` `quoted` ``"),
            ("`a` ++ ``b``", "``` `a` ++ ``b`` ```"),
            ("a <= 3 && b", "`a <= 3 && b`"),
        ] {
            assert_eq!(markdown_code(text), expected, "{text:?}");
        }
    }

    #[test]
    fn html_code_escapes_and_adds_break_points() {
        assert_eq!(
            html_code(r#"a.b_c ?? "x/<y>""#),
            "a.<wbr>b_<wbr>c ?? &quot;x/<wbr>&lt;y&gt;&quot;"
        );
    }

    #[test]
    fn html_text_escapes_and_marks_code() {
        for (text, expected) in [
            ("plain", "plain"),
            ("a < b & `c > d`", "a &lt; b &amp; <code>c &gt; d</code>"),
            ("one ` tick", "one ` tick"),
            ("`a` and `b`", "<code>a</code> and <code>b</code>"),
            ("\"quoted\"", "&quot;quoted&quot;"),
        ] {
            assert_eq!(html_text(text), expected, "{text:?}");
        }
    }
}
