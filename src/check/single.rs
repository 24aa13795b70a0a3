//! One expression on its own (`flexmap eval`): checked with the tables and inputs of a rule
//! file when one is given, with the same diagnostics lint gives, pointing into the expression.

use std::collections::HashSet;
use std::sync::Arc;

use super::Checker;
use crate::catalog::Target;
use crate::diagnostic::Diagnostic;
use crate::rules_file::scalar::OffsetMap;
use crate::rules_file::{ExprSource, RuleFile};
use crate::runtime::{Ir, Program};
use crate::source::{SourceFile, Span};
use crate::types::Type;

/// A checked expression: its program (the site table its warnings point into), its lowered
/// form and its static type.
#[derive(Clone, Debug)]
pub struct CheckedExpr {
    /// A program without rules: the expression's sites (filters, operators) for
    /// `Program::describe`, and its tables.
    pub program: Program,
    /// The lowered expression (`Program::evaluate` runs it).
    pub ir: Ir,
    /// Its static type.
    pub ty: Type,
}

/// Checks `expr` (the whole text of its source file is the expression) with the inputs and
/// tables of `rules` when given. Returns the checked expression when it has no error, and
/// every diagnostic: spans point into `expr`, except labels on `rules`' declarations, which
/// carry that file.
#[must_use]
pub fn check_expression(
    expr: &SourceFile,
    rules: Option<&RuleFile>,
) -> (Option<CheckedExpr>, Vec<Diagnostic>) {
    let mut file = rules
        .cloned()
        .unwrap_or_else(|| RuleFile::empty(expr.clone(), Some(Target::Task)));
    // Sites (runtime warnings) point into the expression.
    file.source = expr.clone();
    let target = file.target.unwrap_or(Target::Task);
    let mut checker = Checker::new(&file, target);
    checker.current_target = Arc::from("eval");
    let text = expr.text().to_string();
    let source = ExprSource {
        map: OffsetMap::identity(&text, 0),
        span: Span::new(0, text.len()),
        text,
    };
    let lowered = checker.expression(&source);
    let errors = checker.diagnostics.iter().any(Diagnostic::is_error);
    let Checker {
        diagnostics, sites, ..
    } = checker;
    let declarations: HashSet<Span> = rules
        .map(|r| {
            r.inputs
                .iter()
                .map(|i| i.span)
                .chain(r.inputs.iter().filter_map(|i| i.ty.map(|t| t.1)))
                .chain(r.tables.iter().map(|t| t.span))
                .collect()
        })
        .unwrap_or_default();
    let diagnostics = diagnostics
        .into_iter()
        .map(|mut d| {
            if let Some(rules) = rules {
                for label in &mut d.labels {
                    if !label.primary
                        && label.source.is_none()
                        && declarations.contains(&label.span)
                    {
                        label.source = Some(rules.source.clone());
                    }
                }
            }
            d.in_source(expr)
        })
        .collect();
    let result = match lowered {
        Some(((ir, ty, _), _)) if !errors => Some(CheckedExpr {
            program: Program {
                name: Arc::from(expr.name()),
                target,
                rules: Vec::new(),
                sites,
            },
            ir,
            ty,
        }),
        _ => None,
    };
    (result, diagnostics)
}
