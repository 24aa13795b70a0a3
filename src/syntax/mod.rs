//! Expression syntax: the pest parser, the AST, and the one Pratt precedence table.
//!
//! Spans in the AST are byte offsets into the expression text; the rule model's
//! `OffsetMap` turns them into file positions.

// Parse errors are rare and built once per bad expression; their size does not matter.
#![allow(clippy::result_large_err)]

use pest::Parser as _;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

mod format;
pub use format::format;

/// Deepest nesting of brackets accepted in one expression.
pub const MAX_NESTING: usize = 32;
/// Deepest AST accepted (long operator chains and filter chains nest too). Checking,
/// linting and evaluating recurse over the tree: at this depth the release build needs well
/// under 512 KiB of stack, so a 2 MiB thread (rayon, tokio) has a wide margin.
pub const MAX_DEPTH: usize = 100;
/// Most `if`s in one expression (each nests in the parser).
pub const MAX_IFS: usize = 64;
/// Longest run of prefix operators (`- - x`, `not not x`).
pub const MAX_PREFIX_RUN: usize = 16;
/// Longest expression accepted, in bytes.
pub const MAX_LENGTH: usize = 16 * 1024;

#[derive(pest_derive::Parser)]
#[grammar = "grammar/expr.pest"]
struct ExprParser;

/// A byte range in the expression text.
pub type LocalSpan = (usize, usize);

/// An expression node.
#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where it is, in expression-local bytes.
    pub span: LocalSpan,
}

/// Expression forms.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number literal.
    Number(serde_json::Number),
    /// A string literal (escapes decoded).
    String(String),
    /// `crm.account.id`, `task["odd key"][0]`.
    Path {
        /// The first name.
        root: String,
        /// Accessors after it.
        segments: Vec<Segment>,
    },
    /// Accessors on a non-path expression: `(a ?? b).name`.
    Access {
        /// The expression accessed.
        base: Box<Expr>,
        /// Accessors.
        segments: Vec<Segment>,
    },
    /// `[a, b]`.
    Array(Vec<Expr>),
    /// `{name: a, "odd key": b}`.
    Object(Vec<(String, Expr)>),
    /// `-x`, `not x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// Its operand.
        operand: Box<Expr>,
    },
    /// `a op b`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Span of the operator token.
        op_span: LocalSpan,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `if c then a else b`.
    If {
        /// Condition.
        condition: Box<Expr>,
        /// Value when true.
        then: Box<Expr>,
        /// Value when false.
        otherwise: Box<Expr>,
    },
    /// `input | name(args)`.
    Filter {
        /// What is filtered.
        input: Box<Expr>,
        /// Filter name.
        name: String,
        /// Span of the name.
        name_span: LocalSpan,
        /// Arguments.
        args: Vec<Arg>,
        /// Span of `| name(args)`.
        call_span: LocalSpan,
    },
}

/// One accessor.
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// Key or index.
    pub kind: SegmentKind,
    /// Its span.
    pub span: LocalSpan,
}

/// `.name` / `["name"]` or `[n]`.
#[derive(Clone, Debug, PartialEq)]
pub enum SegmentKind {
    /// An object key.
    Key(String),
    /// An array index; negative counts from the end.
    Index(i64),
}

/// A filter argument.
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// `name=` for a named argument.
    pub name: Option<(String, LocalSpan)>,
    /// The value.
    pub value: Expr,
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-`.
    Neg,
    /// `not`.
    Not,
}

/// Infix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    /// `??`.
    Coalesce,
    /// `or`.
    Or,
    /// `and`.
    And,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `++`.
    Concat,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `%`.
    Rem,
}

impl BinaryOp {
    /// The operator as written.
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Coalesce => "??",
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Concat => "++",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
        }
    }
}

/// A syntax error: where, and what was expected there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Expression-local span.
    pub span: LocalSpan,
    /// Sentence for the message.
    pub message: String,
    /// Short text for the label.
    pub label: String,
    /// Concrete fix, if one is obvious.
    pub help: Option<String>,
    /// True when a size or depth limit was hit (reported as FM901).
    pub limit: bool,
    /// Another place involved (the `(` that is never closed).
    pub secondary: Option<(LocalSpan, String)>,
}

/// Parses one expression.
///
/// # Errors
/// A `SyntaxError` at the first character that cannot be read, saying what was expected.
pub fn parse(text: &str) -> Result<Expr, SyntaxError> {
    check_limits(text)?;
    let mut pairs = ExprParser::parse(Rule::program, text).map_err(|e| syntax_error(text, &e))?;
    let program = pairs.next().ok_or_else(|| internal(text))?;
    let expr = program.into_inner().next().ok_or_else(|| internal(text))?;
    let ast = build_expr(expr)?;
    if deeper_than(&ast, MAX_DEPTH) {
        return Err(SyntaxError {
            span: (0, text.len()),
            message: format!("expression nests deeper than {MAX_DEPTH} levels"),
            label: "too deep".into(),
            help: Some("split the computation into several rules or simplify it".into()),
            limit: true,
            secondary: None,
        });
    }
    Ok(ast)
}

fn internal(text: &str) -> SyntaxError {
    SyntaxError {
        span: (0, text.len()),
        message: "internal parser error".into(),
        label: "here".into(),
        help: None,
        limit: false,
        secondary: None,
    }
}

fn check_limits(text: &str) -> Result<(), SyntaxError> {
    if text.len() > MAX_LENGTH {
        return Err(SyntaxError {
            span: (0, 0),
            message: format!(
                "expression is {} bytes long; the limit is {MAX_LENGTH}",
                text.len()
            ),
            label: "too long".into(),
            help: Some("split it into several rules, or move the data into a table".into()),
            limit: true,
            secondary: None,
        });
    }
    if text.trim().is_empty() {
        return Err(SyntaxError {
            span: (0, text.len()),
            message: "empty expression".into(),
            label: "expected an expression".into(),
            help: Some(
                "write an expression such as `crm.account.tier`, or use `const:` for a literal"
                    .into(),
            ),
            limit: false,
            secondary: None,
        });
    }
    // `if` chains and runs of prefix operators recurse in the parser too.
    let mut ifs = 0usize;
    let mut prefix_run = 0usize;
    for token in tokens_outside_strings(text) {
        match token {
            (_, "if") => ifs += 1,
            (_, "-" | "not") => prefix_run += 1,
            _ => prefix_run = 0,
        }
        if ifs > MAX_IFS || prefix_run > MAX_PREFIX_RUN {
            let (what, help) = if ifs > MAX_IFS {
                (
                    format!("more than {MAX_IFS} `if`s"),
                    "use a lookup table instead of a long `if` chain, or simplify the expression",
                )
            } else {
                (
                    format!("more than {MAX_PREFIX_RUN} prefix operators in a row"),
                    "remove the repeated `-` and `not`: two of them cancel out",
                )
            };
            return Err(SyntaxError {
                span: (token.0, token.0 + token.1.len()),
                message: format!("expression has {what}"),
                label: "too deep".into(),
                help: Some(help.into()),
                limit: true,
                secondary: None,
            });
        }
    }
    // Bracket nesting, outside string literals, before pest recurses into it.
    let mut depth = 0usize;
    for (i, c) in code_chars(text) {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(SyntaxError {
                        span: (i, i + 1),
                        message: format!("brackets nest deeper than {MAX_NESTING} levels"),
                        label: "too deep".into(),
                        help: Some(
                            "drop redundant brackets, or split the computation into several rules"
                                .into(),
                        ),
                        limit: true,
                        secondary: None,
                    });
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The characters of `text` outside string literals, with their offsets. An opening quote
/// is yielded (it separates tokens); the literal's contents and closing quote are not.
fn code_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    text.char_indices().filter(move |&(_, c)| {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            return false;
        }
        if c == '"' || c == '\'' {
            quote = Some(c);
        }
        true
    })
}

/// Rough tokens (offset, text) outside string literals: words and single symbols.
fn tokens_outside_strings(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut tokens = Vec::new();
    let mut word_start: Option<usize> = None;
    let mut word_end = 0;
    for (i, c) in code_chars(text) {
        if c.is_ascii_alphanumeric() || c == '_' {
            if word_start.is_none() || word_end != i {
                if let Some(start) = word_start.take() {
                    tokens.push((start, &text[start..word_end]));
                }
                word_start = Some(i);
            }
            word_end = i + c.len_utf8();
            continue;
        }
        if let Some(start) = word_start.take() {
            tokens.push((start, &text[start..word_end]));
        }
        if !c.is_whitespace() && c != '"' && c != '\'' {
            tokens.push((i, &text[i..i + c.len_utf8()]));
        }
    }
    if let Some(start) = word_start {
        tokens.push((start, &text[start..word_end]));
    }
    tokens.into_iter()
}

/// True when `expr` nests deeper than `limit` levels. It recurses at most `limit + 1`
/// levels, so a 16 KiB operator chain (8,000 levels) is rejected without deep recursion.
fn deeper_than(expr: &Expr, limit: usize) -> bool {
    let Some(below) = limit.checked_sub(1) else {
        return true;
    };
    match &expr.kind {
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Number(_)
        | ExprKind::String(_)
        | ExprKind::Path { .. } => false,
        ExprKind::Access { base, .. } => deeper_than(base, below),
        ExprKind::Array(items) => items.iter().any(|e| deeper_than(e, below)),
        ExprKind::Object(pairs) => pairs.iter().any(|(_, e)| deeper_than(e, below)),
        ExprKind::Unary { operand, .. } => deeper_than(operand, below),
        ExprKind::Binary { left, right, .. } => {
            deeper_than(left, below) || deeper_than(right, below)
        }
        ExprKind::If {
            condition,
            then,
            otherwise,
        } => [condition, then, otherwise]
            .iter()
            .any(|e| deeper_than(e, below)),
        ExprKind::Filter { input, args, .. } => {
            deeper_than(input, below) || args.iter().any(|a| deeper_than(&a.value, below))
        }
    }
}

fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: std::sync::OnceLock<PrattParser<Rule>> = std::sync::OnceLock::new();
    PRATT.get_or_init(|| {
        // Loosest first. `if` is a primary, so it is looser than all of these only
        // in the sense that its else-branch extends as far as it can.
        PrattParser::new()
            .op(Op::infix(Rule::coalesce, Assoc::Left))
            .op(Op::infix(Rule::or_op, Assoc::Left))
            .op(Op::infix(Rule::and_op, Assoc::Left))
            .op(Op::prefix(Rule::not_op))
            .op(Op::infix(Rule::eq, Assoc::Left)
                | Op::infix(Rule::ne, Assoc::Left)
                | Op::infix(Rule::lt, Assoc::Left)
                | Op::infix(Rule::le, Assoc::Left)
                | Op::infix(Rule::gt, Assoc::Left)
                | Op::infix(Rule::ge, Assoc::Left))
            .op(Op::infix(Rule::concat, Assoc::Left))
            .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
            .op(Op::infix(Rule::mul, Assoc::Left)
                | Op::infix(Rule::div, Assoc::Left)
                | Op::infix(Rule::rem, Assoc::Left))
            .op(Op::prefix(Rule::neg))
    })
}

fn span_of(pair: &Pair<'_, Rule>) -> LocalSpan {
    let s = pair.as_span();
    (s.start(), s.end())
}

fn build_expr(pair: Pair<'_, Rule>) -> Result<Expr, SyntaxError> {
    build_pratt(pair.into_inner())
}

fn build_pratt(pairs: Pairs<'_, Rule>) -> Result<Expr, SyntaxError> {
    pratt()
        .map_primary(build_primary)
        .map_prefix(|op, operand| {
            let operand = operand?;
            let op_kind = if op.as_rule() == Rule::neg {
                UnaryOp::Neg
            } else {
                UnaryOp::Not
            };
            let span = (op.as_span().start(), operand.span.1);
            Ok(Expr {
                kind: ExprKind::Unary {
                    op: op_kind,
                    operand: Box::new(operand),
                },
                span,
            })
        })
        .map_infix(|left, op, right| {
            let (left, right) = (left?, right?);
            let op_kind = match op.as_rule() {
                Rule::coalesce => BinaryOp::Coalesce,
                Rule::or_op => BinaryOp::Or,
                Rule::and_op => BinaryOp::And,
                Rule::eq => BinaryOp::Eq,
                Rule::ne => BinaryOp::Ne,
                Rule::lt => BinaryOp::Lt,
                Rule::le => BinaryOp::Le,
                Rule::gt => BinaryOp::Gt,
                Rule::ge => BinaryOp::Ge,
                Rule::concat => BinaryOp::Concat,
                Rule::add => BinaryOp::Add,
                Rule::sub => BinaryOp::Sub,
                Rule::mul => BinaryOp::Mul,
                Rule::div => BinaryOp::Div,
                _ => BinaryOp::Rem,
            };
            let span = (left.span.0, right.span.1);
            Ok(Expr {
                kind: ExprKind::Binary {
                    op: op_kind,
                    op_span: span_of(&op),
                    left: Box::new(left),
                    right: Box::new(right),
                },
                span,
            })
        })
        .parse(pairs)
}

fn build_primary(pair: Pair<'_, Rule>) -> Result<Expr, SyntaxError> {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::if_expr => {
            let mut parts = pair.into_inner().filter(|p| p.as_rule() == Rule::expr);
            let mut next = || parts.next().map(build_expr).transpose();
            let condition = next()?.ok_or_else(|| internal(""))?;
            let then = next()?.ok_or_else(|| internal(""))?;
            let otherwise = next()?.ok_or_else(|| internal(""))?;
            Ok(Expr {
                kind: ExprKind::If {
                    condition: Box::new(condition),
                    then: Box::new(then),
                    otherwise: Box::new(otherwise),
                },
                span,
            })
        }
        Rule::filtered => {
            let mut inner = pair.into_inner();
            let postfix = inner.next().ok_or_else(|| internal(""))?;
            let mut expr = build_postfix(postfix)?;
            for filter in inner {
                let call_span = span_of(&filter);
                let mut parts = filter.into_inner();
                let name_pair = parts.next().ok_or_else(|| internal(""))?;
                let mut args = Vec::new();
                if let Some(call) = parts.next() {
                    for arg in call.into_inner() {
                        let inner_arg = arg.into_inner().next().ok_or_else(|| internal(""))?;
                        if inner_arg.as_rule() == Rule::named_arg {
                            let mut named = inner_arg.into_inner();
                            let arg_name = named.next().ok_or_else(|| internal(""))?;
                            let value = named.next().ok_or_else(|| internal(""))?;
                            args.push(Arg {
                                name: Some((arg_name.as_str().to_string(), span_of(&arg_name))),
                                value: build_expr(value)?,
                            });
                        } else {
                            args.push(Arg {
                                name: None,
                                value: build_expr(inner_arg)?,
                            });
                        }
                    }
                }
                let whole = (expr.span.0, call_span.1);
                expr = Expr {
                    kind: ExprKind::Filter {
                        input: Box::new(expr),
                        name: name_pair.as_str().to_string(),
                        name_span: span_of(&name_pair),
                        args,
                        call_span,
                    },
                    span: whole,
                };
            }
            Ok(expr)
        }
        _ => Err(internal("")),
    }
}

fn build_postfix(pair: Pair<'_, Rule>) -> Result<Expr, SyntaxError> {
    let span = span_of(&pair);
    let mut inner = pair.into_inner();
    let atom = inner.next().ok_or_else(|| internal(""))?;
    let mut segments = Vec::new();
    for accessor in inner {
        let seg_span = span_of(&accessor);
        let part = accessor.into_inner().next().ok_or_else(|| internal(""))?;
        let kind = match part.as_rule() {
            Rule::member_name => SegmentKind::Key(part.as_str().to_string()),
            Rule::index_int => {
                SegmentKind::Index(part.as_str().parse().map_err(|_| SyntaxError {
                    span: seg_span,
                    message: "array index out of range".into(),
                    label: "index too large".into(),
                    help: None,
                    limit: false,
                    secondary: None,
                })?)
            }
            _ => SegmentKind::Key(decode_string(&part)?),
        };
        segments.push(Segment {
            kind,
            span: seg_span,
        });
    }
    if atom.as_rule() == Rule::root {
        return Ok(Expr {
            kind: ExprKind::Path {
                root: atom.as_str().to_string(),
                segments,
            },
            span,
        });
    }
    let base = build_atom(atom)?;
    if segments.is_empty() {
        Ok(base)
    } else {
        Ok(Expr {
            kind: ExprKind::Access {
                base: Box::new(base),
                segments,
            },
            span,
        })
    }
}

fn build_atom(pair: Pair<'_, Rule>) -> Result<Expr, SyntaxError> {
    let span = span_of(&pair);
    let kind = match pair.as_rule() {
        Rule::number => {
            let text = pair.as_str();
            let number = if let Ok(i) = text.parse::<i64>() {
                serde_json::Number::from(i)
            } else {
                text.parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .ok_or_else(|| SyntaxError {
                        span,
                        message: format!("number `{text}` is out of range"),
                        label: "not a finite number".into(),
                        help: None,
                        limit: false,
                        secondary: None,
                    })?
            };
            ExprKind::Number(number)
        }
        Rule::string => ExprKind::String(decode_string(&pair)?),
        Rule::kw_true => ExprKind::Bool(true),
        Rule::kw_false => ExprKind::Bool(false),
        Rule::kw_null => ExprKind::Null,
        Rule::paren => {
            let inner = pair.into_inner().next().ok_or_else(|| internal(""))?;
            let mut expr = build_expr(inner)?;
            expr.span = span;
            return Ok(expr);
        }
        Rule::array => ExprKind::Array(
            pair.into_inner()
                .map(build_expr)
                .collect::<Result<_, _>>()?,
        ),
        Rule::object => {
            let mut pairs = Vec::new();
            for entry in pair.into_inner() {
                let mut parts = entry.into_inner();
                let key = parts.next().ok_or_else(|| internal(""))?;
                let key = if key.as_rule() == Rule::pair_key {
                    key.as_str().to_string()
                } else {
                    decode_string(&key)?
                };
                let value = parts.next().ok_or_else(|| internal(""))?;
                pairs.push((key, build_expr(value)?));
            }
            ExprKind::Object(pairs)
        }
        _ => return Err(internal("")),
    };
    Ok(Expr { kind, span })
}

/// Decodes a `string` pair (quotes and escapes).
fn decode_string(pair: &Pair<'_, Rule>) -> Result<String, SyntaxError> {
    let span = span_of(pair);
    let raw = pair.as_str();
    let body = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let escaped = chars.next().unwrap_or('\\');
        match escaped {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            'u' => {
                let rest = chars.as_str();
                let (hex, consumed) = if let Some(stripped) = rest.strip_prefix('{') {
                    let end = stripped.find('}').unwrap_or(stripped.len());
                    (&stripped[..end], end + 2)
                } else {
                    (rest.get(..4).unwrap_or(rest), 4)
                };
                let decoded = u32::from_str_radix(hex, 16)
                    .ok()
                    .and_then(char::from_u32)
                    .ok_or_else(|| SyntaxError {
                        span,
                        message: format!("`\\u{hex}` is not a Unicode scalar value"),
                        label: "invalid escape".into(),
                        help: Some("use a code point such as `\\u{25B8}`".into()),
                        limit: false,
                        secondary: None,
                    })?;
                out.push(decoded);
                chars = rest.get(consumed.min(rest.len())..).unwrap_or("").chars();
            }
            '"' | '\'' | '\\' | '/' => out.push(escaped),
            other => {
                // Not an escape: keep the backslash (regexes such as `\d+`).
                out.push('\\');
                out.push(other);
            }
        }
    }
    Ok(out)
}

/// Turns a pest error into words: what was expected at which character.
fn syntax_error(text: &str, error: &pest::error::Error<Rule>) -> SyntaxError {
    let position = match error.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    // At the end of the input, point just past the last character written, not at
    // trailing white space (a block scalar's final line break).
    let position = if text.get(position..).is_some_and(|r| r.trim().is_empty()) {
        text.trim_end().len().min(position)
    } else {
        position
    };
    let rest = text.get(position..).unwrap_or("");
    // An opening quote with no closing one.
    if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'')
        && !rest[1..].contains(q)
    {
        return SyntaxError {
            span: (position, text.len()),
            message: "unterminated string".into(),
            label: "this string is never closed".into(),
            help: Some(format!("add the closing {q}")),
            limit: false,
            secondary: None,
        };
    }
    // At the end with a bracket still open: say which one.
    let found_closer = rest.chars().next().filter(|c| matches!(c, ')' | ']' | '}'));
    if (rest.trim().is_empty() || found_closer.is_some())
        && let Some((open, close)) = unclosed_bracket(text.get(..position).unwrap_or(text))
        && found_closer != Some(close)
    {
        let open_char = text.get(open..=open).unwrap_or("(");
        return SyntaxError {
            span: (position, position),
            message: format!("missing `{close}`: the `{open_char}` is never closed"),
            label: format!("expected `{close}`"),
            help: Some(format!("add `{close}` where the group ends")),
            limit: false,
            secondary: Some(((open, open + 1), "opened here".into())),
        };
    }
    let expected: Vec<Rule> = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let mut words: Vec<&str> = expected.iter().filter_map(|r| describe(*r)).collect();
    words.sort_unstable();
    words.dedup();
    let found = match rest.chars().next() {
        None => "the end of the expression".to_string(),
        Some(c) => {
            let token: String = rest
                .chars()
                .take_while(|ch| !ch.is_whitespace())
                .take(12)
                .collect();
            if c.is_alphanumeric() {
                format!("`{token}`")
            } else {
                format!("`{c}`")
            }
        }
    };
    let expected_text = match words.len() {
        0 => "something else".to_string(),
        1 => words[0].to_string(),
        _ => {
            let (last, init) = words.split_last().unwrap_or((&"", &[]));
            format!("{} or {last}", init.join(", "))
        }
    };
    let end = rest
        .chars()
        .next()
        .map_or(position, |c| position + c.len_utf8());
    let help = hint(text, position, &expected);
    SyntaxError {
        span: (position, end),
        message: format!("expected {expected_text}, found {found}"),
        label: format!("expected {expected_text}"),
        help,
        limit: false,
        secondary: None,
    }
}

/// The innermost bracket left open at the end of `text` (outside strings), with its closer.
fn unclosed_bracket(text: &str) -> Option<(usize, char)> {
    let mut stack: Vec<(usize, char)> = Vec::new();
    for (i, c) in code_chars(text) {
        match c {
            '(' => stack.push((i, ')')),
            '[' => stack.push((i, ']')),
            '{' => stack.push((i, '}')),
            ')' | ']' | '}' => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
}

fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::filter_name => "a filter name",
        Rule::member_name => "a field name",
        Rule::expr
        | Rule::primary
        | Rule::filtered
        | Rule::postfix
        | Rule::root
        | Rule::number
        | Rule::string
        | Rule::array
        | Rule::object
        | Rule::paren
        | Rule::kw_true
        | Rule::kw_false
        | Rule::kw_null
        | Rule::if_expr
        | Rule::neg
        | Rule::not_op
        | Rule::arg
        | Rule::named_arg => "an expression",
        Rule::filter => "`|`",
        Rule::call_args => "`(`",
        Rule::member => "`.`",
        Rule::index => "`[`",
        Rule::coalesce
        | Rule::or_op
        | Rule::and_op
        | Rule::eq
        | Rule::ne
        | Rule::le
        | Rule::ge
        | Rule::lt
        | Rule::gt
        | Rule::concat
        | Rule::add
        | Rule::sub
        | Rule::mul
        | Rule::div
        | Rule::rem => "an operator",
        Rule::kw_then => "`then`",
        Rule::kw_else => "`else`",
        Rule::index_int => "an index",
        Rule::pair | Rule::pair_key => "a `name: value` pair",
        Rule::EOI => "the end of the expression",
        Rule::escape => "an escape such as `\\n` or `\\u{25B8}`",
        _ => return None,
    })
}

fn hint(text: &str, position: usize, expected: &[Rule]) -> Option<String> {
    let before = text.get(..position).unwrap_or("").trim_end();
    if expected.contains(&Rule::filter_name) || before.ends_with('|') {
        return Some("write a filter after `|`, e.g. `| lower`, or remove the `|`".into());
    }
    if before.ends_with('.') {
        return Some("write a field name after `.`, e.g. `crm.account.id`".into());
    }
    let opens = text.matches('(').count();
    let closes = text.matches(')').count();
    if opens > closes && position >= text.trim_end().len() {
        return Some("missing `)`: close every `(`".into());
    }
    if text.matches('[').count() > text.matches(']').count() && position >= text.trim_end().len() {
        return Some("missing `]`".into());
    }
    if expected.contains(&Rule::kw_then) {
        return Some("an `if` needs `then` and `else`: `if c then a else b`".into());
    }
    if expected.contains(&Rule::kw_else) {
        return Some("an `if` needs an `else` branch: `if c then a else b`".into());
    }
    if text.get(position..).is_some_and(|r| r.starts_with('('))
        && before.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
    {
        let name: String = before
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let argument = text.get(position + 1..).unwrap_or("").trim_end_matches(')');
        return Some(format!(
            "flexmap has no function calls; filters follow a `|`: write `{argument} | {name}`"
        ));
    }
    if text
        .get(position..)
        .is_some_and(|r| r.starts_with('=') && !r.starts_with("=="))
    {
        return Some("compare with `==`".into());
    }
    if text
        .get(position..)
        .is_some_and(|r| r.starts_with("&&") || r.starts_with("||"))
    {
        return Some("use `and` / `or`".into());
    }
    None
}

#[cfg(test)]
mod tests;
