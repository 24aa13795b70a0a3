//! `flexmap build --emit js|esm`: a compiled `Program` as one dependency-free JavaScript
//! module with the Rust runtime's semantics.
//!
//! The module is generated from the program the Rust runtime runs (its `Ir`, coercion kinds and
//! site table), never from the YAML. `templates/runtime.js` holds the runtime shared by every
//! module (values, operators, conversions, filters, coercion, record parsing);
//! `templates/module.js.tera` lays out the header, the compiled rules and the entry points.
//! Each filter's JavaScript is named in `filters.rs`; regexes are translated from their HIR in
//! `regex.rs`. What JavaScript cannot reproduce exactly is a `Portability` finding (`FM6xx`),
//! and `build` refuses the ruleset.

pub mod filters;
pub mod regex;
pub mod twilio;

use std::fmt::Write as _;
use std::sync::Arc;

use serde_json::Value;

use crate::catalog::{Kind, Section, Target};
use crate::runtime::{Ir, OutSection, PathSegment, Program, RuntimeWarning, Site, WarningKind};
use crate::syntax::BinaryOp;

/// The runtime every generated module embeds.
pub const RUNTIME_JS: &str = include_str!("../../templates/runtime.js");
/// The module layout.
pub const MODULE_TEMPLATE: &str = include_str!("../../templates/module.js.tera");

/// Module flavour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// `CommonJS` (`require`), for Node 20–24 and Twilio Functions.
    CommonJs,
    /// An ES module, for Flex plugins, bundlers and browsers.
    Esm,
}

/// Something the JavaScript platform cannot reproduce exactly, at a site of the program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Portability {
    /// The site (its file position) of the filter or rule.
    pub site: u32,
    /// `FM601` or `FM602`.
    pub code: &'static str,
    /// What is not portable.
    pub message: String,
    /// The concrete fix.
    pub help: String,
}

/// What the header names.
#[derive(Clone, Debug)]
pub struct Header {
    /// The ruleset's file name.
    pub ruleset: String,
    /// SHA-256 of the rule file's text.
    pub content_hash: String,
    /// The flexmap version that generated it.
    pub version: String,
}

/// The generated pieces the template lays out.
#[derive(serde::Serialize)]
struct ModuleContext {
    header: String,
    esm: bool,
    runtime: &'static str,
    limits: Limits,
    name: String,
    target: &'static str,
    sites: String,
    kinds: String,
    record_kinds: String,
    max_value_bytes: usize,
    max_record_bytes: usize,
    element_cost: usize,
    constants: Vec<String>,
    rules: Vec<RuleCode>,
    output: OutputCode,
    reads: ReadsCode,
    path_vars: String,
    loads: String,
}

/// How `runRules` writes the values (see `RuleRun`, `objects_fit`).
#[derive(serde::Serialize)]
struct OutputCode {
    objects: bool,
    literals: [String; 3],
    run_rules: String,
}

/// What `parseLine` needs to know of the paths the rules read (see `Reads`).
#[derive(serde::Serialize)]
struct ReadsCode {
    keys: String,
    index: bool,
    wholes: String,
    by_key: bool,
    exact: String,
}

/// The catalog's limits, so the JavaScript runtime holds no copy of them.
#[derive(serde::Serialize)]
struct Limits {
    text_chars: usize,
    payload_chars: usize,
    date_min_ms: i64,
    date_max_ms: i64,
}

#[derive(serde::Serialize)]
struct RuleCode {
    comment: String,
    value: String,
    when: Option<String>,
}

/// Checks that every regex and date format of `program` has an exact JavaScript equivalent.
pub fn portability(program: &Program) -> Vec<Portability> {
    let mut found = Vec::new();
    for rule in &program.rules {
        visit(&rule.value, &mut |ir| filters::check(ir, &mut found));
        if let Some(when) = &rule.when {
            visit(when, &mut |ir| filters::check(ir, &mut found));
        }
    }
    found
}

fn visit(ir: &Ir, f: &mut dyn FnMut(&Ir)) {
    f(ir);
    match ir {
        Ir::Const(_) | Ir::Path(_) => {}
        Ir::Access(base, _) | Ir::Neg(base, _) | Ir::Not(base, _) => visit(base, f),
        Ir::Array(items) => items.iter().for_each(|i| visit(i, f)),
        Ir::Object(pairs) => pairs.iter().for_each(|(_, i)| visit(i, f)),
        Ir::Binary(_, a, b, _) => {
            visit(a, f);
            visit(b, f);
        }
        Ir::If(a, b, c, _) => {
            visit(a, f);
            visit(b, f);
            visit(c, f);
        }
        Ir::Filter(input, _, argument, _) => {
            visit(input, f);
            if let Some(argument) = argument {
                visit(argument, f);
            }
        }
    }
}

/// Generates the module.
///
/// # Errors
/// The portability findings when some rule cannot be reproduced exactly; or a template error
/// (a bug, covered by tests) as a single finding with `site` 0 and an empty code.
pub fn module(
    program: &Program,
    flavor: Flavor,
    header: &Header,
) -> Result<String, Vec<Portability>> {
    let problems = portability(program);
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut code = Gen::default();
    let mut rules = Vec::new();
    let objects = objects_fit(program);
    let mut run_rules = String::new();
    for (index, rule) in program.rules.iter().enumerate() {
        let site = program.sites.get(rule.site as usize);
        // A comment line: a key may hold a line break, which would end it (and make the rest
        // of the key code).
        let comment = site.map_or_else(String::new, |s| {
            one_line(&format!("{}:{}:{} {}", s.file, s.line, s.column, s.target))
        });
        code.rule_site = rule.site;
        let value = code.function(&format!("v{index}"), &rule.value);
        let when = rule
            .when
            .as_ref()
            .map(|w| code.function(&format!("c{index}"), w));
        let section = match rule.section {
            OutSection::Insights(Section::Conversations) => 0,
            OutSection::Insights(Section::Customers) => 1,
            OutSection::Insights(Section::Worker) | OutSection::Extra => 2,
        };
        let values: Vec<String> = rule.values.iter().map(|v| js_string(v)).collect();
        let _ = write!(
            run_rules,
            "{}",
            RuleRun {
                index,
                comment: &comment,
                section,
                name: &rule.name,
                kind: rule.kind,
                values: if values.is_empty() {
                    "NONE".into()
                } else {
                    code.hoist(format!("[{}]", values.join(", ")))
                },
                site: rule.site,
                when: when.is_some(),
                whole: read_whole(&rule.value),
            }
        );
        rules.push(RuleCode {
            comment,
            value,
            when,
        });
    }
    let sites: Vec<String> = program
        .sites
        .iter()
        .map(|s| {
            format!(
                "[{}, {}, {}, {}, {}]",
                js_string(&s.file),
                s.line,
                s.column,
                js_string(&s.target),
                js_string(&s.what)
            )
        })
        .collect();
    let (kinds, record_kinds) = kind_texts(program);
    let reads = Reads::of(program);
    let loads = code.loads();
    let path_vars = (0..code.paths.len())
        .map(|i| format!("P{i} = null"))
        .collect::<Vec<_>>()
        .join(", ");
    let exact = reads.exact(&code.paths);
    let context = ModuleContext {
        header: header_comment(header),
        esm: flavor == Flavor::Esm,
        runtime: RUNTIME_JS,
        limits: Limits {
            text_chars: crate::catalog::TEXT_CHARS,
            payload_chars: crate::catalog::PAYLOAD_CHARS,
            date_min_ms: crate::catalog::DATE_MIN_MS,
            date_max_ms: crate::catalog::DATE_MAX_MS,
        },
        name: js_string(program.name()),
        target: match program.target() {
            Target::Task => "task",
            Target::Worker => "worker",
        },
        sites: format!("[\n  {}\n]", sites.join(",\n  ")),
        kinds,
        record_kinds,
        max_value_bytes: crate::runtime::cost::MAX_VALUE_BYTES,
        max_record_bytes: crate::runtime::cost::MAX_RECORD_BYTES,
        element_cost: crate::runtime::cost::ELEMENT_COST,
        constants: code.constants,
        rules,
        output: OutputCode {
            objects,
            literals: object_literals(program),
            run_rules,
        },
        path_vars,
        loads,
        reads: ReadsCode {
            keys: reads.keys(),
            index: reads.index,
            wholes: reads.wholes(),
            by_key: reads.by_key(),
            exact,
        },
    };
    render(&context).map_err(|message| {
        vec![Portability {
            site: 0,
            code: "",
            message,
            help: String::new(),
        }]
    })
}

#[cfg(feature = "cli")]
fn render(context: &ModuleContext) -> Result<String, String> {
    let mut tera = tera::Tera::new();
    tera.add_raw_template("module.js", MODULE_TEMPLATE)
        .map_err(|e| e.to_string())?;
    let ctx = tera::Context::from_serialize(context).map_err(|e| e.to_string())?;
    tera.render("module.js", &ctx).map_err(|e| format!("{e:?}"))
}

#[cfg(not(feature = "cli"))]
fn render(_: &ModuleContext) -> Result<String, String> {
    Err("JavaScript generation needs the `cli` feature (tera)".into())
}

pub(crate) fn header_comment(header: &Header) -> String {
    format!(
        "// Generated by flexmap {} from {} (sha256 {}). Do not edit: change the rules and run\n// `flexmap build {} --emit …` again.",
        header.version,
        one_line(&header.ruleset),
        header.content_hash,
        one_line(&header.ruleset)
    )
}

/// `text` for a `//` comment: no control character and no JavaScript line terminator
/// (U+2028, U+2029 end a comment as a line feed does).
pub(crate) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

fn kind_code(kind: Kind) -> &'static str {
    match kind {
        Kind::Text | Kind::Label | Kind::Id | Kind::Hierarchy => "text",
        Kind::Enum => "enum",
        Kind::YesNo => "yes_no",
        Kind::Measure | Kind::Duration => "measure",
        Kind::Date => "date",
        Kind::Url => "url",
        Kind::List => "list",
    }
}

/// The wording of each warning kind, from `Program::describe` itself: `[before, after]` the
/// site's `what`, and the record-level texts.
fn kind_texts(program: &Program) -> (String, String) {
    let marker = "\u{0}";
    let probe = Program {
        name: Arc::from(""),
        target: program.target,
        rules: Vec::new(),
        sites: vec![Site {
            file: Arc::from("F"),
            line: 1,
            column: 1,
            target: Arc::from("T"),
            what: Arc::from(marker),
        }],
    };
    let mut kinds = Vec::new();
    let mut record = Vec::new();
    for kind in WarningKind::ALL {
        let text = probe.describe(&RuntimeWarning {
            kind: *kind,
            site: Some(0),
        });
        let text = text.strip_prefix("F:1:1: T: ").unwrap_or(&text);
        let (before, after) = match text.split_once(marker) {
            Some((before, after)) => (before, js_string(after)),
            None => (text, "null".to_string()),
        };
        kinds.push(format!(
            "[{}, {}, {after}]",
            js_string(kind.name()),
            js_string(before),
        ));
        let whole = probe.describe(&RuntimeWarning {
            kind: *kind,
            site: None,
        });
        record.push(js_string(whole.strip_prefix(": ").unwrap_or(&whole)));
    }
    (
        format!("[{}]", kinds.join(", ")),
        format!("[{}]", record.join(", ")),
    )
}

/// A JavaScript string literal (JSON's escapes are valid JavaScript).
pub(crate) fn js_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// A JSON value as a JavaScript value of the runtime's model.
pub(crate) fn js_value(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => js_string(s),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                if i.unsigned_abs() <= 1 << 53 {
                    i.to_string()
                } else {
                    format!("{i}n")
                }
            } else if let Some(u) = n.as_u64() {
                format!("{u}n")
            } else {
                let f = n.as_f64().unwrap_or(0.0);
                if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 {
                    format!("new Flt({f:?})")
                } else {
                    format!("{f:?}")
                }
            }
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(js_value).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let pairs: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}, {}", js_string(k), js_value(v)))
                .collect();
            format!("objAll([{}])", pairs.join(", "))
        }
    }
}

/// One rule's step in `runRules`: its condition, value, coercion, warning, copy charge, and
/// where the value goes (`lists` for `apply`'s object, `merge`, and rulesets whose values do
/// not fit objects of a fixed shape; else the section objects).
struct RuleRun<'a> {
    index: usize,
    comment: &'a str,
    section: u8,
    name: &'a str,
    kind: Option<Kind>,
    values: String,
    site: u32,
    when: bool,
    whole: bool,
}

impl std::fmt::Display for RuleRun<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let RuleRun {
            index: i,
            section,
            site,
            ..
        } = *self;
        let indent = if self.when { "    " } else { "  " };
        writeln!(f, "  // {}", self.comment)?;
        if self.when {
            writeln!(f, "  if (c{i}(r, w) === true) {{")?;
        }
        let kind = self
            .kind
            .map_or_else(|| "null".to_string(), |k| js_string(kind_code(k)));
        writeln!(f, "{indent}v = v{i}(r, w);")?;
        if self.kind.is_some_and(|k| kind_code(k) == "text") {
            writeln!(f, "{indent}c = coerceText(v);")?;
        } else {
            writeln!(f, "{indent}c = coerce({kind}, {}, v);", self.values)?;
        }
        writeln!(f, "{indent}if (CW >= 0) w.push(CW, {site});")?;
        writeln!(f, "{indent}if (c !== undefined) {{")?;
        if self.whole {
            // A value written as read is copied into the attributes.
            writeln!(
                f,
                "{indent}  if (c === v && !CANON) charge(costOf(v), {site}, w);"
            )?;
        }
        // Text kinds always give a string.
        let text = self
            .kind
            .is_some_and(|k| matches!(kind_code(k), "text" | "enum" | "yes_no" | "url"));
        writeln!(
            f,
            "{indent}  if (lists !== null) put(lists[{section}], {}, c);",
            js_string(self.name)
        )?;
        {
            let object = ["S0", "S1", "ROOT"][usize::from(section.min(2))];
            write!(
                f,
                "{indent}  else {{\n{indent}    {object}[{}] = c;",
                js_string(self.name)
            )?;
            if section < 2 {
                write!(f, "\n{indent}    N{section}++;")?;
            }
            if !text {
                write!(
                    f,
                    "\n{indent}    if (PLAIN && !plainJson(c)) PLAIN = false;"
                )?;
            }
            writeln!(f, "\n{indent}  }}")?;
        }
        writeln!(f, "{indent}}}")?;
        if self.when {
            writeln!(f, "  }}")?;
        }
        Ok(())
    }
}

/// Whether each record's values can go into objects of a fixed shape (`fresh` in the
/// module: every key of a section, in rule order, at first undefined), written by
/// `JSON.stringify` in that order: every key is written by one rule, and none is one that
/// JavaScript objects order or treat apart (an array index, `__proto__`, `toJSON`) or a root
/// key that is also a section's name.
fn objects_fit(program: &Program) -> bool {
    let special = |key: &str| {
        key == "__proto__"
            || key == "toJSON"
            || (!key.is_empty()
                && key.bytes().all(|b| b.is_ascii_digit())
                && (key == "0" || !key.starts_with('0'))
                && key.parse::<u64>().is_ok_and(|n| n < u64::from(u32::MAX)))
    };
    unique_keys(program)
        && program.rules.iter().all(|rule| {
            let section_name = matches!(rule.section, OutSection::Extra)
                && matches!(rule.name.as_ref(), "conversations" | "customers");
            !special(&rule.name) && !section_name
        })
}

/// The object literals `fresh` builds for each record: the conversations and customers
/// sections and the root (their keys, then the other sections' keys), every key undefined.
fn object_literals(program: &Program) -> [String; 3] {
    let mut keys: [Vec<String>; 3] = Default::default();
    for rule in &program.rules {
        let section = match rule.section {
            OutSection::Insights(Section::Conversations) => 0,
            OutSection::Insights(Section::Customers) => 1,
            OutSection::Insights(Section::Worker) | OutSection::Extra => 2,
        };
        keys[section].push(format!("{}: undefined", js_string(&rule.name)));
    }
    let mut root = Vec::new();
    if program.target() == Target::Task {
        root.push("conversations: undefined".to_string());
        root.push("customers: undefined".to_string());
    }
    root.append(&mut keys[2]);
    [
        format!("{{ {} }}", keys[0].join(", ")),
        format!("{{ {} }}", keys[1].join(", ")),
        format!("{{ {} }}", root.join(", ")),
    ]
}

/// Whether no two rules write the same key of one output section.
fn unique_keys(program: &Program) -> bool {
    let mut seen = std::collections::HashSet::new();
    program.rules.iter().all(|rule| {
        let section = match rule.section {
            OutSection::Insights(Section::Conversations) => 0,
            OutSection::Insights(Section::Customers) => 1,
            OutSection::Insights(Section::Worker) | OutSection::Extra => 2,
        };
        seen.insert((section, rule.name.clone()))
    })
}

/// The record paths the rules and conditions read. A line of NDJSON holding a number token
/// `JSON.parse` cannot keep exact (`5.0`, an integer beyond 2^53) only needs the module's exact
/// reader when that token can reach one of them (`parseLine` in `templates/runtime.js`).
struct Reads {
    paths: Vec<Vec<PathSegment>>,
    index: bool,
}

impl Reads {
    fn of(program: &Program) -> Self {
        let mut reads = Reads {
            paths: Vec::new(),
            index: false,
        };
        for rule in &program.rules {
            reads.visit(&rule.value);
            if let Some(when) = &rule.when {
                reads.visit(when);
            }
        }
        reads.index = reads
            .paths
            .iter()
            .flatten()
            .any(|s| matches!(s, PathSegment::Index(_)));
        reads
    }

    fn visit(&mut self, ir: &Ir) {
        if let Some(path) = record_path(ir) {
            if !self.paths.contains(&path) {
                self.paths.push(path);
            }
            return;
        }
        match ir {
            Ir::Const(_) | Ir::Path(_) => {}
            Ir::Access(base, _) | Ir::Neg(base, _) | Ir::Not(base, _) => self.visit(base),
            Ir::Array(items) => items.iter().for_each(|i| self.visit(i)),
            Ir::Object(pairs) => pairs.iter().for_each(|(_, i)| self.visit(i)),
            Ir::Binary(_, a, b, _) => {
                self.visit(a);
                self.visit(b);
            }
            Ir::If(a, b, c, _) => {
                self.visit(a);
                self.visit(b);
                self.visit(c);
            }
            Ir::Filter(input, _, argument, _) => {
                self.visit(input);
                if let Some(argument) = argument {
                    self.visit(argument);
                }
            }
        }
    }

    /// `new Set([...])` of the last key of every path, or `null` when a path reads the
    /// record itself or ends in an index (then no key names what it reads).
    fn keys(&self) -> String {
        let mut keys = Vec::new();
        for path in &self.paths {
            match path.last() {
                Some(PathSegment::Key(key)) => {
                    let key = js_string(key);
                    if !keys.contains(&key) {
                        keys.push(key);
                    }
                }
                Some(PathSegment::Index(_)) => {}
                None => return "null".into(),
            }
        }
        format!("new Set([{}])", keys.join(", "))
    }

    /// Whether every path ends in a key that a line can only spell as itself or with a `\u`
    /// escape (no `"`, `\\`, `/` or control character), so `readsExact` can find its tokens.
    fn by_key(&self) -> bool {
        !self.index
            && self.paths.iter().all(|p| match p.last() {
                Some(PathSegment::Key(key)) => !key
                    .chars()
                    .any(|c| matches!(c, '"' | '\\' | '/') || c.is_control()),
                _ => false,
            })
    }

    /// The statements of `readsExact(r, text)`: false when a value a path reads may not be
    /// what `serde_json` reads (an integral number whose token is not a plain integer, or a
    /// number inside a value read whole).
    fn exact(&self, loaded: &[Vec<PathSegment>]) -> String {
        let mut code = String::new();
        for p in &self.paths {
            let Some(PathSegment::Key(key)) = p.last() else {
                continue;
            };
            let read = loaded
                .iter()
                .position(|q| q == p)
                .map_or_else(|| path("r", p), |i| format!("P{i}"));
            let _ = write!(
                code,
                "if ((x = {read}) !== null && (typeof x === 'object' ? holdsNumber(x) : typeof x === 'number' && !exactUnder(text, {}, x))) return false;\n  ",
                js_string(&format!("\"{key}\""))
            );
        }
        code
    }

    /// A JavaScript expression: whether a value some path reads holds a number inside it.
    fn wholes(&self) -> String {
        if self.paths.is_empty() {
            return "false".into();
        }
        let reads: Vec<String> = self
            .paths
            .iter()
            .map(|p| format!("holdsNumber({})", path("r", p)))
            .collect();
        reads.join(" ||\n    ")
    }
}

/// The record path `ir` reads, when it is one (`a.b`, or an access on one).
fn record_path(ir: &Ir) -> Option<Vec<PathSegment>> {
    match ir {
        Ir::Path(segments) => Some(segments.to_vec()),
        Ir::Access(base, segments) => {
            let mut path = record_path(base)?;
            path.extend(segments.iter().cloned());
            Some(path)
        }
        _ => None,
    }
}

/// Whether `ir` always gives a value read whole from the record or the rules (a path, a
/// constant, a choice between such): writing it or putting it in a literal is a copy, which
/// the Rust runtime charges (`runtime::cost`). A filter's result counts as built, also when it
/// gives its input back unchanged (a difference `docs/javascript.md` names).
fn read_whole(ir: &Ir) -> bool {
    match ir {
        Ir::Const(_) | Ir::Path(_) => true,
        Ir::Access(base, _) => read_whole(base),
        Ir::Binary(BinaryOp::Coalesce, left, right, _) => read_whole(left) && read_whole(right),
        Ir::If(_, then, otherwise, _) => read_whole(then) && read_whole(otherwise),
        Ir::Filter(input, crate::runtime::FilterOp::Default, argument, _) => {
            read_whole(input) && argument.as_deref().is_none_or(read_whole)
        }
        _ => false,
    }
}

/// How a filter's result is charged against the cost caps (`runtime::cost`).
fn charging(op: &crate::runtime::FilterOp) -> &'static str {
    use crate::runtime::FilterOp;
    match op {
        // Numbers and booleans cost nothing.
        FilterOp::Matches(_)
        | FilterOp::Len
        | FilterOp::Number
        | FilterOp::Int
        | FilterOp::Round(_)
        | FilterOp::Clamp(..)
        | FilterOp::Seconds(_)
        | FilterOp::In(_)
        | FilterOp::Default => "fl",
        // The input back when nothing changes.
        FilterOp::Trim | FilterOp::String | FilterOp::Truncate(_) => "fu",
        FilterOp::Replace(..) => "fr",
        _ => "fc",
    }
}

/// Code generation state: hoisted constants and the temporaries of the current function.
#[derive(Default)]
struct Gen {
    constants: Vec<String>,
    /// Every record path the rules read, with its prefixes: each is read once per record
    /// into `P{index}` (`load`), parents before children.
    paths: Vec<Vec<PathSegment>>,
    temps: usize,
    /// The site of the rule being generated (where a literal's overflow is reported).
    rule_site: u32,
}

impl Gen {
    fn function(&mut self, name: &str, ir: &Ir) -> String {
        self.temps = 0;
        let body = self.expr(ir);
        let temps: Vec<String> = (0..self.temps).map(|i| format!("t{i}")).collect();
        let declare = if temps.is_empty() {
            String::new()
        } else {
            format!("let {};\n  ", temps.join(", "))
        };
        format!("function {name}(r, w) {{\n  {declare}return {body};\n}}")
    }

    fn temp(&mut self) -> String {
        self.temps += 1;
        format!("t{}", self.temps - 1)
    }

    /// A constant, hoisted when it is an array or object (built once, never mutated).
    fn constant(&mut self, value: &Value) -> String {
        match value {
            Value::Array(_) | Value::Object(_) => self.hoist(js_value(value)),
            _ => js_value(value),
        }
    }

    /// A module constant holding `expression`; returns its name.
    #[allow(clippy::needless_pass_by_value)]
    fn hoist(&mut self, expression: String) -> String {
        let name = format!("K{}", self.constants.len());
        self.constants.push(format!("const {name} = {expression};"));
        name
    }

    /// The variable `load` reads `segments` of the record into (`r` for the record itself).
    fn path_var(&mut self, segments: &[PathSegment]) -> String {
        let mut name = "r".to_string();
        for end in 1..=segments.len() {
            let prefix = &segments[..end];
            let index = match self.paths.iter().position(|p| p.as_slice() == prefix) {
                Some(index) => index,
                None => {
                    self.paths.push(prefix.to_vec());
                    self.paths.len() - 1
                }
            };
            name = format!("P{index}");
        }
        name
    }

    /// The body of `load(r)`: every path, each from its parent's variable.
    fn loads(&self) -> String {
        let mut code = String::new();
        for (index, p) in self.paths.iter().enumerate() {
            let parent = self
                .paths
                .iter()
                .position(|q| q.as_slice() == &p[..p.len() - 1])
                .map_or_else(|| "r".to_string(), |i| format!("P{i}"));
            let _ = write!(
                code,
                "\n  P{index} = {}; // {}",
                path(&parent, &p[p.len() - 1..]),
                one_line(&dotted(p))
            );
        }
        code
    }

    fn expr(&mut self, ir: &Ir) -> String {
        if let Some(p) = record_path(ir) {
            return self.path_var(&p);
        }
        match ir {
            Ir::Const(value) => self.constant(value),
            Ir::Path(segments) => path("r", segments),
            Ir::Access(base, segments) => {
                let base = self.expr(base);
                path(&base, segments)
            }
            // Element by element, charged as each is added (`runtime::eval::literal_part`).
            Ir::Array(items) => {
                let s = self.temp();
                let site = self.rule_site;
                let mut code = format!("({s} = {{ v: [], t: 0 }}");
                for item in items {
                    let value = self.expr(item);
                    let _ = write!(
                        code,
                        ", litA({s}, {value}, {}, {site}, w)",
                        read_whole(item)
                    );
                }
                let _ = write!(code, ", {s}.v)");
                code
            }
            Ir::Object(pairs) => {
                let s = self.temp();
                let site = self.rule_site;
                let mut code = format!("({s} = {{ v: {{}}, t: 0 }}");
                for (key, item) in pairs {
                    let value = self.expr(item);
                    let _ = write!(
                        code,
                        ", litO({s}, {}, {}, {value}, {}, {site}, w)",
                        js_string(key),
                        key.len(),
                        read_whole(item)
                    );
                }
                let _ = write!(code, ", {s}.v)");
                code
            }
            Ir::Neg(operand, site) => format!("neg({}, {site}, w)", self.expr(operand)),
            Ir::Not(operand, site) => format!("not({}, {site}, w)", self.expr(operand)),
            Ir::If(condition, then, otherwise, site) => {
                let t = self.temp();
                let c = self.expr(condition);
                let a = self.expr(then);
                let b = self.expr(otherwise);
                format!(
                    "(({t} = cond({c}, {site}, w)) === true ? {a} : {t} === false ? {b} : null)"
                )
            }
            Ir::Binary(op, left, right, site) => self.binary(*op, left, right, *site),
            Ir::Filter(input, op, argument, site) => {
                let t = self.temp();
                let value = self.expr(input);
                if let crate::runtime::FilterOp::Default = op {
                    // A lookup miss the argument takes over is handled: not a warning.
                    return match argument {
                        Some(argument) => {
                            let m = self.temp();
                            let a = self.expr(argument);
                            format!(
                                "(({m} = w.length), ({t} = {value}) === null || {t} === '' ? (forgive(w, {m}), {a}) : {t})"
                            )
                        }
                        None => value,
                    };
                }
                let call = filters::call(op, &t, &mut |e| self.hoist(e));
                let wrap = charging(op);
                let input = if wrap == "fu" {
                    format!("{t}, ")
                } else {
                    String::new()
                };
                if matches!(op, crate::runtime::FilterOp::Len) {
                    format!("(({t} = {value}), fl({call}, {site}, w))")
                } else {
                    format!("(({t} = {value}) === null ? null : {wrap}({call}, {input}{site}, w))")
                }
            }
        }
    }

    fn binary(&mut self, op: BinaryOp, left: &Ir, right: &Ir, site: u32) -> String {
        let l = self.expr(left);
        let r = self.expr(right);
        match op {
            BinaryOp::Coalesce => {
                // A lookup miss the right side takes over is handled: not a warning.
                let t = self.temp();
                let m = self.temp();
                format!("(({m} = w.length), ({t} = {l}) !== null ? {t} : (forgive(w, {m}), {r}))")
            }
            BinaryOp::And => {
                let t = self.temp();
                format!(
                    "(({t} = truth({l}, {site}, w)) === false ? false : and2({t}, truth({r}, {site}, w)))"
                )
            }
            BinaryOp::Or => {
                let t = self.temp();
                format!(
                    "(({t} = truth({l}, {site}, w)) === true ? true : or2({t}, truth({r}, {site}, w)))"
                )
            }
            BinaryOp::Eq => format!("eq({l}, {r})"),
            BinaryOp::Ne => format!("!eq({l}, {r})"),
            BinaryOp::Lt => format!("lt({l}, {r}, {site}, w)"),
            BinaryOp::Le => format!("le({l}, {r}, {site}, w)"),
            BinaryOp::Gt => format!("gt({l}, {r}, {site}, w)"),
            BinaryOp::Ge => format!("ge({l}, {r}, {site}, w)"),
            BinaryOp::Concat => format!("concat({l}, {r}, {site}, w)"),
            BinaryOp::Add => format!("arith(ADD, {l}, {r}, {site}, w)"),
            BinaryOp::Sub => format!("arith(SUB, {l}, {r}, {site}, w)"),
            BinaryOp::Mul => format!("arith(MUL, {l}, {r}, {site}, w)"),
            BinaryOp::Div => format!("arith(DIV, {l}, {r}, {site}, w)"),
            BinaryOp::Rem => format!("arith(REM, {l}, {r}, {site}, w)"),
        }
    }
}

/// `crm.account.tier`, `list[0]`: a path as the rules write it, for comments.
fn dotted(segments: &[PathSegment]) -> String {
    let mut out = String::new();
    for segment in segments {
        match segment {
            PathSegment::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            PathSegment::Index(index) => {
                let _ = write!(out, "[{index}]");
            }
        }
    }
    out
}

fn path(base: &str, segments: &[PathSegment]) -> String {
    let mut out = base.to_string();
    for segment in segments {
        out = match segment {
            PathSegment::Key(key) => format!("g({out}, {})", js_string(key)),
            PathSegment::Index(index) => format!("gi({out}, {index})"),
        };
    }
    out
}
