//! Applying mechanical fixes: byte-exact edits, everything else in the file kept as it was.

use crate::diagnostic::{Code, Diagnostic, Edit};

/// The result of one round of fixing.
#[derive(Debug, Default)]
pub struct FixRound {
    /// The new text.
    pub text: String,
    /// `(code, message)` of each fix applied.
    pub applied: Vec<(Code, String)>,
}

/// Applies every fix in `diagnostics` that does not overlap an earlier one. Two fixes of
/// the same code that write the same text (two renames to the same free slot) conflict
/// too: only the first is applied, the next round finds the next free slot.
#[must_use]
pub fn apply(text: &str, diagnostics: &[Diagnostic]) -> FixRound {
    let mut fixes: Vec<(&Diagnostic, &crate::diagnostic::Fix)> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref().map(|f| (d, f)))
        .collect();
    fixes.sort_by_key(|(d, f)| {
        (
            f.edits.iter().map(|e| e.span.start).min().unwrap_or(0),
            d.code,
        )
    });
    let mut accepted: Vec<&Edit> = Vec::new();
    let mut written: Vec<(Code, &str)> = Vec::new();
    let mut applied = Vec::new();
    for (diagnostic, fix) in fixes {
        let valid = fix.edits.iter().all(|e| {
            e.span.end <= text.len()
                && text.is_char_boundary(e.span.start)
                && text.is_char_boundary(e.span.end)
        });
        let overlaps = fix
            .edits
            .iter()
            .any(|e| accepted.iter().any(|a| overlap(a, e)));
        let same_text = fix
            .edits
            .iter()
            .any(|e| written.contains(&(diagnostic.code, e.replacement.as_str())));
        if !valid || overlaps || same_text || fix.edits.is_empty() {
            continue;
        }
        for edit in &fix.edits {
            accepted.push(edit);
            written.push((diagnostic.code, edit.replacement.as_str()));
        }
        applied.push((diagnostic.code, fix.message.clone()));
    }
    accepted.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
    let mut out = text.to_string();
    for edit in accepted {
        out.replace_range(edit.span.range(), &edit.replacement);
    }
    FixRound { text: out, applied }
}

/// Two edits touch the same bytes (two insertions at one point count as touching).
fn overlap(a: &Edit, b: &Edit) -> bool {
    if a.span.is_empty() && b.span.is_empty() {
        return a.span.start == b.span.start;
    }
    a.span.start < b.span.end && b.span.start < a.span.end
        || (a.span.is_empty() && b.span.start < a.span.start && a.span.start < b.span.end)
        || (b.span.is_empty() && a.span.start < b.span.start && b.span.start < a.span.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Ruleset;

    fn fix_all(text: &str) -> String {
        let mut text = text.to_string();
        for _ in 0..5 {
            let diagnostics = Ruleset::from_str(&text, "t.yaml").diagnostics();
            let round = apply(&text, &diagnostics);
            if round.applied.is_empty() {
                break;
            }
            text = round.text;
        }
        text
    }

    #[test]
    fn renames_keep_everything_else_byte_for_byte() {
        let before = "flexmap: 1\ntarget: task\n# comment stays\nconversations:\n  wrapup_time: x   # trailing\n  \"ivr_pth\": y\n  conversation_attribute_11: a\n  conversation_attribute_12: b\n  service_level: { valeu: z }\n";
        let after = "flexmap: 1\ntarget: task\n# comment stays\nconversations:\n  wrap_up_time: x   # trailing\n  \"ivr_path\": y\n  conversation_attribute_1: a\n  conversation_attribute_2: b\n  service_level: { value: z }\n";
        assert_eq!(fix_all(before), after);
    }

    #[test]
    fn quoted_keys_stay_quoted() {
        let before = "flexmap: 1\ntarget: task\nconversations:\n  'conversaton_label_1': a\n  \"wrapup_time\": b\n";
        let after = "flexmap: 1\ntarget: task\nconversations:\n  'conversation_label_1': a\n  \"wrap_up_time\": b\n";
        assert_eq!(fix_all(before), after);
    }

    #[test]
    fn a_misspelt_filter_is_renamed() {
        let before = "flexmap: 1\ntarget: task\nconversations:\n  content: crm.subject | titel | truncate(100)\n";
        let after = "flexmap: 1\ntarget: task\nconversations:\n  content: crm.subject | title | truncate(100)\n";
        assert_eq!(fix_all(before), after);
        // Inside a double-quoted scalar with escapes the name's bytes are still found exactly.
        let before = "flexmap: 1\ntarget: task\nconversations:\n  content: \"crm.tier | lowr ++ \\\"x\\\"\"\n";
        let after = "flexmap: 1\ntarget: task\nconversations:\n  content: \"crm.tier | lower ++ \\\"x\\\"\"\n";
        assert_eq!(fix_all(before), after);
    }

    #[test]
    fn a_repeated_identical_entry_is_removed_and_a_different_one_is_not() {
        let before = "flexmap: 1\ntarget: task\nconversations:\n  content: crm.a   # one\n  channel: crm.c\n  content: crm.a   # two\n";
        let after = "flexmap: 1\ntarget: task\nconversations:\n  content: crm.a   # one\n  channel: crm.c\n";
        assert_eq!(fix_all(before), after);
        let ambiguous =
            "flexmap: 1\ntarget: task\nconversations:\n  content: crm.a\n  content: crm.b\n";
        assert_eq!(fix_all(ambiguous), ambiguous);
        let flow = "flexmap: 1\ntarget: task\nconversations: { content: crm.a, content: crm.a }\n";
        assert_eq!(fix_all(flow), flow);
    }

    #[test]
    fn overlapping_edits_wait_for_the_next_round() {
        let a = Edit::replace(crate::source::Span::new(0, 5), "x");
        let b = Edit::replace(crate::source::Span::new(3, 8), "y");
        let c = Edit::insert(8, "z");
        assert!(overlap(&a, &b));
        assert!(!overlap(&a, &c));
        assert!(!overlap(&b, &c));
        assert!(overlap(&c, &Edit::insert(8, "w")));
    }
}
