//! Unit tests of the lock file reader and writer: round trips, and a positioned diagnostic
//! with a code for every kind of malformed lock.

use super::{Ledger, render};

/// `line:col code message` of every problem in `text`.
fn problems(text: &str) -> Vec<String> {
    Ledger::parse(text, "flexmap.lock")
        .diagnostics
        .iter()
        .map(|d| {
            let (line, column) = d.line_col();
            assert!(d.help.is_some(), "{} has a help line", d.message);
            format!("{line}:{column} {} {}", d.code.as_str(), d.message)
        })
        .collect()
}

const GOOD: &str = "version = 1\n\n[[slot]]\nslot = \"conversation_label_2\"\nfield = \"account_id\"\nkind = \"label\"\nscope = \"conversations\"\nfiles = [\"voice.yaml\"]\n\n[[slot]]\nslot = \"conversation_attribute_1\"\nfield = \"tier\"\nkind = \"attribute\"\nscope = \"conversations\"\nretired = true\nprevious = [\"segment\"]\n";

#[test]
fn a_lock_round_trips_sorted_by_slot() {
    let ledger = Ledger::parse(GOOD, "flexmap.lock");
    assert!(ledger.diagnostics.is_empty(), "{:?}", ledger.diagnostics);
    assert_eq!(ledger.entries.len(), 2);
    let text = render(&ledger.entries);
    assert!(text.starts_with(super::HEADER));
    let attribute = text
        .find("conversation_attribute_1")
        .expect("entry written");
    let label = text.find("conversation_label_2").expect("entry written");
    assert!(attribute < label, "entries are sorted by slot:\n{text}");
    let again = Ledger::parse(&text, "flexmap.lock");
    assert!(again.diagnostics.is_empty());
    assert_eq!(render(&again.entries), text, "rendering is stable");
    assert!(
        again
            .entries
            .iter()
            .any(|e| e.retired && e.previous == ["segment"])
    );
}

#[test]
fn names_are_quoted_as_toml_strings() {
    let mut ledger = Ledger::parse(GOOD, "flexmap.lock");
    ledger.entries[0].files = vec!["odd \"dir\"\\x.yaml".into()];
    let text = render(&ledger.entries);
    let again = Ledger::parse(&text, "flexmap.lock");
    assert!(again.diagnostics.is_empty(), "{:?}", again.diagnostics);
    assert!(
        again
            .entries
            .iter()
            .any(|e| e.files == ["odd \"dir\"\\x.yaml"])
    );
}

#[test]
fn invalid_toml_is_fm007_at_the_parser_position() {
    let found = problems("version = 1\n[[slot]\nslot = \"x\"\n");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0] == "2:8 FM007 invalid TOML in flexmap.lock: unclosed array table, expected `]`",
        "{found:?}"
    );
}

#[test]
fn unknown_keys_get_did_you_mean() {
    assert_eq!(
        problems("version = 1\nslots = []\n"),
        ["2:1 FM003 unknown key `slots` in flexmap.lock"]
    );
    assert_eq!(
        problems(
            "version = 1\n[[slot]]\nslot = \"conversation_attribute_1\"\nfield = \"a\"\nfile = [\"x.yaml\"]\n"
        ),
        ["5:1 FM003 unknown key `file` in a `[[slot]]` entry of flexmap.lock"]
    );
}

#[test]
fn wrong_values_are_fm006_at_the_value() {
    assert_eq!(
        problems("version = 2\n"),
        ["1:11 FM006 unsupported flexmap.lock version"]
    );
    assert_eq!(
        problems("[[slot]]\nslot = \"conversation_attribute_1\"\nfield = \"a\"\n"),
        ["1:1 FM006 flexmap.lock has no `version`"]
    );
    assert_eq!(
        problems("version = 1\n[[slot]]\nslot = \"conversation_attribute_11\"\nfield = \"a\"\n"),
        [
            "3:8 FM006 `conversation_attribute_11` in flexmap.lock: conversations has attribute slots 1 to 10, not 11"
        ]
    );
    assert_eq!(
        problems("version = 1\n[[slot]]\nslot = \"account_tier\"\nfield = \"a\"\n"),
        ["3:8 FM006 `account_tier` in flexmap.lock is not a slot name"]
    );
    assert_eq!(
        problems(
            "version = 1\n[[slot]]\nslot = \"conversation_attribute_1\"\nfield = \"a\"\nkind = \"label\"\nscope = \"customers\"\n"
        ),
        [
            "5:8 FM006 `conversation_attribute_1` is an attribute slot, but its entry says `kind = \"label\"`",
            "6:9 FM006 `conversation_attribute_1` is a `conversations` slot, but its entry says `scope = \"customers\"`"
        ]
    );
    assert_eq!(
        problems(
            "version = 1\n[[slot]]\nslot = \"conversation_attribute_1\"\nfield = 3\nretired = \"yes\"\nfiles = \"a.yaml\"\n"
        ),
        [
            "4:9 FM006 `field` must be a string",
            "5:11 FM006 `retired` must be `true` or `false`",
            "6:9 FM006 `files` must be a list of strings"
        ]
    );
    assert_eq!(
        problems("version = 1\n[[slot]]\nfield = \"a\"\n"),
        ["2:1 FM006 a `[[slot]]` entry has no `slot`"]
    );
}

#[test]
fn repeated_slots_and_fields_keep_the_first_entry() {
    let text = "version = 1\n[[slot]]\nslot = \"conversation_attribute_1\"\nfield = \"a\"\n[[slot]]\nslot = \"conversation_attribute_1\"\nfield = \"b\"\n[[slot]]\nslot = \"conversation_attribute_2\"\nfield = \"a\"\n";
    assert_eq!(
        problems(text),
        [
            "6:8 FM006 `conversation_attribute_1` has two entries in flexmap.lock",
            "10:9 FM006 custom field `a` holds two slots in flexmap.lock, `conversation_attribute_1` and `conversation_attribute_2`"
        ]
    );
    let ledger = Ledger::parse(text, "flexmap.lock");
    assert_eq!(ledger.entries.len(), 1);
    assert_eq!(ledger.entries[0].field, "a");
}

#[test]
fn any_bytes_give_diagnostics_never_a_panic() {
    for text in [
        "",
        "\u{0}",
        "version = 1\n[[slot]]\n",
        "slot = 5",
        "slot = [1, 2]",
        "[slot]\nslot = \"x\"",
        "version = 1\n[[slot]]\nslot = \"agent_measure_1\"\nfield = \"a\"\n",
        "version = \"1\"",
    ] {
        let _ = Ledger::parse(text, "flexmap.lock");
    }
}

#[test]
fn every_prefix_of_a_lock_gives_diagnostics_never_a_panic() {
    let text = render(&Ledger::parse(GOOD, "flexmap.lock").entries);
    for end in (0..=text.len()).filter(|i| text.is_char_boundary(*i)) {
        let ledger = Ledger::parse(&text[..end], "flexmap.lock");
        for d in &ledger.diagnostics {
            assert!(d.primary_span().end <= end, "span inside the text");
            assert!(d.help.is_some());
        }
    }
}
