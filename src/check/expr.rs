//! Expression checking: parse (FM002), types (FM303), filters and tables (FM306), and
//! lowering to runtime IR.

use serde_json::Value;

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::rules_file::ExprSource;
use crate::runtime::filters::{self, FilterDef, FilterOp};
use crate::runtime::{Ir, PathSegment};
use crate::source::Span;
use crate::suggest::did_you_mean;
use crate::syntax::{self, Arg, BinaryOp, Expr, ExprKind, LocalSpan, SegmentKind, UnaryOp};
use crate::types::Type;

/// Where a static type came from, for messages ("the literal `5`").
#[derive(Clone, Debug)]
pub(crate) struct Origin {
    pub text: String,
    /// File span of the expression that has the type.
    pub span: Option<Span>,
    /// For declared inputs, the declaration.
    pub declared: Option<Span>,
}

impl Origin {
    pub fn new(text: String, span: Option<Span>) -> Origin {
        Origin {
            text,
            span,
            declared: None,
        }
    }
}

type Typed = (Ir, Type, Origin);

impl Checker<'_> {
    /// Parses, checks and lowers one expression; `None` when it does not parse.
    pub(crate) fn expression(&mut self, source: &ExprSource) -> Option<(Typed, Expr)> {
        let ast = match syntax::parse(&source.text) {
            Ok(ast) => ast,
            Err(error) => {
                let code = if error.limit {
                    Code::LimitExceeded
                } else {
                    Code::ExpressionSyntax
                };
                let mut d = Diagnostic::new(
                    code,
                    error.message.clone(),
                    source.file_span(error.span.0, error.span.1),
                )
                .with_label(error.label.clone());
                if let Some((span, message)) = &error.secondary {
                    d = d.with_secondary(source.file_span(span.0, span.1), message.clone());
                }
                if let Some(help) = error.help {
                    d = d.with_help(help);
                }
                self.diagnostics.push(d);
                return None;
            }
        };
        let typed = self.lower(&ast, source);
        Some((typed, ast))
    }

    fn span(source: &ExprSource, local: LocalSpan) -> Span {
        source.file_span(local.0, local.1)
    }

    fn lower(&mut self, expr: &Expr, source: &ExprSource) -> Typed {
        let span = Self::span(source, expr.span);
        let snippet = source
            .text
            .get(expr.span.0..expr.span.1)
            .unwrap_or("")
            .to_string();
        match &expr.kind {
            ExprKind::Null => (
                Ir::Const(Value::Null),
                Type::Null,
                Origin::new("`null`".into(), Some(span)),
            ),
            ExprKind::Bool(b) => (
                Ir::Const(Value::Bool(*b)),
                Type::Bool,
                Origin::new(format!("the literal `{b}`"), Some(span)),
            ),
            ExprKind::Number(n) => (
                Ir::Const(Value::Number(n.clone())),
                Type::Number,
                Origin::new(format!("the literal `{snippet}`"), Some(span)),
            ),
            ExprKind::String(s) => (
                Ir::Const(Value::String(s.clone())),
                Type::String,
                Origin::new(format!("the literal {snippet}"), Some(span)),
            ),
            ExprKind::Path { root, segments } => {
                let mut path = root.clone();
                let mut plain = true;
                for segment in segments {
                    match &segment.kind {
                        SegmentKind::Key(k) if crate::rules_file::is_identifier(k) => {
                            path.push('.');
                            path.push_str(k);
                        }
                        _ => plain = false,
                    }
                }
                let mut ir_segments = vec![PathSegment::Key(root.as_str().into())];
                ir_segments.extend(segments.iter().map(|s| PathSegment::from(&s.kind)));
                let ir = Ir::Path(ir_segments.into_boxed_slice());
                match self.inputs.get(&path).filter(|_| plain) {
                    Some((declared, decl_span)) => {
                        let ty = declared.ty();
                        let origin = Origin {
                            text: format!("`{path}`, declared `type: {}` in `inputs`", ty.name()),
                            span: Some(span),
                            declared: Some(*decl_span),
                        };
                        (ir, ty, origin)
                    }
                    None => (
                        ir,
                        Type::Any,
                        Origin::new(format!("`{snippet}`"), Some(span)),
                    ),
                }
            }
            ExprKind::Access { base, segments } => {
                let (ir, _, _) = self.lower(base, source);
                let segs: Vec<PathSegment> = segments
                    .iter()
                    .map(|s| PathSegment::from(&s.kind))
                    .collect();
                (
                    Ir::Access(Box::new(ir), segs.into_boxed_slice()),
                    Type::Any,
                    Origin::new(format!("`{snippet}`"), Some(span)),
                )
            }
            ExprKind::Array(items) => {
                let irs: Vec<Ir> = items.iter().map(|i| self.lower(i, source).0).collect();
                (
                    fold_array(irs),
                    Type::Array,
                    Origin::new("a list".into(), Some(span)),
                )
            }
            ExprKind::Object(pairs) => {
                let irs: Vec<(String, Ir)> = pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), self.lower(v, source).0))
                    .collect();
                (
                    Ir::Object(irs),
                    Type::Object,
                    Origin::new("an object".into(), Some(span)),
                )
            }
            ExprKind::Unary { op, operand } => {
                let (ir, ty, origin) = self.lower(operand, source);
                let (want, name) = match op {
                    UnaryOp::Neg => (Type::Number, "-"),
                    UnaryOp::Not => (Type::Bool, "not"),
                };
                self.expect_operand(&[want], ty, &origin, name, span);
                let site = self.site(span, name);
                let out = match (op, &ir) {
                    (UnaryOp::Neg, Ir::Const(Value::Number(n))) => match n.as_i64() {
                        Some(i) if i != i64::MIN => Ir::Const(Value::from(-i)),
                        _ => Ir::Neg(Box::new(ir), site),
                    },
                    (UnaryOp::Neg, _) => Ir::Neg(Box::new(ir), site),
                    (UnaryOp::Not, _) => Ir::Not(Box::new(ir), site),
                };
                (out, want, Origin::new(format!("`{name}`"), Some(span)))
            }
            ExprKind::Binary {
                op,
                op_span,
                left,
                right,
            } => self.binary(*op, *op_span, left, right, source, span),
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                let (c, cty, corigin) = self.lower(condition, source);
                self.expect_operand(&[Type::Bool], cty, &corigin, "if", span);
                let (a, aty, _) = self.lower(then, source);
                let (b, bty, _) = self.lower(otherwise, source);
                let site = self.site(span, "if");
                let ty = aty.join(bty);
                (
                    Ir::If(Box::new(c), Box::new(a), Box::new(b), site),
                    ty,
                    Origin::new("`if … then … else …`".into(), Some(span)),
                )
            }
            ExprKind::Filter {
                input,
                name,
                name_span,
                args,
                call_span,
            } => self.filter(input, name, *name_span, args, *call_span, source, span),
        }
    }

    fn expect_operand(
        &mut self,
        accepted: &[Type],
        ty: Type,
        origin: &Origin,
        op: &str,
        fallback: Span,
    ) {
        if ty.may_be(accepted) {
            return;
        }
        let span = origin.span.unwrap_or(fallback);
        let mut d = Diagnostic::new(
            Code::TypeMismatch,
            format!(
                "`{op}` expects {}, but this is {}",
                article_list(accepted),
                ty.with_article()
            ),
            span,
        )
        .with_label(format!("{ty}, from {}", origin.text))
        .with_help(operand_help(op, ty));
        if let Some(declared) = origin.declared {
            d = d.with_secondary(declared, "declared here");
        }
        self.diagnostics.push(d);
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        op_span: LocalSpan,
        left: &Expr,
        right: &Expr,
        source: &ExprSource,
        span: Span,
    ) -> Typed {
        let (l, lty, lorigin) = self.lower(left, source);
        let (r, rty, rorigin) = self.lower(right, source);
        let symbol = op.symbol();
        let op_file_span = Self::span(source, op_span);
        let ty = match op {
            BinaryOp::Coalesce => lty.join(rty),
            BinaryOp::And | BinaryOp::Or => {
                self.expect_operand(&[Type::Bool], lty, &lorigin, symbol, op_file_span);
                self.expect_operand(&[Type::Bool], rty, &rorigin, symbol, op_file_span);
                Type::Bool
            }
            BinaryOp::Eq | BinaryOp::Ne => Type::Bool,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                self.expect_operand(
                    &[Type::Number, Type::String],
                    lty,
                    &lorigin,
                    symbol,
                    op_file_span,
                );
                self.expect_operand(
                    &[Type::Number, Type::String],
                    rty,
                    &rorigin,
                    symbol,
                    op_file_span,
                );
                let definite = |t: Type| matches!(t, Type::Number | Type::String);
                if definite(lty) && definite(rty) && lty != rty {
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::TypeMismatch,
                            format!("`{symbol}` compares a {lty} with a {rty}"),
                            op_file_span,
                        )
                        .with_label("operands of different types")
                        .with_secondary(
                            lorigin.span.unwrap_or(span),
                            format!("{lty}, from {}", lorigin.text),
                        )
                        .with_secondary(
                            rorigin.span.unwrap_or(span),
                            format!("{rty}, from {}", rorigin.text),
                        )
                        .with_help("convert one side, e.g. `| number`"),
                    );
                }
                Type::Bool
            }
            BinaryOp::Concat => {
                let ok = [Type::String, Type::Number, Type::Bool];
                self.expect_operand(&ok, lty, &lorigin, symbol, op_file_span);
                self.expect_operand(&ok, rty, &rorigin, symbol, op_file_span);
                Type::String
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
                self.expect_operand(&[Type::Number], lty, &lorigin, symbol, op_file_span);
                self.expect_operand(&[Type::Number], rty, &rorigin, symbol, op_file_span);
                Type::Number
            }
        };
        let site = self.site(op_file_span, symbol);
        (
            Ir::Binary(op, Box::new(l), Box::new(r), site),
            ty,
            Origin::new(format!("`{symbol}`"), Some(span)),
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn filter(
        &mut self,
        input: &Expr,
        name: &str,
        name_span: LocalSpan,
        args: &[Arg],
        call_span: LocalSpan,
        source: &ExprSource,
        span: Span,
    ) -> Typed {
        let (input_ir, input_ty, input_origin) = self.lower(input, source);
        let name_file_span = Self::span(source, name_span);
        let failed = |ir: Ir| {
            (
                ir,
                Type::Any,
                Origin::new(format!("`| {name}`"), Some(span)),
            )
        };
        let Some(def) = filters::find(name) else {
            let mut d = Diagnostic::new(
                Code::UnknownFunction,
                format!("unknown filter `{name}`"),
                name_file_span,
            )
            .with_label("no filter has this name");
            d = match did_you_mean(name, filters::FILTERS.iter().map(|f| f.name)) {
                // The rename is mechanical when the span is exactly the name's bytes (the
                // offset map may fall back to the whole scalar).
                Some(best) if name_file_span.len() == name.len() => {
                    d.with_help(format!("did you mean `{best}`?")).with_fix(
                        format!("rename to `{best}`"),
                        vec![crate::diagnostic::Edit::replace(name_file_span, best)],
                    )
                }
                Some(best) => d.with_help(format!("did you mean `{best}`?")),
                None => d.with_help("see docs/language.md for the list of filters"),
            };
            self.diagnostics.push(d);
            for arg in args {
                self.lower(&arg.value, source);
            }
            return failed(input_ir);
        };
        // Input type.
        if !input_ty.may_be(def.input) {
            let mut d = Diagnostic::new(
                Code::TypeMismatch,
                format!(
                    "`{name}` expects {}, but its input is {}",
                    article_list(def.input),
                    input_ty.with_article()
                ),
                input_origin.span.unwrap_or(span),
            )
            .with_label(format!("{input_ty}, from {}", input_origin.text))
            .with_secondary(
                name_file_span,
                format!("`{name}` takes {}", article_list(def.input)),
            )
            .with_help(filter_input_help(name, input_ty));
            if let Some(declared) = input_origin.declared {
                d = d.with_secondary(declared, "declared here");
            }
            self.diagnostics.push(d);
        }
        // Arguments in parameter order.
        let Some(slots) = self.bind_args(def, args, name_file_span, source, call_span) else {
            return failed(input_ir);
        };
        let mut constants: Vec<Option<Value>> = Vec::with_capacity(def.params.len());
        let mut table = None;
        let mut default_arg = None;
        let mut arg_ok = true;
        let mut table_values_type = Type::Any;
        for (index, (param, slot)) in def.params.iter().zip(&slots).enumerate() {
            let Some(arg) = slot else {
                constants.push(None);
                continue;
            };
            let arg_span = Self::span(source, arg.value.span);
            if def.name == "lookup" && index == 0 {
                match &arg.value.kind {
                    ExprKind::Path { root, segments } if segments.is_empty() => {
                        match self.tables.get(root) {
                            Some(t) => {
                                table = Some(t.clone());
                                table_values_type = t
                                    .values()
                                    .map(Type::of)
                                    .reduce(Type::join)
                                    .unwrap_or(Type::Any);
                                constants.push(Some(Value::String(root.clone())));
                            }
                            None => {
                                let mut d = Diagnostic::new(
                                    Code::UnknownFunction,
                                    format!("unknown table `{root}`"),
                                    arg_span,
                                )
                                .with_label("no table with this name under `tables:`");
                                let mut names: Vec<&str> =
                                    self.tables.keys().map(String::as_str).collect();
                                names.sort_unstable();
                                d = match did_you_mean(root, names) {
                                Some(best) => d.with_help(format!("did you mean `{best}`?")),
                                None if self.tables.is_empty() => d.with_help(format!("add it under `tables:`, e.g. `tables: {{ {root}: {{ key: value }} }}`")),
                                None => d.with_help(format!("tables in this file: {}", sorted_keys(&self.tables))),
                            };
                                self.diagnostics.push(d);
                                arg_ok = false;
                                constants.push(None);
                            }
                        }
                    }
                    _ => {
                        self.diagnostics.push(
                            Diagnostic::new(
                                Code::UnknownFunction,
                                "`lookup` takes a table name as its first argument",
                                arg_span,
                            )
                            .with_label("expected the bare name of a table")
                            .with_help(
                                "write the table's name without quotes, e.g. `| lookup(languages)`",
                            ),
                        );
                        arg_ok = false;
                        constants.push(None);
                    }
                }
                continue;
            }
            if def.name == "default" {
                let (ir, _, _) = self.lower(&arg.value, source);
                default_arg = Some(Box::new(ir));
                constants.push(None);
                continue;
            }
            let Some(value) = constant(&arg.value) else {
                self.lower(&arg.value, source);
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnknownFunction,
                        format!("argument `{}` of `{name}` must be a literal", param.name),
                        arg_span,
                    )
                    .with_label("computed from the record")
                    .with_help(format!(
                        "write a constant here, e.g. `| {name}({})`",
                        example_arg(param.types)
                    )),
                );
                arg_ok = false;
                constants.push(None);
                continue;
            };
            let ty = Type::of(&value);
            if !ty.may_be(param.types) || ty == Type::Null {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::TypeMismatch,
                        format!(
                            "argument `{}` of `{name}` must be {}, not {}",
                            param.name,
                            article_list(param.types),
                            ty.with_article()
                        ),
                        arg_span,
                    )
                    .with_label(format!("{ty}"))
                    .with_help(example_help(def)),
                );
                arg_ok = false;
            }
            constants.push(Some(value));
        }
        if !arg_ok {
            return failed(input_ir);
        }
        let op = match filters::build(def, &constants, table) {
            Ok(op) => op,
            Err(error) => {
                let at = slots
                    .get(error.index)
                    .and_then(|a| a.map(|a| Self::span(source, a.value.span)))
                    .unwrap_or(name_file_span);
                self.diagnostics.push(
                    Diagnostic::new(
                        if error.limit {
                            Code::LimitExceeded
                        } else {
                            Code::UnknownFunction
                        },
                        format!("invalid argument for `{name}`: {}", error.message),
                        at,
                    )
                    .with_label(error.message.clone())
                    .with_help(if error.limit {
                        "simplify the regex; the size limit keeps matching fast and memory bounded"
                            .to_string()
                    } else {
                        example_help(def)
                    }),
                );
                return failed(input_ir);
            }
        };
        let output = match def.name {
            "slice" => input_ty,
            "default" => input_ty.join(Type::Any),
            "lookup" => table_values_type,
            _ => def.output,
        };
        let site = self.site(name_file_span, name);
        let ir = match (&op, default_arg) {
            (FilterOp::Default, Some(arg)) => Ir::Filter(Box::new(input_ir), op, Some(arg), site),
            (_, _) => Ir::Filter(Box::new(input_ir), op, None, site),
        };
        (
            ir,
            output,
            Origin::new(format!("`| {name}`, which returns a {output}"), Some(span)),
        )
    }

    /// Puts positional and named arguments into parameter order (FM306 for arity and names).
    fn bind_args<'a>(
        &mut self,
        def: &FilterDef,
        args: &'a [Arg],
        name_span: Span,
        source: &ExprSource,
        call_span: LocalSpan,
    ) -> Option<Vec<Option<&'a Arg>>> {
        let name = def.name;
        let mut slots: Vec<Option<&Arg>> = vec![None; def.params.len()];
        let mut ok = true;
        let mut positional = 0;
        for arg in args {
            let arg_span = Self::span(source, arg.value.span);
            match &arg.name {
                None => {
                    if positional >= def.params.len() {
                        self.diagnostics.push(
                            Diagnostic::new(
                                Code::UnknownFunction,
                                format!(
                                    "`{name}` takes {}, but got {}",
                                    count_params(def),
                                    args.len()
                                ),
                                arg_span,
                            )
                            .with_label("extra argument")
                            .with_help(format!("remove it: {}", signature(def))),
                        );
                        ok = false;
                    } else {
                        slots[positional] = Some(arg);
                    }
                    positional += 1;
                }
                Some((param_name, param_span)) => {
                    let param_file_span = Self::span(source, *param_span);
                    match def.params.iter().position(|p| p.name == param_name) {
                        Some(index) if slots[index].is_none() => slots[index] = Some(arg),
                        Some(_) => {
                            self.diagnostics.push(
                                Diagnostic::new(
                                    Code::UnknownFunction,
                                    format!("argument `{param_name}` of `{name}` is given twice"),
                                    param_file_span,
                                )
                                .with_label("given again")
                                .with_help(format!("give each argument once: {}", signature(def))),
                            );
                            ok = false;
                        }
                        None => {
                            let mut d = Diagnostic::new(
                                Code::UnknownFunction,
                                format!("`{name}` has no argument `{param_name}`"),
                                param_file_span,
                            )
                            .with_label("unknown argument name");
                            d = match did_you_mean(param_name, def.params.iter().map(|p| p.name)) {
                                Some(best) => d.with_help(format!(
                                    "did you mean `{best}`? {}",
                                    signature(def)
                                )),
                                None => d.with_help(signature(def)),
                            };
                            self.diagnostics.push(d);
                            ok = false;
                        }
                    }
                }
            }
        }
        for (param, slot) in def.params.iter().zip(&slots) {
            if param.required && slot.is_none() {
                let at = if args.is_empty() {
                    name_span
                } else {
                    Self::span(source, call_span)
                };
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::UnknownFunction,
                        format!("`{name}` needs its `{}` argument", param.name),
                        at,
                    )
                    .with_label(format!("missing `{}`", param.name))
                    .with_help(format!(
                        "{}; {}",
                        signature(def),
                        example_help(def)
                    )),
                );
                ok = false;
            }
        }
        if !ok {
            for arg in args {
                self.lower(&arg.value, source);
            }
        }
        ok.then_some(slots)
    }
}

/// A constant argument: literals, lists and objects of literals, negative numbers.
fn constant(expr: &Expr) -> Option<Value> {
    Some(match &expr.kind {
        ExprKind::Null => Value::Null,
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::Number(n) => Value::Number(n.clone()),
        ExprKind::String(s) => Value::String(s.clone()),
        ExprKind::Array(items) => Value::Array(items.iter().map(constant).collect::<Option<_>>()?),
        ExprKind::Object(pairs) => Value::Object(
            pairs
                .iter()
                .map(|(k, v)| Some((k.clone(), constant(v)?)))
                .collect::<Option<_>>()?,
        ),
        ExprKind::Unary {
            op: UnaryOp::Neg,
            operand,
        } => match constant(operand)? {
            Value::Number(n) => match n.as_i64() {
                Some(i) => Value::from(i.checked_neg()?),
                None => serde_json::Number::from_f64(-n.as_f64()?).map(Value::Number)?,
            },
            _ => return None,
        },
        _ => return None,
    })
}

/// A list of constants folds into one constant.
fn fold_array(irs: Vec<Ir>) -> Ir {
    if irs.iter().all(|i| matches!(i, Ir::Const(_))) {
        let values = irs
            .into_iter()
            .map(|i| match i {
                Ir::Const(v) => v,
                _ => Value::Null,
            })
            .collect();
        Ir::Const(Value::Array(values))
    } else {
        Ir::Array(irs)
    }
}

fn article_list(types: &[Type]) -> String {
    let with_article: Vec<String> = types.iter().map(|t| t.with_article()).collect();
    match with_article.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, init)) => format!("{} or {last}", init.join(", ")),
    }
}

fn operand_help(op: &str, ty: Type) -> String {
    match (op, ty) {
        ("+", Type::String) => "use `++` to join text; `+` adds numbers".into(),
        (_, Type::String) if matches!(op, "-" | "*" | "/" | "%" | "+") => {
            "convert it with `| number`".into()
        }
        ("++", Type::Array) => "join the list first, e.g. `| join(\", \")`".into(),
        ("and" | "or" | "not" | "if", _) => {
            "compare it to make a condition, e.g. `x == \"yes\"`, or use `| yes_no == \"Yes\"`"
                .into()
        }
        _ => "convert the value first (`| number`, `| string`)".into(),
    }
}

fn filter_input_help(name: &str, ty: Type) -> String {
    match (name, ty) {
        (
            "lower" | "upper" | "trim" | "title" | "truncate" | "replace" | "matches" | "split"
            | "email",
            Type::Number | Type::Bool,
        ) => {
            format!("render it as text first: `| string | {name}`")
        }
        ("join", Type::String) => {
            "`join` takes a list; to build text from parts use `++`, or `| split(\",\")` first"
                .into()
        }
        ("number" | "int" | "round" | "clamp", Type::Bool) => {
            "a boolean is not a number; use `if x then 1 else 0`".into()
        }
        ("round" | "clamp", Type::String) => format!("convert it first: `| number | {name}`"),
        (_, Type::Array) => {
            "pick one element with `| first`, or join them with `| join(\", \")`".into()
        }
        _ => format!("`{name}` cannot take a {ty}"),
    }
}

fn count_params(def: &FilterDef) -> String {
    let required = def.params.iter().filter(|p| p.required).count();
    let total = def.params.len();
    match (required, total) {
        (0, 0) => "no arguments".into(),
        (0, t) => format!("at most {t} argument{}", crate::diagnostic::plural(t)),
        (r, t) if r == t => format!("{t} argument{}", crate::diagnostic::plural(t)),
        (r, t) => format!("{r} to {t} arguments"),
    }
}

/// "`truncate(n)`" / "`lower` takes no arguments", for help lines.
pub(crate) fn signature(def: &FilterDef) -> String {
    if def.params.is_empty() {
        format!("`{}` takes no arguments", def.name)
    } else {
        format!("`{}`", def.call())
    }
}

/// "for example `"Ünïcödé" | truncate(3)` gives `"Ünï"`", from the filter's own examples.
fn example_help(def: &FilterDef) -> String {
    match def.examples.first() {
        Some((expression, result)) => format!("for example `{expression}` gives `{result}`"),
        None => signature(def),
    }
}

fn example_arg(types: &[Type]) -> &'static str {
    match types.first() {
        Some(Type::Number) => concat!(crate::catalog::limits::text_chars!()),
        Some(Type::String) => "\", \"",
        Some(Type::Array) => "[\"a\", \"b\"]",
        _ => "\"value\"",
    }
}

fn sorted_keys<V>(map: &std::collections::HashMap<String, V>) -> String {
    let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys.join(", ")
}
