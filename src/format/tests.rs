//! Tests of the canonical layout.

use super::{FormatError, format_source};
use crate::source::SourceFile;

fn fmt(text: &str) -> String {
    match format_source(&SourceFile::new("t.yaml", text)) {
        Ok(out) => out,
        Err(FormatError::Invalid(d)) => panic!("invalid: {d:?}"),
        Err(FormatError::Unsupported(m)) => panic!("unsupported: {m}"),
    }
}

#[test]
fn lays_out_a_rule_file() {
    let input = "# header\nflexmap: 1\ntarget:   task\ninputs:\n    crm.id: {type: string,   pii: true}   # ids\nconversations:\n\n\n    # the path\n    ivr_path:   ivr.digits|hierarchy   # trailing\n    abandoned: { const: \"No\" }\n    language:\n        value: \"ivr.lang ?? 'x'\"\n        when: 'task.channel==\"voice\"'\n        allow: [ a,b ]\nextra:\n  type: '\"inbound\"'\n";
    let want = "# header\nflexmap: 1\ntarget: task\n\ninputs:\n  crm.id: { type: string, pii: true }  # ids\n\nconversations:\n  # the path\n  ivr_path: ivr.digits | hierarchy  # trailing\n  abandoned: { const: \"No\" }\n  language:\n    value: ivr.lang ?? 'x'\n    when: task.channel == \"voice\"\n    allow: [a, b]\n\nextra:\n  type: '\"inbound\"'\n";
    assert_eq!(fmt(input), want);
    assert_eq!(fmt(want), want);
}

#[test]
fn an_empty_file_stays_empty() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt("\n\n  \n"), "");
    assert_eq!(fmt("# only a comment\n"), "# only a comment\n");
}
