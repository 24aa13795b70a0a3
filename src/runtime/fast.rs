//! The streaming fast path of `flexmap apply`: parse only what the rules read, write the
//! attributes straight into the output buffer.
//!
//! `FastPath::parse` builds a pruned `Value` that keeps only the record paths the program's
//! rules use (computed once from the `Ir`), and skips everything else without allocating. It
//! still runs `serde_json`'s full parser over every byte, so a line is valid for it exactly when
//! `serde_json::from_str::<Value>` accepts it, with the same error. `FastPath::apply_json`
//! evaluates the same rule loop as `Program::apply` and writes the bytes that
//! `Attributes::write_json` would write, without building `Attributes`.
//!
//! Invariant (tested by `tests/it/properties.rs`): for any text, `parse` + `apply_json` gives the
//! same error, output bytes and warnings as `serde_json::from_str` + `Program::apply` +
//! `Attributes::write_json`.

use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, Error, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{Ir, OutSection, PathSegment, Program, RuntimeWarning};
use crate::catalog::{Section, Target};

/// The record paths a program reads, as a tree.
#[derive(Debug, Default)]
struct Node {
    /// A rule reads the value here as a whole: keep all of it.
    whole: bool,
    /// Object keys read below this node.
    keys: Vec<(Box<str>, Node)>,
    /// Array elements read below this node (any index: the union of every index's paths).
    items: Option<Box<Node>>,
}

impl Node {
    fn insert(&mut self, segments: &[PathSegment]) {
        let Some((first, rest)) = segments.split_first() else {
            self.whole = true;
            return;
        };
        let child = match first {
            PathSegment::Key(key) => {
                let at = match self.keys.iter().position(|(k, _)| k == key) {
                    Some(at) => at,
                    None => {
                        self.keys.push((key.clone(), Node::default()));
                        self.keys.len() - 1
                    }
                };
                &mut self.keys[at].1
            }
            PathSegment::Index(_) => self.items.get_or_insert_with(Box::default),
        };
        child.insert(rest);
    }

    fn collect(&mut self, ir: &Ir) {
        match ir {
            Ir::Const(_) => {}
            Ir::Path(segments) => self.insert(segments),
            Ir::Access(base, _) | Ir::Neg(base, _) | Ir::Not(base, _) => self.collect(base),
            Ir::Array(items) => items.iter().for_each(|i| self.collect(i)),
            Ir::Object(pairs) => pairs.iter().for_each(|(_, i)| self.collect(i)),
            Ir::Binary(_, left, right, _) => {
                self.collect(left);
                self.collect(right);
            }
            Ir::If(condition, then, otherwise, _) => {
                self.collect(condition);
                self.collect(then);
                self.collect(otherwise);
            }
            Ir::Filter(input, _, argument, _) => {
                self.collect(input);
                if let Some(argument) = argument {
                    self.collect(argument);
                }
            }
        }
    }
}

/// Which object of the output a rule's key lands in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bucket {
    Conversations,
    Customers,
    Root,
}

fn bucket(section: OutSection) -> Bucket {
    match section {
        OutSection::Insights(Section::Conversations) => Bucket::Conversations,
        OutSection::Insights(Section::Customers) => Bucket::Customers,
        OutSection::Insights(Section::Worker) | OutSection::Extra => Bucket::Root,
    }
}

/// A program prepared for streaming: the paths its rules read, and each rule's output key.
#[derive(Debug)]
pub struct FastPath<'p> {
    program: &'p Program,
    root: Node,
    /// Each rule's key as JSON (`"name":`), or `None` when two rules write the same key (then
    /// `apply_json` goes through `Attributes`, which keeps the first position and last value).
    keys: Option<Vec<Box<[u8]>>>,
}

impl<'p> FastPath<'p> {
    /// Prepares `program`.
    #[must_use]
    pub fn new(program: &'p Program) -> FastPath<'p> {
        let mut root = Node::default();
        for rule in &program.rules {
            root.collect(&rule.value);
            if let Some(when) = &rule.when {
                root.collect(when);
            }
        }
        let mut seen: Vec<(Bucket, &str)> = Vec::with_capacity(program.rules.len());
        let mut keys = Some(Vec::with_capacity(program.rules.len()));
        for rule in &program.rules {
            let key = (bucket(rule.section), rule.name.as_ref());
            if seen.contains(&key) {
                keys = None;
                break;
            }
            seen.push(key);
            if let Some(keys) = &mut keys {
                let mut json = serde_json::to_vec(rule.name.as_ref()).unwrap_or_default();
                json.push(b':');
                keys.push(json.into_boxed_slice());
            }
        }
        FastPath {
            program,
            root,
            keys,
        }
    }

    /// The program.
    #[must_use]
    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// Parses one record, keeping only what the rules read. Fails exactly when
    /// `serde_json::from_str::<Value>(text)` fails, with the same error. A record that is not
    /// an object stays a non-object (its content is not kept).
    ///
    /// # Errors
    ///
    /// The `serde_json` error for malformed JSON.
    pub fn parse(&self, text: &str) -> Result<Value, serde_json::Error> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let value = Pruned(&self.root).deserialize(&mut deserializer)?;
        deserializer.end()?;
        Ok(value)
    }

    /// Maps one (parsed) record and appends its attributes as compact JSON to `out`, the bytes
    /// `Program::apply(record).attributes.write_json` writes; pushes the same warnings.
    pub fn apply_json(
        &self,
        record: &Value,
        out: &mut Vec<u8>,
        warnings: &mut Vec<RuntimeWarning>,
    ) {
        let program = self.program;
        let Some(keys) = &self.keys else {
            let applied = program.apply(record);
            applied.attributes.write_json(out);
            warnings.extend(applied.warnings);
            return;
        };
        let mut values: Vec<(u32, Value)> = Vec::with_capacity(program.rules.len());
        program.run_rules(record, warnings, &mut |_, _| {}, &mut |index, value| {
            values.push((index as u32, value));
        });
        let worker = program.target == Target::Worker;
        out.push(b'{');
        let mut first = true;
        if !worker {
            for (name, wanted) in [
                (&b"\"conversations\":"[..], Bucket::Conversations),
                (&b"\"customers\":"[..], Bucket::Customers),
            ] {
                let mut entries = values
                    .iter()
                    .filter(|(i, _)| bucket(program.rules[*i as usize].section) == wanted)
                    .peekable();
                if entries.peek().is_none() {
                    continue;
                }
                if !first {
                    out.push(b',');
                }
                first = false;
                out.extend_from_slice(name);
                write_entries(out, keys, entries);
            }
        }
        for (i, value) in &values {
            if bucket(program.rules[*i as usize].section) != Bucket::Root {
                continue;
            }
            if !first {
                out.push(b',');
            }
            first = false;
            write_entry(out, keys, *i, value);
        }
        out.push(b'}');
    }
}

fn write_entries<'v>(
    out: &mut Vec<u8>,
    keys: &[Box<[u8]>],
    entries: impl Iterator<Item = &'v (u32, Value)>,
) {
    out.push(b'{');
    for (n, (i, value)) in entries.enumerate() {
        if n > 0 {
            out.push(b',');
        }
        write_entry(out, keys, *i, value);
    }
    out.push(b'}');
}

fn write_entry(out: &mut Vec<u8>, keys: &[Box<[u8]>], index: u32, value: &Value) {
    if let Some(key) = keys.get(index as usize) {
        out.extend_from_slice(key);
    }
    // Serialising a JSON value into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// Deserialises the part of a value that `Node` reads.
struct Pruned<'n>(&'n Node);

impl<'de> DeserializeSeed<'de> for Pruned<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        if self.0.whole {
            Value::deserialize(deserializer)
        } else {
            deserializer.deserialize_any(self)
        }
    }
}

impl<'de> Visitor<'de> for Pruned<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    // Scalars where a rule reads deeper: any accessor on them reads null.
    fn visit_bool<E: Error>(self, _: bool) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_i64<E: Error>(self, _: i64) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_u64<E: Error>(self, _: u64) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_f64<E: Error>(self, _: f64) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_str<E: Error>(self, _: &str) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E: Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        match &self.0.items {
            Some(items) => {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                while let Some(item) = seq.next_element_seed(Pruned(items))? {
                    out.push(item);
                }
                Ok(Value::Array(out))
            }
            None => {
                // Only keys are read here, and a key of an array reads null.
                while seq.next_element_seed(Skip)?.is_some() {}
                Ok(Value::Null)
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = serde_json::Map::new();
        while let Some(found) = map.next_key_seed(Key(self.0))? {
            match found {
                Some((name, node)) => {
                    // A repeated key keeps its last value, as in `Value`.
                    let value = map.next_value_seed(Pruned(node))?;
                    out.insert(name.to_string(), value);
                }
                None => map.next_value_seed(Skip)?,
            }
        }
        Ok(Value::Object(out))
    }
}

/// An object key: the child node it leads to, if a rule reads it.
struct Key<'n>(&'n Node);

impl<'de, 'n> DeserializeSeed<'de> for Key<'n> {
    type Value = Option<(&'n str, &'n Node)>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'n> Visitor<'_> for Key<'n> {
    type Value = Option<(&'n str, &'n Node)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self
            .0
            .keys
            .iter()
            .find(|(k, _)| k.as_ref() == key)
            .map(|(k, node)| (k.as_ref(), node)))
    }
}

/// Parses and drops a value, as strictly as `Value` parses it (escapes, surrogates and
/// number ranges included), without allocating.
struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry_seed(Skip, Skip)?.is_some() {}
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Ruleset;

    fn program(text: &str) -> Program {
        match Ruleset::from_str(text, "t.yaml").compile() {
            Ok(program) => program,
            Err(e) => panic!("{:?}", e.diagnostics),
        }
    }

    #[test]
    fn keeps_only_the_paths_rules_read() {
        let program = program(
            "flexmap: 1\ntarget: task\nconversations:\n  case: a.b | trim\n  campaign: l[0].x\nextra:\n  whole: w\n",
        );
        let fast = FastPath::new(&program);
        let cases = [
            (
                r#"{"a":{"b":"x","c":[1,2]},"z":1,"l":[{"x":1,"y":2},3],"w":{"k":[1]}}"#,
                r#"{"a":{"b":"x"},"l":[{"x":1},null],"w":{"k":[1]}}"#,
            ),
            (r#"{"a":"text","l":{"x":1}}"#, r#"{"a":null,"l":{}}"#),
            (r#"{"a":{"b":1},"a":{"b":2}}"#, r#"{"a":{"b":2}}"#),
            (r#"[1,{"a":1}]"#, "null"),
            ("7", "null"),
        ];
        for (input, kept) in cases {
            let parsed = fast.parse(input).map_err(|e| e.to_string());
            assert_eq!(
                parsed.map(|v| v.to_string()),
                Ok(kept.to_string()),
                "{input}"
            );
        }
    }

    #[test]
    fn rejects_what_serde_json_rejects_with_the_same_error() {
        let program = program("flexmap: 1\ntarget: task\nconversations:\n  case: a\n");
        let fast = FastPath::new(&program);
        for input in [
            r#"{"z":"\ud800"}"#,
            r#"{"z":1e400}"#,
            r#"{"z":"\x"}"#,
            r#"{"z":[1,]}"#,
            r#"{"z":1} x"#,
            "{\"z\":\"a\u{1}\"}",
            r#"{"z":tru}"#,
            "",
            &format!("{{\"z\":{}1{}}}", "[".repeat(200), "]".repeat(200)),
        ] {
            let expected = serde_json::from_str::<Value>(input).map_err(|e| e.to_string());
            let actual = fast.parse(input).map_err(|e| e.to_string());
            assert!(expected.is_err(), "{input}");
            assert_eq!(actual.err(), expected.err(), "{input}");
        }
    }
}
