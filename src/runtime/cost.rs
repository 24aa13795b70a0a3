//! The runtime cost model: how much a rule may build for one record, checked before it is built.
//!
//! Every value a rule builds at run time (a `replace`, `++`, `join`, `split` or `hierarchy`
//! result, `lower`/`upper`/`title` text that grows in bytes, an array or object literal) is
//! measured in *cost bytes* before its memory is allocated:
//!
//! - text costs its UTF-8 length;
//! - an array costs [`ELEMENT_COST`] per element plus its elements' cost;
//! - an object costs [`ELEMENT_COST`] plus the key's length per entry, plus its values' cost;
//! - numbers, booleans and null cost nothing (they live inside their parent).
//!
//! One value may cost at most [`MAX_VALUE_BYTES`], and everything the rules build for one
//! record (values taken whole from the record count too when they are copied into the
//! output) at most [`MAX_RECORD_BYTES`]. Both caps derive from [`MAX_LINE_BYTES`], the
//! longest input line `flexmap apply` accepts by default: a value may be as large as the
//! largest record, and a record's rules may together build four times that. A value over a
//! cap is never built: the rule loop stops and the record carries the record-level
//! `value-too-large` warning (`WarningKind::ValueTooLarge`) at the site (file, line, column)
//! of the filter or operator that would have built it, so `flexmap apply` sends the line to
//! `--errors` and serve answers it as a record error. Memory for one record therefore stays
//! within a small multiple of the caps, whatever the rules and the record are.

use serde_json::Value;

/// The longest input line `flexmap apply` accepts by default (`--max-line-bytes`): 16 MiB.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// The largest cost of one value a rule builds: [`MAX_LINE_BYTES`] (16 MiB).
pub const MAX_VALUE_BYTES: usize = MAX_LINE_BYTES;

/// The largest total cost of what the rules build for one record: 4 × [`MAX_LINE_BYTES`]
/// (64 MiB).
pub const MAX_RECORD_BYTES: usize = 4 * MAX_LINE_BYTES;

/// The cost of one array element or object entry besides its content: the size of a
/// `serde_json::Value` (32 bytes on 64-bit targets).
pub const ELEMENT_COST: usize = 32;

/// The cost of `value` (see the module docs). Walks arrays and objects; text is O(1).
#[must_use]
pub fn value_cost(value: &Value) -> usize {
    match value {
        Value::String(text) => text.len(),
        Value::Array(items) => items.iter().fold(0usize, |sum, item| {
            sum.saturating_add(ELEMENT_COST)
                .saturating_add(value_cost(item))
        }),
        // A big integer is a number: it costs nothing, like the others.
        Value::Object(map) if super::number::big_in(map).is_some() => 0,
        Value::Object(map) => map.iter().fold(0usize, |sum, (key, item)| {
            sum.saturating_add(ELEMENT_COST)
                .saturating_add(key.len())
                .saturating_add(value_cost(item))
        }),
        Value::Null | Value::Bool(_) | Value::Number(_) => 0,
    }
}

/// What one record may still build.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget {
    remaining: usize,
}

impl Budget {
    /// A fresh budget of [`MAX_RECORD_BYTES`].
    pub(crate) fn new() -> Budget {
        Budget {
            remaining: MAX_RECORD_BYTES,
        }
    }

    /// The most the next value may cost: the per-value cap or what the record has left.
    pub(crate) fn limit(self) -> usize {
        self.remaining.min(MAX_VALUE_BYTES)
    }

    /// Takes `cost` from the budget; false (and nothing taken) when it is over `limit`.
    pub(crate) fn charge(&mut self, cost: usize) -> bool {
        if cost > self.limit() {
            return false;
        }
        self.remaining -= cost;
        true
    }
}

/// A string that refuses to grow past `limit` bytes: its capacity never exceeds the limit,
/// so a refused push allocates nothing.
pub(crate) struct Bounded {
    text: String,
    limit: usize,
}

/// A value would cost more than the caps allow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OverCap;

impl Bounded {
    pub(crate) fn new(limit: usize) -> Bounded {
        Bounded {
            text: String::new(),
            limit,
        }
    }

    /// Appends `piece`, or fails before allocating when the text would pass the limit.
    pub(crate) fn push(&mut self, piece: &str) -> Result<(), OverCap> {
        let needed = self.text.len().saturating_add(piece.len());
        if needed > self.limit {
            return Err(OverCap);
        }
        if needed > self.text.capacity() {
            let grown = needed.max(self.text.capacity().saturating_mul(2)).max(16);
            self.text
                .reserve_exact(grown.min(self.limit) - self.text.len());
        }
        self.text.push_str(piece);
        Ok(())
    }

    pub(crate) fn len(&self) -> usize {
        self.text.len()
    }

    pub(crate) fn into_string(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_follow_the_documented_formula() {
        assert_eq!(value_cost(&serde_json::json!("héllo")), 6);
        assert_eq!(value_cost(&serde_json::json!(12)), 0);
        assert_eq!(
            value_cost(&serde_json::json!(["ab", 1])),
            2 * ELEMENT_COST + 2
        );
        assert_eq!(
            value_cost(&serde_json::json!({"key": ["x"]})),
            ELEMENT_COST + 3 + ELEMENT_COST + 1
        );
    }

    #[test]
    fn the_budget_refuses_over_the_value_cap_and_over_the_record_cap() {
        let mut budget = Budget::new();
        assert!(!budget.charge(MAX_VALUE_BYTES + 1));
        for _ in 0..MAX_RECORD_BYTES / MAX_VALUE_BYTES {
            assert!(budget.charge(MAX_VALUE_BYTES));
        }
        assert_eq!(budget.limit(), 0);
        assert!(!budget.charge(1));
        assert!(budget.charge(0));
    }

    #[test]
    fn a_bounded_string_never_grows_past_its_limit() {
        let mut text = Bounded::new(10);
        assert_eq!(text.push("abcd"), Ok(()));
        assert_eq!(text.push("efghij"), Ok(()));
        assert_eq!(text.push("k"), Err(OverCap));
        assert_eq!(text.len(), 10);
        assert!(text.text.capacity() <= 10);
        assert_eq!(text.into_string(), "abcdefghij");
    }
}
