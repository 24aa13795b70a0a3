//! The attributes a program writes, in rule order, serialised without a detour through maps.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use super::OutSection;
use super::number::Exact;
use super::payload::{self, Count};
use crate::catalog::{Section, Target};

/// Attributes produced for one record: `conversations`, `customers` and extra keys for a
/// task, flat keys for a worker. Keys keep rule order; a key written twice keeps the last value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attributes {
    worker: bool,
    conversations: Vec<(Box<str>, Value)>,
    customers: Vec<(Box<str>, Value)>,
    root: Vec<(Box<str>, Value)>,
}

fn put(entries: &mut Vec<(Box<str>, Value)>, key: &str, value: Value) {
    if let Some(slot) = entries.iter_mut().find(|(k, _)| k.as_ref() == key) {
        slot.1 = value;
    } else {
        entries.push((key.into(), value));
    }
}

impl Attributes {
    /// Empty attributes for a target.
    #[must_use]
    pub fn new(target: Target) -> Attributes {
        Attributes {
            worker: target == Target::Worker,
            ..Attributes::default()
        }
    }

    /// Writes one value.
    pub fn insert(&mut self, section: OutSection, key: &str, value: Value) {
        match section {
            OutSection::Insights(Section::Conversations) => {
                put(&mut self.conversations, key, value);
            }
            OutSection::Insights(Section::Customers) => put(&mut self.customers, key, value),
            OutSection::Insights(Section::Worker) | OutSection::Extra => {
                put(&mut self.root, key, value);
            }
        }
    }

    /// True when nothing was written.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.conversations.is_empty() && self.customers.is_empty() && self.root.is_empty()
    }

    /// As a JSON value (object keys then sort, as `serde_json::Map` does).
    #[must_use]
    pub fn to_value(&self) -> Value {
        // Built directly: a big integer stays one (`runtime::number`), where `to_value` would
        // read its digits back as a float.
        let object = |entries: &[(Box<str>, Value)]| {
            Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            )
        };
        let mut map = serde_json::Map::new();
        if !self.worker {
            for (name, list) in [
                ("conversations", &self.conversations),
                ("customers", &self.customers),
            ] {
                if !list.is_empty() {
                    map.insert(name.to_string(), object(list));
                }
            }
        }
        for (k, v) in &self.root {
            map.insert(k.to_string(), v.clone());
        }
        Value::Object(map)
    }

    /// Characters of the compact JSON `write_json` writes, and whether the count is exact
    /// (else an upper bound). For the payload cap (`payload.rs`).
    pub(super) fn json_size(&self, count: Count) -> (usize, bool) {
        let mut members = 0;
        let (mut size, mut exact) = (2, true);
        if !self.worker {
            for (name, list) in [
                ("conversations", &self.conversations),
                ("customers", &self.customers),
            ] {
                if !list.is_empty() {
                    let (n, e) = members_size(list, count);
                    // Section names need no escapes: their exact size is the bound.
                    size += name.len() + 2 + 1 + 2 + (list.len() - 1) + n;
                    exact &= e;
                    members += 1;
                }
            }
        }
        let (n, e) = members_size(&self.root, count);
        size += n;
        exact &= e;
        members += self.root.len();
        (size + members.saturating_sub(1), exact)
    }

    /// Renders as compact JSON into `out`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        // Serialising plain JSON values into a Vec cannot fail.
        let _ = serde_json::to_writer(out, self);
    }
}

/// `"key":value` sizes of `entries`, without braces and commas.
fn members_size(entries: &[(Box<str>, Value)], count: Count) -> (usize, bool) {
    let (mut size, mut exact) = (0, true);
    for (key, value) in entries {
        let (n, e) = payload::value_size(value, count);
        let (k, ke) = payload::string_size(key, count);
        size += k + 1 + n;
        exact &= e && ke;
    }
    (size, exact)
}

struct Entries<'a>(&'a [(Box<str>, Value)]);

impl Serialize for Entries<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k.as_ref(), &Exact(v))?;
        }
        map.end()
    }
}

impl Serialize for Attributes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let sections =
            usize::from(!self.conversations.is_empty()) + usize::from(!self.customers.is_empty());
        let mut map = serializer.serialize_map(Some(sections + self.root.len()))?;
        if !self.worker {
            if !self.conversations.is_empty() {
                map.serialize_entry("conversations", &Entries(&self.conversations))?;
            }
            if !self.customers.is_empty() {
                map.serialize_entry("customers", &Entries(&self.customers))?;
            }
        }
        for (k, v) in &self.root {
            map.serialize_entry(k.as_ref(), &Exact(v))?;
        }
        map.end()
    }
}
