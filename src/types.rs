//! Static types of expressions.

use std::fmt;

/// A static type. `Any` is unknown (a path without an `inputs` declaration).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// Text.
    String,
    /// A finite number.
    Number,
    /// `true` / `false`.
    Bool,
    /// A list.
    Array,
    /// A mapping.
    Object,
    /// Only `null`.
    Null,
    /// Unknown until run time.
    Any,
}

impl Type {
    /// The type of a JSON value.
    #[must_use]
    pub fn of(value: &serde_json::Value) -> Type {
        use serde_json::Value;
        match value {
            Value::Null => Type::Null,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::Array(_) => Type::Array,
            // A big integer (`runtime::number`) is a number.
            Value::Object(map) if crate::runtime::number::big_in(map).is_some() => Type::Number,
            Value::Object(_) => Type::Object,
        }
    }

    /// The type of a value that may be either: equal types stay, `null` gives way.
    #[must_use]
    pub fn join(self, other: Type) -> Type {
        match (self, other) {
            (a, b) if a == b => a,
            (Type::Null, b) => b,
            (a, Type::Null) => a,
            _ => Type::Any,
        }
    }

    /// True when a value of this type may be one of `accepted` (Any and Null always may:
    /// null passes through filters, and Any is checked at run time).
    #[must_use]
    pub fn may_be(self, accepted: &[Type]) -> bool {
        matches!(self, Type::Any | Type::Null)
            || accepted.contains(&Type::Any)
            || accepted.contains(&self)
    }

    /// The name with its article: "a string", "an array".
    #[must_use]
    pub fn with_article(self) -> String {
        crate::diagnostic::with_article(self.name())
    }

    /// Name as written in `inputs:` declarations.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Type::String => "string",
            Type::Number => "number",
            Type::Bool => "bool",
            Type::Array => "array",
            Type::Object => "object",
            Type::Null => "null",
            Type::Any => "any",
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Lists types as "string or number".
#[must_use]
pub fn list(types: &[Type]) -> String {
    let names: Vec<&str> = types.iter().map(|t| t.name()).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_string(),
        Some((last, init)) => format!("{} or {last}", init.join(", ")),
    }
}
