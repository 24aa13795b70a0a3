//! The streaming fast path of `flexmap apply`: parse only what the rules read, write the
//! attributes straight into the output buffer.
//!
//! `FastPath::new` collects the record paths the program's rules read into a tree, once. Each
//! path ends at a *slot*: the node where a rule reads a whole value (or the array an index
//! reads into). `FastPath::parse` fills one flat `Vec<Value>` of slots and skips everything
//! else without allocating: no maps are built for the objects on the way, and a path is
//! answered by a binary search on its address plus, below an array, the usual walk. It still
//! runs `serde_json`'s full parser over every byte, so a line is valid for it exactly when
//! `serde_json::from_str::<Value>` accepts it, with the same error. `FastPath::apply_json`
//! evaluates the same rule loop as `Program::apply` and writes the bytes that
//! `Attributes::write_json` would write, without building `Attributes`.
//!
//! Invariant (tested by `tests/it/properties.rs`): for any text, `parse` + `apply_json` gives the
//! same error, output bytes and warnings as `serde_json::from_str` + `Program::apply` +
//! `Attributes::write_json`.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::number::{self, Watch};
use super::{Ir, OutSection, PathSegment, Program, RuntimeWarning, eval};
use crate::catalog::{Section, Target};

/// The record paths a program reads, as a tree.
#[derive(Debug, Default)]
struct Node {
    /// A rule reads the value here as a whole (or indexes into it): it is kept in this slot.
    slot: Option<usize>,
    /// Object keys read below this node (empty when `slot` is set).
    keys: Vec<(Box<str>, Node)>,
    /// The slots of this node and every node below it: `slots[..].0..slots.1`.
    slots: (usize, usize),
}

impl Node {
    /// Adds a path; an index keeps the whole array it indexes.
    fn insert(&mut self, segments: &[PathSegment]) {
        match segments.split_first() {
            Some((PathSegment::Key(key), rest)) => {
                let at = match self.keys.iter().position(|(k, _)| k == key) {
                    Some(at) => at,
                    None => {
                        self.keys.push((key.clone(), Node::default()));
                        self.keys.len() - 1
                    }
                };
                self.keys[at].1.insert(rest);
            }
            Some((PathSegment::Index(_), _)) | None => self.slot = Some(usize::MAX),
        }
    }

    /// Numbers the slots depth first; a node read whole loses its children.
    fn number(&mut self, next: &mut usize) {
        let first = *next;
        if self.slot.is_some() {
            self.keys.clear();
            self.slot = Some(*next);
            *next += 1;
        }
        for (_, child) in &mut self.keys {
            child.number(next);
        }
        self.slots = (first, *next);
    }

    /// Fills the slots below this node from a whole value (the exact reader's), as `Fill`
    /// fills them while parsing.
    fn fill_from(&self, value: &Value, slots: &mut [Value]) {
        if let Some(slot) = self.slot {
            if let Some(place) = slots.get_mut(slot) {
                *place = value.clone();
            }
            return;
        }
        if let Value::Object(map) = value
            && number::big_in(map).is_none()
        {
            for (key, child) in &self.keys {
                if let Some(value) = map.get(key.as_ref()) {
                    child.fill_from(value, slots);
                }
            }
        }
    }

    /// The slot that answers `segments`, and how many segments lead to it.
    fn resolve(&self, segments: &[PathSegment], depth: usize) -> Option<(usize, usize)> {
        if let Some(slot) = self.slot {
            return Some((slot, depth));
        }
        let Some(PathSegment::Key(key)) = segments.get(depth) else {
            return None;
        };
        let (_, child) = self.keys.iter().find(|(k, _)| k == key)?;
        child.resolve(segments, depth + 1)
    }

    fn collect<'i>(&mut self, ir: &'i Ir, paths: &mut Vec<&'i [PathSegment]>) {
        match ir {
            Ir::Const(_) => {}
            Ir::Path(segments) => {
                self.insert(segments);
                paths.push(segments);
            }
            Ir::Access(base, _) | Ir::Neg(base, _) | Ir::Not(base, _) => self.collect(base, paths),
            Ir::Array(items) => items.iter().for_each(|i| self.collect(i, paths)),
            Ir::Object(pairs) => pairs.iter().for_each(|(_, i)| self.collect(i, paths)),
            Ir::Binary(_, left, right, _) => {
                self.collect(left, paths);
                self.collect(right, paths);
            }
            Ir::If(condition, then, otherwise, _) => {
                self.collect(condition, paths);
                self.collect(then, paths);
                self.collect(otherwise, paths);
            }
            Ir::Filter(input, _, argument, _) => {
                self.collect(input, paths);
                if let Some(argument) = argument {
                    self.collect(argument, paths);
                }
            }
        }
    }
}

/// A record as `FastPath::parse` keeps it: one value per slot.
#[derive(Debug)]
pub struct Record<'f> {
    fast: &'f FastPath<'f>,
    object: bool,
    slots: Vec<Value>,
}

impl Record<'_> {
    /// True when the record is a JSON object.
    #[must_use]
    pub fn is_object(&self) -> bool {
        self.object
    }
}

impl eval::Record for Record<'_> {
    fn is_object(&self) -> bool {
        self.object
    }

    fn path(&self, segments: &[PathSegment]) -> &Value {
        let Some((slot, depth)) = self.fast.paths.get(segments) else {
            // Every path of the program is in the table; anything else reads null.
            return &eval::NULL;
        };
        let (slot, depth) = (slot as usize, depth as usize);
        let base = if self.object {
            self.slots.get(slot).unwrap_or(&eval::NULL)
        } else {
            &eval::NULL
        };
        eval::walk(base, segments.get(depth..).unwrap_or(&[]))
    }
}

/// An open-addressing hash table from a path's address (its segments live in the immutable
/// `Program`, so the address is stable) to its slot and depth: one or two probes per path.
#[derive(Debug)]
struct PathTable {
    /// `(address, slot, depth)`; address 0 marks an empty entry.
    entries: Vec<(usize, u32, u32)>,
    /// log2 of `entries.len()`.
    bits: u32,
}

impl PathTable {
    fn new(paths: impl Iterator<Item = (usize, (usize, usize))>) -> PathTable {
        let paths: Vec<_> = paths.collect();
        let bits = (paths.len() * 2 + 1)
            .next_power_of_two()
            .trailing_zeros()
            .max(1);
        let mut table = PathTable {
            entries: vec![(0, 0, 0); 1 << bits],
            bits,
        };
        let mask = table.entries.len() - 1;
        for (address, (slot, depth)) in paths {
            let mut at = table.home(address);
            loop {
                match table.entries[at] {
                    (0, _, _) => {
                        table.entries[at] = (address, slot as u32, depth as u32);
                        break;
                    }
                    (existing, _, _) if existing == address => break,
                    _ => at = (at + 1) & mask,
                }
            }
        }
        table
    }

    fn home(&self, address: usize) -> usize {
        ((address as u64 >> 3).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - self.bits)) as usize
    }

    fn get(&self, segments: &[PathSegment]) -> Option<(u32, u32)> {
        let address = segments.as_ptr() as usize;
        let mask = self.entries.len() - 1;
        let mut at = self.home(address);
        // The table is at most half full, so an empty entry ends every probe sequence.
        loop {
            match self.entries.get(at)? {
                (0, _, _) => return None,
                (a, slot, depth) if *a == address => return Some((*slot, *depth)),
                _ => at = (at + 1) & mask,
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
    /// Each path of the program (by address): its slot and the segments that lead there.
    paths: PathTable,
    /// Each rule's key as JSON (`"name":`), or `None` when two rules write the same key (then
    /// `apply_json` goes through `Attributes`, which keeps the first position and last value).
    keys: Option<Vec<Box<[u8]>>>,
}

impl<'p> FastPath<'p> {
    /// Prepares `program`.
    #[must_use]
    pub fn new(program: &'p Program) -> FastPath<'p> {
        let mut root = Node::default();
        let mut segments = Vec::new();
        for rule in &program.rules {
            root.collect(&rule.value, &mut segments);
            if let Some(when) = &rule.when {
                root.collect(when, &mut segments);
            }
        }
        root.number(&mut 0);
        let paths = PathTable::new(
            segments
                .iter()
                .filter_map(|s| root.resolve(s, 0).map(|found| (s.as_ptr() as usize, found))),
        );
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
            paths,
            keys,
        }
    }

    /// The program.
    #[must_use]
    pub fn program(&self) -> &'p Program {
        self.program
    }

    /// Parses one record, keeping only what the rules read. Fails exactly when
    /// `serde_json::from_str::<Value>(text)` fails, with the same error.
    ///
    /// # Errors
    ///
    /// The `serde_json` error for malformed JSON.
    pub fn parse(&self, text: &str) -> Result<Record<'_>, serde_json::Error> {
        let mut slots = vec![Value::Null; self.root.slots.1];
        let seen = Cell::new(false);
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let mut object = Fill {
            node: &self.root,
            slots: &mut slots,
            fresh: true,
            seen: &seen,
        }
        .deserialize(&mut deserializer)?;
        deserializer.end()?;
        // A value a rule reads may hold a big integer: read the line again, exactly
        // (`runtime::number`). The text is valid JSON, so the exact reader succeeds.
        if seen.get()
            && let Some(whole) = number::parse_exact(text)
        {
            slots.fill(Value::Null);
            object = number::is_object(&whole);
            if object {
                self.root.fill_from(&whole, &mut slots);
            }
        }
        Ok(Record {
            fast: self,
            object,
            slots,
        })
    }

    /// Maps one (parsed) record and appends its attributes as compact JSON to `out`, the bytes
    /// `Program::apply(record).attributes.write_json` writes; pushes the same warnings.
    pub fn apply_json(
        &self,
        record: &Record<'_>,
        out: &mut Vec<u8>,
        warnings: &mut Vec<RuntimeWarning>,
    ) {
        let program = self.program;
        let Some(keys) = &self.keys else {
            let mut attributes = super::Attributes::new(program.target);
            program.run_rules(record, warnings, &mut |_, _| {}, &mut |index, value| {
                if let Some(rule) = program.rules.get(index) {
                    attributes.insert(rule.section, &rule.name, value.into_owned());
                }
            });
            attributes.write_json(out);
            return;
        };
        let mut values: Vec<(u32, Cow<'_, Value>)> = Vec::with_capacity(program.rules.len());
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
    entries: impl Iterator<Item = &'v (u32, Cow<'v, Value>)>,
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
    number::write_json(out, value);
}

/// Fills the slots of `node` from one value; says whether the value was an object.
struct Fill<'n, 's> {
    node: &'n Node,
    slots: &'s mut [Value],
    /// False when this key was seen before in the same object: its slots must be cleared.
    fresh: bool,
    /// Set when a slot's value may hold a big integer (`number::Watch`).
    seen: &'s Cell<bool>,
}

impl<'de> DeserializeSeed<'de> for Fill<'_, '_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        match self.node.slot {
            Some(slot) => {
                let value = Watch(self.seen).deserialize(deserializer)?;
                let object = value.is_object();
                if let Some(place) = self.slots.get_mut(slot) {
                    *place = value;
                }
                Ok(object)
            }
            None => {
                // A repeated key replaces what its first value filled, as in `Value`.
                if !self.fresh {
                    let (first, end) = self.node.slots;
                    if let Some(range) = self.slots.get_mut(first..end) {
                        range.fill(Value::Null);
                    }
                }
                deserializer.deserialize_any(self)
            }
        }
    }
}

impl<'de> Visitor<'de> for Fill<'_, '_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    // Anything but an object where a rule reads keys: those keys read null.
    fn visit_bool<E: Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E: Error>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E: Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E: Error>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E: Error>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E: Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_none<E: Error>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(false)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        // Children seen so far in this object (the first 64; later ones always clear).
        let mut seen = 0u64;
        while let Some(found) = map.next_key_seed(Key(self.node))? {
            match found {
                Some((index, node)) => {
                    let bit = 1u64.checked_shl(index as u32).unwrap_or(0);
                    let fresh = bit != 0 && seen & bit == 0;
                    seen |= bit;
                    map.next_value_seed(Fill {
                        node,
                        slots: &mut *self.slots,
                        fresh,
                        seen: self.seen,
                    })?;
                }
                None => map.next_value_seed(Skip)?,
            }
        }
        Ok(true)
    }
}

/// An object key: the child node it leads to, if a rule reads it.
struct Key<'n>(&'n Node);

impl<'de, 'n> DeserializeSeed<'de> for Key<'n> {
    type Value = Option<(usize, &'n Node)>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'n> Visitor<'_> for Key<'n> {
    type Value = Option<(usize, &'n Node)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok(self
            .0
            .keys
            .iter()
            .position(|(k, _)| k.as_ref() == key)
            .and_then(|at| self.0.keys.get(at).map(|(_, node)| (at, node))))
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
            "flexmap: 1\ntarget: task\nconversations:\n  case: a.b | trim\n  campaign: l[0].x\nextra:\n  whole: w\n  deep: w.k\n",
        );
        let fast = FastPath::new(&program);
        let cases = [
            (
                r#"{"a":{"b":"x","c":[1,2]},"z":1,"l":[{"x":1,"y":2},3],"w":{"k":[1]}}"#,
                vec![r#""x""#, r#"[{"x":1,"y":2},3]"#, r#"{"k":[1]}"#],
            ),
            (
                r#"{"a":"text","l":{"x":1}}"#,
                vec!["null", r#"{"x":1}"#, "null"],
            ),
            (r#"{"a":{"b":1},"a":{"c":2}}"#, vec!["null", "null", "null"]),
            (r#"{"a":{"b":1},"a":{"b":2}}"#, vec!["2", "null", "null"]),
        ];
        for (input, kept) in cases {
            let record = fast.parse(input).map_err(|e| e.to_string());
            let slots = record.map(|r| r.slots.iter().map(Value::to_string).collect::<Vec<_>>());
            assert_eq!(
                slots,
                Ok(kept.iter().map(ToString::to_string).collect()),
                "{input}"
            );
        }
        for input in [r#"[1,{"a":1}]"#, "7", "null"] {
            assert!(fast.parse(input).is_ok_and(|r| !r.is_object()), "{input}");
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
