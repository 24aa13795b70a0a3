//! The registry of diagnostic codes: code, kebab-case name and default level.
//!
//! Codes are grouped in ranges (`FM0xx` file and syntax, audited records included, `FM1xx` targets, `FM2xx` slots,
//! `FM3xx` values and types, `FM4xx` privacy, `FM5xx` hygiene, `FM6xx` JavaScript portability, `FM9xx` limits and I/O) and
//! are never reused once released.

use super::Severity;

/// Static facts about one code.
#[derive(Debug)]
pub struct CodeInfo {
    /// `FM101`.
    pub code: &'static str,
    /// `unknown-target`.
    pub name: &'static str,
    /// Level before configuration.
    pub level: Severity,
    /// One line: when it fires.
    pub summary: &'static str,
}

macro_rules! codes {
    ($($variant:ident = $code:literal, $name:literal, $level:ident, $summary:expr;)*) => {
        /// A diagnostic code.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code { $(#[doc = $summary] $variant,)* }

        /// Every code, in order.
        pub static CODES: &[CodeInfo] = &[
            $(CodeInfo { code: $code, name: $name, level: Severity::$level, summary: $summary },)*
        ];

        impl Code {
            /// Every code, in order.
            pub const ALL: &[Code] = &[$(Code::$variant,)*];

            /// Static facts about this code.
            #[must_use]
            pub fn info(self) -> &'static CodeInfo {
                &CODES[self as usize]
            }
        }
    };
}

codes! {
    YamlSyntax = "FM001", "yaml-syntax", Error, "the file is not valid YAML";
    ExpressionSyntax = "FM002", "expression-syntax", Error, "an expression does not parse";
    UnknownKey = "FM003", "unknown-key", Error, "an unknown key in the rule file structure";
    DuplicateKey = "FM004", "duplicate-key", Error, "a YAML mapping repeats a key";
    BadVersion = "FM005", "bad-version", Error, "`flexmap:` missing or unsupported";
    InvalidValue = "FM006", "invalid-value", Error, "a rule-file setting has a value of the wrong shape (a mapping where a string belongs, an unknown `target`)";
    ConfigSyntax = "FM007", "config-syntax", Error, "`flexmap.toml` is not valid TOML";
    MalformedRecord = "FM010", "malformed-record", Error, "an audited NDJSON line is not a JSON object (or a JSON string holding one)";
    UnknownTarget = "FM101", "unknown-target", Error, "a target name Insights does not know (it would be silently ignored)";
    WrongSection = "FM102", "wrong-section", Error, "a known field in the wrong place";
    MissingDependency = "FM103", "missing-dependency", Error, "a name field without its id";
    OverridesDefault = "FM104", "overrides-default", Info, "the rule overrides a value Insights already takes from `TaskRouter`";
    ReadOnlyTarget = "FM105", "read-only-target", Error, "a field that must not be set by hand";
    InconsistentValues = "FM106", "inconsistent-values", Error, "literal values that contradict each other";
    SsoOverwrites = "FM107", "sso-overwrites", Info, "a worker ruleset on an SSO account: the identity provider overwrites these at every login";
    SlotOverflow = "FM201", "slot-overflow", Error, "a slot number beyond the catalog's range, or more custom fields than free slots";
    DuplicateTarget = "FM202", "duplicate-target", Error, "two rules write the same target";
    SlotReassigned = "FM203", "slot-reassigned", Error, "a slot's meaning differs from `flexmap.lock`";
    IdInAttribute = "FM204", "id-in-attribute", Warning, "a high-cardinality value goes to an attribute slot or a text attribute";
    UnlockedSlot = "FM205", "unlocked-slot", Warning, "a custom field has no entry in `flexmap.lock` yet";
    ConstantLabel = "FM206", "constant-label", Warning, "a label slot gets a constant while its attribute slot varies";
    SlotPairConflict = "FM207", "slot-pair-conflict", Warning, "an attribute slot and the label slot of the same number hold different meanings";
    ValueTooLong = "FM301", "value-too-long", Warning, concat!("there is evidence the value can exceed ", crate::catalog::limits::text_chars!(), " characters");
    DateOutOfRange = "FM302", "date-out-of-range", Error, concat!("a literal date outside ", crate::catalog::limits::date_range!());
    TypeMismatch = "FM303", "type-mismatch", Error, "definite type mismatch in an expression or against the target kind";
    InvalidEnumValue = "FM304", "invalid-enum-value", Warning, "a literal outside the documented values of an enum field";
    InvalidUrl = "FM305", "invalid-url", Warning, "a literal link that is not an absolute http(s) URL";
    UnknownFunction = "FM306", "unknown-function", Error, "unknown filter, wrong arity, unknown table";
    HierarchySeparator = "FM307", "hierarchy-separator", Warning, "a hierarchy field joined with something other than \" ▸ \"";
    PayloadTooLarge = "FM308", "payload-too-large", Warning, concat!("the attributes JSON may exceed the ", crate::catalog::limits::payload_chars!(), "-character cap of `TaskRouter`");
    PlaceholderValue = "FM309", "placeholder-value", Warning, "a value that is a leaked placeholder (`undefined`, `NaN`, `[object Object]`, `\"null\"`)";
    RuntimeWarnings = "FM310", "runtime-warnings", Info, "a rule gave runtime warnings on sample data (`lint --sample`)";
    Amplification = "FM311", "amplification", Warning, "a `replace` that can only amplify its input (an empty-matching pattern, nested growth)";
    InexactNumber = "FM312", "inexact-number", Warning, "a number literal that a 64-bit float cannot hold exactly (an integer beyond ±2^53, too many digits)";
    PiiLeak = "FM401", "pii-leak", Error, "a PII value goes to a field HIPAA mode keeps";
    PiiDropped = "FM402", "pii-dropped", Info, "a value goes to a field HIPAA mode drops";
    UnusedTable = "FM501", "unused-table", Warning, "a table nothing looks up";
    ConstantCondition = "FM502", "constant-condition", Warning, "a `when` or `if` that is always true or always false";
    UnusedAllow = "FM503", "unused-allow", Warning, "an `allow` that suppresses nothing";
    NotPortableRegex = "FM601", "not-portable-regex", Error, "`build --emit js`: a regex JavaScript cannot match exactly as the Rust runtime does";
    NotPortableDateFormat = "FM602", "not-portable-date-format", Error, "`build --emit js`: a `date` format the generated JavaScript cannot parse as the Rust runtime does";
    LimitExceeded = "FM901", "limit-exceeded", Error, "a rule file exceeds a safety limit (size, YAML nodes, expression depth, regex size)";
    Io = "FM902", "io-error", Error, "a file could not be read";
}

impl Code {
    /// `FM101`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        self.info().code
    }

    /// `unknown-target`.
    #[must_use]
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Finds a code by `FM101` (any case) or by name `unknown-target`.
    #[must_use]
    pub fn from_code_or_name(text: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(text) || c.name() == text)
    }

    /// The codes a misspelt code or name most likely meant, best first (at most three): for a
    /// code (`FM99`, `fm1o1`), the codes one digit away, zero-padded forms included (`FM99` →
    /// `FM901`, `FM902`); for a name, the closest name by edit distance.
    #[must_use]
    pub fn suggest(text: &str) -> Vec<Code> {
        let text = text.trim();
        let digits = text
            .get(..2)
            .filter(|prefix| prefix.eq_ignore_ascii_case("fm"))
            .map(|_| &text[2..])
            .filter(|rest| (1..=4).contains(&rest.len()));
        let Some(digits) = digits else {
            let names = Code::ALL.iter().map(|c| c.name());
            return crate::suggest::did_you_mean(text, names)
                .and_then(Code::from_code_or_name)
                .into_iter()
                .collect();
        };
        let digits = digits.to_ascii_lowercase().replace('o', "0");
        let mut forms = vec![digits.clone()];
        if digits.len() < 3 {
            for at in 0..=digits.len() {
                let mut padded = digits.clone();
                padded.insert(at, '0');
                forms.push(padded);
            }
        }
        let mut scored: Vec<(usize, Code)> = Code::ALL
            .iter()
            .filter_map(|&code| {
                let number = &code.as_str()[2..];
                let distance = forms
                    .iter()
                    .map(|form| strsim::osa_distance(form, number))
                    .min()?;
                (distance <= 1).then_some((distance, code))
            })
            .collect();
        scored.sort_by_key(|&(distance, code)| (distance, code.as_str()));
        scored.into_iter().take(3).map(|(_, code)| code).collect()
    }

    /// The help line for an unknown code or name: `did you mean `FM901` (limit-exceeded)?`, or
    /// where to find the list.
    #[must_use]
    pub fn suggestion_help(text: &str) -> String {
        let named: Vec<String> = Code::suggest(text)
            .into_iter()
            .map(|code| {
                if code.name() == text.trim() || !text.trim().to_ascii_lowercase().starts_with("fm")
                {
                    format!("`{}`", code.name())
                } else {
                    format!("`{}` ({})", code.as_str(), code.name())
                }
            })
            .collect();
        match named.as_slice() {
            [] => "`flexmap explain` lists every code and name (codes are FM and three digits, e.g. FM101)".to_owned(),
            [one] => format!("did you mean {one}?"),
            [first @ .., last] => format!("did you mean {} or {last}?", first.join(", ")),
        }
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_enum_order_and_unique() {
        for (index, code) in Code::ALL.iter().enumerate() {
            assert_eq!(*code as usize, index);
        }
        let mut names: Vec<_> = CODES.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CODES.len());
    }

    #[test]
    fn lookup_by_code_or_name() {
        assert_eq!(Code::from_code_or_name("fm101"), Some(Code::UnknownTarget));
        assert_eq!(
            Code::from_code_or_name("slot-overflow"),
            Some(Code::SlotOverflow)
        );
        assert_eq!(Code::from_code_or_name("nope"), None);
    }
}
