//! Parser tests: each expression printed back fully parenthesised.

use super::*;

fn show(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Null => "null".into(),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Number(n) => n.to_string(),
        ExprKind::String(s) => format!("{s:?}"),
        ExprKind::Path { root, segments } => format!(
            "{root}{}",
            segments.iter().map(show_segment).collect::<String>()
        ),
        ExprKind::Access { base, segments } => {
            format!(
                "{}{}",
                show(base),
                segments.iter().map(show_segment).collect::<String>()
            )
        }
        ExprKind::Array(items) => format!(
            "[{}]",
            items.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::Object(pairs) => {
            format!(
                "{{{}}}",
                pairs
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", show(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
        ExprKind::Unary { op, operand } => match op {
            UnaryOp::Neg => format!("(-{})", show(operand)),
            UnaryOp::Not => format!("(not {})", show(operand)),
        },
        ExprKind::Binary {
            op, left, right, ..
        } => format!("({} {} {})", show(left), op.symbol(), show(right)),
        ExprKind::If {
            condition,
            then,
            otherwise,
        } => {
            format!(
                "(if {} then {} else {})",
                show(condition),
                show(then),
                show(otherwise)
            )
        }
        ExprKind::Filter {
            input, name, args, ..
        } => {
            let args: Vec<String> = args
                .iter()
                .map(|a| match &a.name {
                    Some((n, _)) => format!("{n}={}", show(&a.value)),
                    None => show(&a.value),
                })
                .collect();
            format!("({} | {name}({}))", show(input), args.join(", "))
        }
    }
}

fn show_segment(segment: &Segment) -> String {
    match &segment.kind {
        SegmentKind::Key(k) => format!(".{k}"),
        SegmentKind::Index(i) => format!("[{i}]"),
    }
}

fn check(input: &str, expected: &str) {
    match parse(input) {
        Ok(expr) => assert_eq!(show(&expr), expected, "parsing {input:?}"),
        Err(e) => panic!("{input:?} failed: {e:?}"),
    }
}

fn check_error(input: &str, at: usize, message: &str) {
    match parse(input) {
        Ok(expr) => panic!("{input:?} parsed as {}", show(&expr)),
        Err(e) => {
            assert_eq!(e.span.0, at, "position for {input:?}: {e:?}");
            assert!(
                e.message.contains(message),
                "message for {input:?}: {:?} lacks {message:?}",
                e.message
            );
        }
    }
}

#[test]
fn precedence_table() {
    check("a ?? b | lower", "(a ?? (b | lower()))");
    check("(a ?? b) | lower", "((a ?? b) | lower())");
    check("a ?? b ?? c", "((a ?? b) ?? c)");
    check("a or b and c", "(a or (b and c))");
    check("not a == b", "(not (a == b))");
    check("a == b and c != d", "((a == b) and (c != d))");
    check("a ++ b == c", "((a ++ b) == c)");
    check("a + b ++ c", "((a + b) ++ c)");
    check("a + b * c - d", "((a + (b * c)) - d)");
    check("-a * b", "((-a) * b)");
    check("-x | abs", "(-(x | abs()))");
    check("a ?? b or c", "(a ?? (b or c))");
    check("a % 2 == 0", "((a % 2) == 0)");
}

#[test]
fn conditionals() {
    check(
        r#"if w <= 30 then "OK" else "Missed""#,
        r#"(if (w <= 30) then "OK" else "Missed")"#,
    );
    check(
        "if a then b else if c then d else e",
        "(if a then b else (if c then d else e))",
    );
    check("x ?? if a then b else c", "(x ?? (if a then b else c))");
}

#[test]
fn filters_and_arguments() {
    check(
        "ivr.digits | hierarchy | truncate(128)",
        "((ivr.digits | hierarchy()) | truncate(128))",
    );
    check(r#"x | seconds(unit="ms")"#, r#"(x | seconds(unit="ms"))"#);
    check(
        r#"x | lookup(languages, "Other")"#,
        r#"(x | lookup(languages, "Other"))"#,
    );
    check(r#"x | in(["a", "b"])"#, r#"(x | in(["a", "b"]))"#);
    check("x | replace('\\s+', ' ')", r#"(x | replace("\\s+", " "))"#);
    check("x | default(a == b)", "(x | default((a == b)))");
}

#[test]
fn paths_and_literals() {
    check(r#"task["odd key"][0].x[-1]"#, "task.odd key[0].x[-1]");
    check("(a ?? b).name", "(a ?? b).name");
    check("x.if.then", "x.if.then");
    check("{type: \"Raw\", url: a.b}", r#"{type: "Raw", url: a.b}"#);
    check("[1, 2.5, true, null,]", "[1, 2.5, true, null]");
    check(r#""tab\tand \u{25B8} and \u0041""#, r#""tab\tand ▸ and A""#);
    check("'it\\'s'", r#""it's""#);
    check("1e3", "1000.0");
    check("iffy ++ nothing ++ order", "((iffy ++ nothing) ++ order)");
}

#[test]
fn errors_say_what_was_expected_where() {
    check_error("crm.account.tier |", 18, "expected a filter name");
    check_error("(crm.a ++ crm.b", 15, "missing `)`");
    check_error("x | in([1, 2)", 12, "missing `]`");
    assert!(parse("lower(x)").is_err_and(|e| e.help.is_some_and(|h| h.contains("x | lower"))));
    check_error("crm..x", 4, "expected a field name");
    check_error("\"abc", 0, "unterminated string");
    check_error("a = b", 2, "expected");
    check_error("if a then b", 11, "`else`");
    check_error("a ++", 4, "expected an expression");
    check_error("", 0, "empty expression");
    check_error("a b", 2, "expected");
}

#[test]
fn limits_are_errors_not_crashes() {
    let deep = format!("{}a{}", "(".repeat(1000), ")".repeat(1000));
    assert!(parse(&deep).is_err_and(|e| e.limit));
    let long_chain = vec!["a"; 3000].join(" ++ ");
    assert!(parse(&long_chain).is_err_and(|e| e.limit));
    let prefixes = format!("{}x", "- ".repeat(5000));
    assert!(parse(&prefixes).is_err_and(|e| e.limit));
    let nots = format!("{}x", "not ".repeat(3000));
    assert!(parse(&nots).is_err_and(|e| e.limit));
    let ifs = format!("{}x{}", "if ".repeat(2000), " then 1 else 2".repeat(2000));
    assert!(parse(&ifs[..MAX_LENGTH.min(ifs.len())]).is_err_and(|e| e.limit));
    assert!(parse("if a then 1 else if b then 2 else if c then 3 else 4").is_ok());
    assert!(parse("- -x").is_ok());
    assert!(parse("\"if if if - - - - - - - - - - - - - - - - - - -\"").is_ok());
    let huge = "a".repeat(MAX_LENGTH + 1);
    assert!(parse(&huge).is_err_and(|e| e.limit));
}
