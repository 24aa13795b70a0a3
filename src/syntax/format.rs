//! The canonical layout of one expression, printed from pest's concrete tree so that
//! brackets, string literals and numbers stay exactly as written: one space around infix
//! operators and `|`, none inside brackets, `, ` between items and arguments, `name: value`
//! in objects, `name=value` for named arguments.

use pest::Parser as _;
use pest::iterators::Pair;

use super::{ExprParser, Rule, SyntaxError};

/// The expression in canonical layout; only whitespace between tokens changes (and a
/// trailing comma in a list, object or argument list is dropped).
///
/// # Errors
/// The expression does not parse (the same error `parse` gives).
pub fn format(text: &str) -> Result<String, SyntaxError> {
    super::parse(text)?;
    let mut pairs =
        ExprParser::parse(Rule::program, text).map_err(|e| super::syntax_error(text, &e))?;
    let program = pairs.next().ok_or_else(|| super::internal(text))?;
    let expr = program
        .into_inner()
        .find(|p| p.as_rule() == Rule::expr)
        .ok_or_else(|| super::internal(text))?;
    let mut out = String::with_capacity(text.len());
    print(expr, &mut out);
    Ok(out)
}

fn print(pair: Pair<'_, Rule>, out: &mut String) {
    match pair.as_rule() {
        Rule::expr => {
            for part in pair.into_inner() {
                match part.as_rule() {
                    Rule::neg => out.push('-'),
                    Rule::not_op => out.push_str("not "),
                    Rule::if_expr | Rule::filtered => print(part, out),
                    _ => {
                        out.push(' ');
                        out.push_str(part.as_str());
                        out.push(' ');
                    }
                }
            }
        }
        Rule::if_expr => {
            for part in pair.into_inner() {
                match part.as_rule() {
                    Rule::kw_if => out.push_str("if "),
                    Rule::kw_then => out.push_str(" then "),
                    Rule::kw_else => out.push_str(" else "),
                    _ => print(part, out),
                }
            }
        }
        Rule::filtered => {
            for part in pair.into_inner() {
                if part.as_rule() == Rule::filter {
                    out.push_str(" | ");
                }
                print(part, out);
            }
        }
        Rule::filter | Rule::postfix | Rule::arg => {
            for part in pair.into_inner() {
                print(part, out);
            }
        }
        Rule::call_args => list(pair, "(", ")", out),
        Rule::array => list(pair, "[", "]", out),
        Rule::object => list(pair, "{", "}", out),
        Rule::named_arg => {
            for part in pair.into_inner() {
                if part.as_rule() == Rule::arg_name {
                    out.push_str(part.as_str());
                    out.push('=');
                } else {
                    print(part, out);
                }
            }
        }
        Rule::pair => {
            for part in pair.into_inner() {
                if part.as_rule() == Rule::expr {
                    out.push_str(": ");
                    print(part, out);
                } else {
                    out.push_str(part.as_str());
                }
            }
        }
        Rule::member => {
            out.push('.');
            for part in pair.into_inner() {
                out.push_str(part.as_str());
            }
        }
        Rule::index => {
            out.push('[');
            for part in pair.into_inner() {
                out.push_str(part.as_str());
            }
            out.push(']');
        }
        Rule::paren => {
            out.push('(');
            for part in pair.into_inner() {
                print(part, out);
            }
            out.push(')');
        }
        // Names, numbers, strings and keywords: as written.
        _ => out.push_str(pair.as_str()),
    }
}

/// `open` items joined by `, ` `close`.
fn list(pair: Pair<'_, Rule>, open: &str, close: &str, out: &mut String) {
    out.push_str(open);
    for (i, part) in pair.into_inner().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        print(part, out);
    }
    out.push_str(close);
}

#[cfg(test)]
mod tests {
    use super::format;

    #[test]
    fn canonical_spacing() {
        let cases = [
            ("a.b|lower", "a.b | lower"),
            ("  a  ??b ?? \"x\"  ", "a ?? b ?? \"x\""),
            ("x|truncate( 128 )", "x | truncate(128)"),
            ("x | seconds( unit = \"ms\" )", "x | seconds(unit=\"ms\")"),
            ("if a==1 then'x'else \"y\"", "if a == 1 then 'x' else \"y\""),
            ("[ 1,2 , ]", "[1, 2]"),
            ("{ a : x ,\"odd key\":y }", "{a: x, \"odd key\": y}"),
            ("- x * ( y+1 )", "-x * (y + 1)"),
            ("not  a and not(b)", "not a and not (b)"),
            ("t [ \"k\" ] [ -1 ] . c", "t[\"k\"][-1].c"),
            ("a|in([\"x\",'y'])", "a | in([\"x\", 'y'])"),
            ("a\n  ++ b", "a ++ b"),
            ("x | f()", "x | f()"),
        ];
        let spans = regex::Regex::new(r"\(\d+, \d+\)").expect("regex");
        for (input, want) in cases {
            let got = format(input).expect("formats");
            assert_eq!(got, want, "{input}");
            assert_eq!(
                format(&got).expect("formats again"),
                got,
                "idempotent: {input}"
            );
            let spanless = |t: &str| {
                let tree = format!("{:?}", crate::syntax::parse(t).expect("parses"));
                spans.replace_all(&tree, "()").into_owned()
            };
            assert_eq!(spanless(input), spanless(&got), "{input}");
        }
    }

    #[test]
    fn syntax_errors_are_returned() {
        assert!(format("a |").is_err());
        assert!(format("").is_err());
    }
}
