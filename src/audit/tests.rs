//! Tests of the audit: each check fires on its mistake and stays silent on the correct twin,
//! spans point at the exact key or value, and no input makes it panic.

use super::*;
use crate::diagnostic::Severity;

fn report(text: &str, target: Option<Target>) -> (SourceFile, AuditReport) {
    let source = SourceFile::new("t.ndjson", text);
    let report = audit(&source, target);
    (source, report)
}

/// The findings of `code` as `line:col level <the spanned text>`.
fn found(text: &str, code: Code) -> Vec<String> {
    found_as(text, code, None)
}

fn found_as(text: &str, code: Code, target: Option<Target>) -> Vec<String> {
    let (source, report) = report(text, target);
    report
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .map(|d| {
            let (line, column) = d.line_col();
            format!(
                "{line}:{column} {} {}",
                d.severity.name(),
                source.slice(d.primary_span())
            )
        })
        .collect()
}

/// Every finding as `CODE message (help: …)`.
fn messages(text: &str) -> Vec<String> {
    let (_, report) = report(text, None);
    report
        .diagnostics
        .iter()
        .map(|d| {
            format!(
                "{} {} (help: {})",
                d.code.as_str(),
                d.message,
                d.help.as_deref().unwrap_or("")
            )
        })
        .collect()
}

fn codes(text: &str) -> Vec<&'static str> {
    let (_, report) = report(text, None);
    report.diagnostics.iter().map(|d| d.code.as_str()).collect()
}

#[test]
fn unknown_conversations_key_with_did_you_mean() {
    let text = r#"{"conversations": {"wrapup_time": 35}}"#;
    assert_eq!(
        found(text, Code::UnknownTarget),
        ["1:20 error \"wrapup_time\""]
    );
    assert_eq!(
        messages(text),
        [
            "FM101 line 1, /conversations/wrapup_time: not a `conversations` field Insights knows (help: did you mean `wrap_up_time`? Insights spells it `wrap_up_time`; `wrapup_time` is silently ignored)"
        ]
    );
    assert!(codes(r#"{"conversations": {"wrap_up_time": 35}}"#).is_empty());
    assert_eq!(
        messages(r#"{"customers": {"organisation": "Acme"}}"#),
        [
            "FM101 line 1, /customers/organisation: not a `customers` field Insights knows (help: did you mean `organization`?)"
        ]
    );
    assert_eq!(
        messages(r#"{"conversations": {"sentiment": "happy"}}"#),
        [
            "FM101 line 1, /conversations/sentiment: not a `conversations` field Insights knows (help: Insights silently ignores it: use a field of the Insights catalog or a custom slot (`conversation_attribute_N`))"
        ]
    );
}

#[test]
fn worker_names_under_conversations_get_the_curated_hint() {
    let messages = messages(r#"{"conversations": {"team_name": "Billing"}}"#);
    assert_eq!(messages.len(), 1);
    assert!(messages[0].starts_with("FM101 line 1, /conversations/team_name:"));
    assert!(messages[0].contains("did you mean `handling_team_name`?"));
}

#[test]
fn wrong_section() {
    let text = r#"{"conversations": {"customer_label_1": "x", "external_id": "C1"}}"#;
    assert_eq!(
        found(text, Code::WrongSection),
        [
            "1:20 error \"customer_label_1\"",
            "1:45 error \"external_id\""
        ]
    );
    assert_eq!(
        messages(text)[0],
        "FM102 line 1, /conversations/customer_label_1: `customer_label_1` is a `customers` field, not a `conversations` field (help: move it into `/customers`)"
    );
    assert!(codes(r#"{"customers": {"customer_label_1": "x", "external_id": "C1"}}"#).is_empty());
}

#[test]
fn slot_out_of_range() {
    let text =
        r#"{"conversations": {"conversation_attribute_1": "a", "conversation_attribute_11": "b"}}"#;
    assert_eq!(
        found(text, Code::SlotOverflow),
        ["1:53 error \"conversation_attribute_11\""]
    );
    assert_eq!(
        messages(text),
        [
            "FM201 line 1, /conversations/conversation_attribute_11: conversations has attribute slots 1 to 10, not 11 (help: use `conversation_attribute_2`, the first attribute slot this record leaves free; Insights silently ignores `conversation_attribute_11`)"
        ]
    );
    assert!(codes(r#"{"conversations": {"conversation_attribute_10": "b"}}"#).is_empty());
    assert_eq!(
        messages(r#"{"customers": {"customer_measure_1": 3}}"#),
        [
            "FM201 line 1, /customers/customer_measure_1: customers has no measure slots (help: customers has only attribute and label slots)"
        ]
    );
    assert_eq!(
        messages(r#"{"conversations": {"customer_attribute_4": "x"}}"#),
        [
            "FM201 line 1, /conversations/customer_attribute_4: customers has attribute slots 1 to 3, not 4 (help: under `conversations`, use `conversation_attribute_N` (N from 1 to 10))"
        ]
    );
    assert_eq!(
        found(
            r#"{"full_name": "Ann", "agent_label_4": "x"}"#,
            Code::SlotOverflow
        ),
        ["1:22 error \"agent_label_4\""]
    );
}

#[test]
fn root_near_misses_of_the_insights_objects() {
    let text = r#"{"type": "inbound", "conversation": {"abandoned": "No"}, "Customers": {}}"#;
    assert_eq!(
        found(text, Code::UnknownTarget),
        ["1:21 error \"conversation\"", "1:58 error \"Customers\""]
    );
    assert!(messages(text)[0].contains("did you mean `conversations`?"));
    // Routing attributes at the root are fine, even when they look a little like the objects.
    let routing = r#"{"type": "inbound", "customerId": "C1", "skills": ["es"], "conversationSid": "CH1", "conversations": {}}"#;
    assert!(codes(routing).is_empty());
}

#[test]
fn worker_unknown_keys_are_silent_and_near_misses_get_an_info() {
    let routing = r#"{"full_name": "Ann", "skills": ["billing"], "roles": ["agent"], "routing": {"levels": {"billing": 3}}, "contact_uri": "client:ann"}"#;
    assert!(codes(routing).is_empty());
    let text = r#"{"full_nme": "Ann", "team_nam": "Sales", "department": "Care"}"#;
    assert_eq!(
        found(text, Code::UnknownTarget),
        [
            "1:2 info \"full_nme\"",
            "1:21 info \"team_nam\"",
            "1:42 info \"department\""
        ]
    );
    let (_, report) = report(text, None);
    assert!(
        report
            .diagnostics
            .iter()
            .all(|d| d.severity == Severity::Info)
    );
    assert_eq!(
        messages(text)[1],
        "FM101 line 1, /team_nam: `team_nam` is not an Insights worker field; `team_name` is (help: did you mean `team_name`? If it is a routing attribute, ignore this: worker attributes may hold other data)"
    );
}

#[test]
fn value_too_long_counts_characters() {
    let long = format!(
        r#"{{"conversations": {{"content": "{}"}}}}"#,
        "é".repeat(129)
    );
    assert_eq!(found(&long, Code::ValueTooLong).len(), 1);
    assert_eq!(
        messages(&long),
        [
            "FM301 line 1, /conversations/content: the value is 129 characters; Insights keeps the first 128 (help: shorten it before sending (in a flexmap rule: `| truncate(128)`); long free text also eats into the workspace's 2-billion distinct-value budget)"
        ]
    );
    let fits = format!(
        r#"{{"conversations": {{"content": "{}"}}}}"#,
        "é".repeat(128)
    );
    assert!(codes(&fits).is_empty());
    // Label and worker text fields count too; measures are not text.
    let worker = format!(r#"{{"agent_label_1": "{}"}}"#, "x".repeat(200));
    assert_eq!(
        found(&worker, Code::ValueTooLong),
        [format!("1:19 warning \"{}\"", "x".repeat(200))]
    );
}

#[test]
fn measures_must_be_numbers() {
    let text = r#"{"conversations": {"conversation_measure_1": "n/a", "conversation_measure_2": "4", "hold_time": 30, "ivr_time": "12.5"}}"#;
    assert_eq!(
        found(text, Code::TypeMismatch),
        [
            "1:46 error \"n/a\"",
            "1:79 warning \"4\"",
            "1:113 warning \"12.5\""
        ]
    );
    let messages = messages(text);
    assert_eq!(
        messages[1],
        "FM303 line 1, /conversations/conversation_measure_2: `\"4\"` is a number sent as a string (help: send the number itself (`4`): Insights reads a number here)"
    );
    assert!(
        messages[2]
            .contains("send the number itself (`12.5`): Insights reads a number of seconds here")
    );
    assert!(
        codes(r#"{"conversations": {"conversation_measure_1": 4.5, "hold_time": 0}}"#).is_empty()
    );
    assert_eq!(
        found(
            r#"{"customers": {"business_value": true}}"#,
            Code::TypeMismatch
        ),
        ["1:34 error true"]
    );
}

#[test]
fn shapes_where_text_belongs() {
    let text = r#"{"conversations": {"language": ["en", "es"], "campaign": {"name": "Q3"}, "queue": 7, "virtual": null}}"#;
    assert_eq!(
        found(text, Code::TypeMismatch),
        [
            "1:32 error [\"en\", \"es\"]",
            "1:58 error {\"name\": \"Q3\"}"
        ]
    );
    assert_eq!(
        messages(text)[0],
        "FM303 line 1, /conversations/language: an array where text belongs (help: send text; Insights cannot read an array here and drops it)"
    );
    assert_eq!(
        found(r#"{"conversations": "voice"}"#, Code::TypeMismatch),
        ["1:19 error \"voice\""]
    );
    assert!(codes(r#"{"conversations": null, "customers": {}}"#).is_empty());
}

#[test]
fn media_must_be_an_array_of_objects() {
    assert_eq!(
        found(
            r#"{"conversations": {"media": "https://x.example/r.mp3"}}"#,
            Code::TypeMismatch
        ),
        ["1:29 error \"https://x.example/r.mp3\""]
    );
    let text = r#"{"conversations": {"media": [{"type": "VoiceRecording", "url": "https://x.example/r.mp3"}, "CH1", {"type": "Video", "url": "r.mp3"}]}}"#;
    assert_eq!(found(text, Code::TypeMismatch), ["1:92 error \"CH1\""]);
    assert_eq!(
        found(text, Code::InvalidEnumValue),
        ["1:108 warning \"Video\""]
    );
    assert_eq!(found(text, Code::InvalidUrl), ["1:124 warning \"r.mp3\""]);
    assert!(messages(text)[0].starts_with(
        "FM303 line 1, /conversations/media/1: a string where a media object belongs"
    ));
    let fine = r#"{"conversations": {"media": [{"type": "ChatTranscript", "sid": "CH1"}, {"conversation_sid": "CH2"}]}}"#;
    assert!(codes(fine).is_empty());
    let reservation =
        r#"{"reservation_attributes": {"WR1": {"media": {"type": "Raw"}}}, "conversations": {}}"#;
    assert_eq!(
        messages(reservation),
        [
            "FM303 line 1, /reservation_attributes/WR1/media: an object where an array of media objects belongs (help: send an array of media objects; Insights cannot read an object here and drops it)"
        ]
    );
}

#[test]
fn enum_values_are_checked_as_written() {
    let text = r#"{"conversations": {"abandoned": "yes", "abandoned_phase": "IVR", "direction": "Inbound"}}"#;
    assert_eq!(
        found(text, Code::InvalidEnumValue),
        ["1:33 warning \"yes\"", "1:59 warning \"IVR\""]
    );
    let messages = messages(text);
    assert_eq!(
        messages[0],
        "FM304 line 1, /conversations/abandoned: `\"yes\"` is not a documented value of `abandoned` (Yes, No, Follow-Up) (help: write `Yes`: Insights values are case-sensitive, so `\"yes\"` becomes a bucket of its own in reports)"
    );
    assert!(messages[1].contains("Insights leaves IVR hang-ups out of abandonment"));
    assert!(codes(r#"{"conversations": {"abandoned": "Follow-Up", "abandoned_phase": "Voicemail", "direction": "Inbound"}}"#).is_empty());
    // Follow-Up is inbound only (issue 9: audit's FM106 lacked this rule).
    assert_eq!(
        codes(
            r#"{"conversations": {"abandoned": "Follow-Up", "abandoned_phase": "Voicemail", "direction": "Outbound"}}"#
        ),
        ["FM106"]
    );
    assert_eq!(
        found(
            r#"{"conversations": {"abandoned": 0}}"#,
            Code::InvalidEnumValue
        ),
        ["1:33 warning 0"]
    );
}

#[test]
fn yes_no_flags() {
    let text = r#"{"conversations": {"in_business_hours": true, "virtual": "no", "productive": "1", "abandoned": "No"}}"#;
    assert_eq!(
        found(text, Code::InvalidEnumValue),
        [
            "1:41 warning true",
            "1:58 warning \"no\"",
            "1:78 warning \"1\""
        ]
    );
    let messages = messages(text);
    assert!(messages[0].ends_with("(help: send the string `\"Yes\"`)"));
    assert!(messages[1].contains("write `No`: Insights values are case-sensitive"));
    assert!(messages[2].contains("write `Yes`: Insights keeps the text as sent"));
    assert!(
        codes(r#"{"conversations": {"in_business_hours": "Yes", "virtual": "No"}}"#).is_empty()
    );
}

#[test]
fn dates() {
    let text = r#"{"conversations": {"date": 17096490000000}, "customers": {"acquisition_date": "1899-12-30"}}"#;
    assert_eq!(
        found(text, Code::DateOutOfRange),
        ["1:28 error 17096490000000", "1:79 error \"1899-12-30\""]
    );
    assert_eq!(
        found(
            r#"{"customers": {"acquisition_date": "next tuesday"}}"#,
            Code::DateOutOfRange
        ),
        ["1:36 warning \"next tuesday\""]
    );
    assert!(codes(r#"{"conversations": {"date": 1709649000000}, "customers": {"acquisition_date": "2019-04-01"}}"#).is_empty());
    // Numbers are epoch milliseconds, as written: 1971-08-21 is not taken for seconds (found
    // by the `expression` fuzzer: flexmap's own output disagreed with audit).
    assert!(codes(r#"{"conversations": {"date": 51591559000}}"#).is_empty());
    assert!(codes(r#"{"conversations": {"date": -2177452800000}}"#).is_empty());
    assert_eq!(
        found(
            r#"{"conversations": {"date": -2177452800001}}"#,
            Code::DateOutOfRange
        ),
        ["1:28 error -2177452800001"]
    );
}

#[test]
fn urls() {
    let text = r#"{"conversations": {"segment_link": "/Recordings/RE1"}, "customers": {"customer_link": 42}}"#;
    assert_eq!(
        found(text, Code::InvalidUrl),
        ["1:36 warning \"/Recordings/RE1\""]
    );
    assert_eq!(found(text, Code::TypeMismatch), ["1:87 error 42"]);
    assert!(codes(r#"{"customers": {"customer_link": "https://crm.example.com/c/1"}}"#).is_empty());
}

#[test]
fn names_without_ids() {
    let text = r#"{"conversations": {"handling_team_name": "Sales", "handling_department_name": "Care", "handling_department_id": ""}}"#;
    assert_eq!(
        found(text, Code::MissingDependency),
        [
            "1:20 error \"handling_team_name\"",
            "1:51 error \"handling_department_name\""
        ]
    );
    assert_eq!(
        messages(text)[0],
        "FM103 line 1, /conversations/handling_team_name: `handling_team_name` is set without `handling_team_id` (help: add `handling_team_id` next to it: Insights does not show `handling_team_name` without its id (teams without ids send the name as the id too))"
    );
    assert!(
        codes(r#"{"conversations": {"handling_team_name": "Sales", "handling_team_id": "WQ1"}}"#)
            .is_empty()
    );
    let worker = r#"{"team_name": "Sales", "department_name": "Care", "department_id": "D1"}"#;
    assert_eq!(
        found(worker, Code::MissingDependency),
        ["1:2 error \"team_name\""]
    );
    assert!(codes(r#"{"team_name": "Sales", "team_id": "T1"}"#).is_empty());
    // A blank name needs no id.
    assert!(codes(r#"{"team_name": ""}"#).is_empty());
}

#[test]
fn kind_set_by_hand() {
    let text = r#"{"conversations": {"kind": "Conversation", "abandoned": "No"}}"#;
    assert_eq!(found(text, Code::ReadOnlyTarget), ["1:20 error \"kind\""]);
    assert_eq!(
        messages(text),
        [
            "FM105 line 1, /conversations/kind: `kind` must not be set by hand (help: remove it; to tag segments, write the value to a custom attribute such as `conversation_attribute_1`)"
        ]
    );
    // Only FM105, not also an enum finding, even for a value Insights does not know.
    assert_eq!(
        codes(r#"{"conversations": {"kind": "Callback"}}"#),
        ["FM105"]
    );
    assert!(codes(r#"{"conversations": {"kind": null}}"#).is_empty());
}

#[test]
fn callback_request_needs_follow_up() {
    let text = r#"{"conversations": {"abandoned": "Yes", "abandoned_phase": "Callback Request"}}"#;
    assert_eq!(
        found(text, Code::InconsistentValues),
        ["1:59 error \"Callback Request\""]
    );
    let (source, report) = report(text, None);
    let secondary: Vec<&str> = report.diagnostics[0]
        .labels
        .iter()
        .filter(|l| !l.primary)
        .map(|l| source.slice(l.span))
        .collect();
    assert_eq!(secondary, ["\"Yes\""]);
    assert_eq!(
        messages(text)[0],
        "FM106 line 1, /conversations/abandoned_phase: `abandoned_phase` is `Callback Request`, which needs `abandoned` to be `Follow-Up`, not `Yes` (help: set `abandoned` to `Follow-Up`, or use another `abandoned_phase`)"
    );
    assert!(
        messages(r#"{"conversations": {"abandoned_phase": "Callback Request"}}"#)[0]
            .contains("but nothing sets `abandoned` to `Follow-Up`")
    );
    assert!(codes(r#"{"conversations": {"abandoned": "Follow-Up", "abandoned_phase": "Callback Request"}}"#).is_empty());
}

#[test]
fn payload_over_the_cap() {
    // `{"a":"…"}` is 8 characters around the value.
    let record = |n: usize| format!(r#"{{"a":"{}"}}"#, "é".repeat(n - 8));
    assert_eq!(record(4096).chars().count(), 4096);
    assert!(codes(&record(4096)).is_empty());
    let over = record(4097);
    assert_eq!(
        found(&over, Code::PayloadTooLarge),
        [format!("1:1 warning {over}")]
    );
    assert_eq!(
        messages(&over)[0],
        "FM308 line 1: the attributes JSON is 4,097 characters, over TaskRouter's 4096-character cap (help: TaskRouter rejects an update whose attributes exceed 4096 characters (whitespace included), so none of it reaches Insights: drop data Insights does not need, shorten long values, or send compact JSON)"
    );
    // Whitespace counts.
    let spaced = format!(r#"{{"a":   "{}"}}"#, "x".repeat(4089 - 8));
    assert_eq!(spaced.chars().count(), 4092);
    assert!(codes(&spaced).is_empty());
    let spaced = format!(r#"{{"a":        "{}"}}"#, "x".repeat(4089 - 8));
    assert_eq!(spaced.chars().count(), 4097);
    assert_eq!(codes(&spaced), ["FM308"]);
}

#[test]
fn placeholders_anywhere() {
    let text = r#"{"crm": "[object Object]", "note": "Sales undefined", "tags": ["NaN"], "conversations": {"conversation_measure_1": "NaN", "abandoned": "undefined", "language": "null"}}"#;
    assert_eq!(
        found(text, Code::PlaceholderValue),
        [
            "1:9 warning \"[object Object]\"",
            "1:36 warning \"Sales undefined\"",
            "1:64 warning \"NaN\"",
            "1:116 warning \"NaN\"",
            "1:136 warning \"undefined\"",
            "1:161 warning \"null\""
        ]
    );
    // An exact placeholder is reported once, not again as a bad number or enum value.
    assert_eq!(codes(text), ["FM309"; 6]);
    let messages = messages(text);
    assert_eq!(
        messages[1],
        "FM309 line 1, /note: the value contains the placeholder `undefined` (help: JavaScript wrote `undefined` for missing data: leave the key out when there is no value)"
    );
    assert!(messages[2].starts_with("FM309 line 1, /tags/0: the value is the placeholder `NaN`"));
    assert!(messages[5].contains("send JSON null or leave the key out"));
    let clean = r#"{"a": "undefinedness", "b": "Nana", "c": "nullable", "d": "null value", "e": "NaNa", "f": "Undefined"}"#;
    assert!(codes(clean).is_empty());
    // A number with a placeholder inside is still a bad measure.
    assert_eq!(
        codes(r#"{"conversations": {"conversation_measure_1": "NaN ms"}}"#),
        ["FM303", "FM309"]
    );
}

#[test]
fn placeholder_tokens() {
    assert_eq!(placeholder("null"), Some("null"));
    assert_eq!(placeholder(" null "), Some("null"));
    assert_eq!(placeholder("null value"), None);
    assert_eq!(placeholder("x[object Object]"), Some("[object Object]"));
    assert_eq!(placeholder("id-NaN"), Some("NaN"));
    assert_eq!(placeholder("undefined_x"), None);
    assert_eq!(placeholder("éundefined"), None);
    assert_eq!(placeholder("(undefined)"), Some("undefined"));
    assert_eq!(placeholder(""), None);
}

#[test]
fn json_pointers_escape_slash_and_tilde() {
    let text = r#"{"a/b~c": {"d": "undefined"}, "conversations": {}}"#;
    assert!(messages(text)[0].starts_with("FM309 line 1, /a~1b~0c/d: "));
}

#[test]
fn malformed_lines() {
    let text = "{\"conversations\": {\"abandoned\": x}}\n[1, 2]\n42\n\"[]\"\n\"{\\\"a\\\": }\"\n{\"conversations\": {\"abandoned\": \"No\"\n";
    let (_, audited) = report(text, None);
    assert_eq!((audited.lines, audited.malformed_lines()), (6, 6));
    assert_eq!(
        found(text, Code::MalformedRecord),
        [
            "1:33 error x",
            "2:1 error [1, 2]",
            "3:1 error 42",
            "4:1 error \"[]\"",
            "5:10 error }",
            "6:36 error \""
        ]
    );
    assert_eq!(
        messages(text),
        [
            "FM010 line 1: not valid JSON: expected value (help: each line must hold one attributes object (`{…}`), or a JSON string of one as TaskRouter stores it)",
            "FM010 line 2: not a JSON object (found an array) (help: each line must hold one attributes object (`{…}`), or a JSON string of one as TaskRouter stores it)",
            "FM010 line 3: not a JSON object (found a number) (help: each line must hold one attributes object (`{…}`), or a JSON string of one as TaskRouter stores it)",
            "FM010 line 4: a JSON string that holds an array, not an attributes object (help: each line must hold one attributes object (`{…}`), or a JSON string of one as TaskRouter stores it)",
            "FM010 line 5: a JSON string whose text is not valid JSON: expected value (help: each line must hold one attributes object (`{…}`), or a JSON string of one as TaskRouter stores it)",
            "FM010 line 6: not valid JSON: EOF while parsing an object (help: each line must hold one attributes object (`{…}`), or a JSON string of one as TaskRouter stores it)",
        ]
    );
}

#[test]
fn attributes_stored_as_a_json_string_point_into_the_escaped_text() {
    let text = r#""{\"conversations\":{\"wrapup_time\":1,\"in_business_hours\":\"true\"},\"note\":\"caf\u00e9 undefined\"}""#;
    let (_, audited) = report(text, None);
    assert_eq!((audited.lines, audited.task_lines), (1, 1));
    assert_eq!(
        found(text, Code::UnknownTarget),
        [r#"1:22 error \"wrapup_time\""#]
    );
    assert_eq!(
        found(text, Code::InvalidEnumValue),
        [r#"1:62 warning \"true\""#]
    );
    assert_eq!(
        found(text, Code::PlaceholderValue),
        [r#"1:81 warning \"caf\u00e9 undefined\""#]
    );
}

#[test]
fn spans_are_lines_and_columns_of_the_file() {
    let text = "\u{feff}{\"full_name\": \"Ann\"}\r\n\r\n  \n{\"type\": \"inbound\", \"conversations\": {\"wrapup_time\": 1, \"conversation_measure_1\": \"é?\"}}\r\n";
    let (source, audited) = report(text, None);
    assert_eq!(
        (audited.lines, audited.task_lines, audited.worker_lines),
        (2, 1, 1)
    );
    let positions: Vec<(usize, usize, &str)> = audited
        .diagnostics
        .iter()
        .map(|d| {
            let (line, column) = d.line_col();
            (line, column, source.slice(d.primary_span()))
        })
        .collect();
    assert_eq!(positions, [(4, 39, "\"wrapup_time\""), (4, 83, "\"é?\"")]);
}

#[test]
fn target_detection_and_override() {
    let text = "{\"conversations\": {}}\n{\"customers\": {}}\n{\"conversation\": {}}\n{\"full_name\": \"Ann\"}\n{}\n";
    let (_, audited) = report(text, None);
    assert_eq!(
        (audited.lines, audited.task_lines, audited.worker_lines),
        (5, 3, 2)
    );
    let (_, forced) = report(text, Some(Target::Worker));
    assert_eq!((forced.task_lines, forced.worker_lines), (0, 5));
    // Checked as a task, a worker field at the root is a routing attribute: silent.
    assert!(
        found_as(
            r#"{"team_name": "Sales"}"#,
            Code::MissingDependency,
            Some(Target::Task)
        )
        .is_empty()
    );
    assert_eq!(
        found_as(
            r#"{"team_name": "Sales"}"#,
            Code::MissingDependency,
            Some(Target::Worker)
        ),
        ["1:2 error \"team_name\""]
    );
}

#[test]
fn findings_are_sorted_and_carry_the_source() {
    let text =
        "{\"conversations\": {\"kind\": \"Queue\", \"wrapup_time\": 1}}\n{\"team_name\": \"x\"}\n";
    let (_, audited) = report(text, None);
    let order: Vec<(usize, &str)> = audited
        .diagnostics
        .iter()
        .map(|d| (d.line_col().0, d.code.as_str()))
        .collect();
    assert_eq!(order, [(1, "FM105"), (1, "FM101"), (2, "FM103")]);
    assert!(
        audited
            .diagnostics
            .iter()
            .all(|d| d.file_name() == "t.ndjson")
    );
}

#[test]
fn empty_and_blank_input() {
    for text in ["", "\n", "\r\n", "  \n\t\n"] {
        let (_, audited) = report(text, None);
        assert_eq!(audited.lines, 0, "{text:?}");
        assert!(audited.diagnostics.is_empty());
    }
    // Only JSON whitespace is blank: a no-break space is not.
    assert_eq!(
        found("\u{a0}\n", Code::MalformedRecord),
        ["1:1 error \u{a0}"]
    );
}

/// Fuzz-ish: prefixes of every line of the sample (about 150 per line), prefixes of the whole
/// file at a stride, and lines with one character replaced by JSON punctuation: never a panic,
/// and every span on character boundaries inside the text.
#[test]
fn never_panics_on_prefixes_and_mutations_of_the_sample() {
    let sample = include_str!("../../rules-examples/audit/exported-task-attributes.ndjson");
    let check = |text: &str, target: Option<Target>| {
        let (source, audited) = report(text, target);
        for d in &audited.diagnostics {
            for label in &d.labels {
                assert!(label.span.end <= text.len(), "{text:?}");
                assert!(text.is_char_boundary(label.span.start), "{text:?}");
                assert!(text.is_char_boundary(label.span.end), "{text:?}");
            }
            let _ = source.slice(d.primary_span());
        }
    };
    for line in sample.lines() {
        let stride = (line.len() / 150).max(1);
        for (index, (at, _)) in line.char_indices().step_by(stride).enumerate() {
            let target = [None, Some(Target::Task), Some(Target::Worker)][index % 3];
            check(&line[..at], target);
        }
        let stride = (line.len() / 40).max(1);
        for (at, ch) in line.char_indices().step_by(stride) {
            for replacement in ["\"", "{", "}", "\\", ":", ",", "]"] {
                let mut mutated = String::with_capacity(line.len());
                mutated.push_str(&line[..at]);
                mutated.push_str(replacement);
                mutated.push_str(&line[at + ch.len_utf8()..]);
                check(&mutated, None);
            }
        }
    }
    for (at, _) in sample.char_indices().step_by(997) {
        check(&sample[..at], None);
    }
}

#[test]
fn redact_masks_values_and_keeps_keys_and_offsets() {
    let line =
        r#"{"conversations": {"email_x": "ann@example.com", "n": 12, "ok": true, "é": "ünï\"q"}}"#;
    let masked = redact(line);
    assert_eq!(
        masked,
        r#"{"conversations": {"email_x": "***************", "n": ##, "ok": true, "é": "·*·***"}}"#
    );
    assert_eq!(masked.len(), line.len());
    let stored = r#""{\"a\": \"secret\"}""#;
    let masked = redact(stored);
    assert!(
        !masked.contains("secret") && masked.len() == stored.len(),
        "{masked}"
    );
    // Not JSON at all, an unterminated string, a lone quote: still masked, never a panic.
    for text in [
        "{\"a\": \"sec",
        "\"",
        "\\\"x",
        "{\"k\" : 1e5}\n\"v\"",
        "é\"é",
    ] {
        let masked = redact(text);
        assert_eq!(masked.len(), text.len(), "{text:?}");
    }
}

/// Issue 10 item 5: without `show_values` no message, label or help quotes a record value.
#[test]
fn values_stay_out_of_messages_unless_shown() {
    let text = r#"{"conversations": {"abandoned": "ann@example.com", "abandoned_phase": "Callback Request", "hold_time": "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "queue_time": "12345678901", "date": "not-a-date-4111111111111111", "direction": 4111111111111111}}"#;
    let source = SourceFile::new("t.ndjson", text);
    let quiet = audit_with(
        &source,
        &AuditOptions {
            target: None,
            show_values: false,
        },
    );
    assert!(!quiet.diagnostics.is_empty());
    for d in &quiet.diagnostics {
        let all = format!(
            "{} {} {:?}",
            d.message,
            d.help.as_deref().unwrap_or(""),
            d.labels
                .iter()
                .map(|l| l.message.clone())
                .collect::<Vec<_>>()
        );
        for secret in [
            "ann@",
            "sk_live",
            "12345678901",
            "4111111111111111",
            "not-a-date",
        ] {
            assert!(!all.contains(secret), "{secret} leaked: {all}");
        }
    }
    assert!(
        quiet
            .diagnostics
            .iter()
            .any(|d| d.message.contains("the value (15 characters)")),
        "{:#?}",
        quiet
            .diagnostics
            .iter()
            .map(|d| &d.message)
            .collect::<Vec<_>>()
    );
    let shown = audit_with(
        &source,
        &AuditOptions {
            target: None,
            show_values: true,
        },
    );
    let all = shown
        .diagnostics
        .iter()
        .map(|d| format!("{} {:?}", d.message, d.help))
        .collect::<Vec<_>>()
        .join("\n");
    for secret in [
        "ann@example.com",
        "sk_live",
        "12345678901",
        "4111111111111111",
    ] {
        assert!(all.contains(secret), "{secret} not shown: {all}");
    }
}

/// Issue 9: audit's copy of FM106 lacked the Outbound/Follow-Up rule. Audit and lint now read
/// one definition (`catalog::rules`): the same finding, with the same message and help, for a
/// record and for a rule file that writes the same values.
#[test]
fn fm106_matches_lint_on_an_equivalent_rule_file() {
    let lint = |body: &str| -> Vec<(String, Option<String>)> {
        let text = format!("flexmap: 1\ntarget: task\nconversations:\n{body}");
        crate::Ruleset::from_str(&text, "test.yaml")
            .diagnostics()
            .into_iter()
            .filter(|d| d.code == Code::InconsistentValues)
            .map(|d| (d.message, d.help))
            .collect()
    };
    let audited = |line: &str| -> Vec<(String, Option<String>)> {
        let (_, report) = report(line, None);
        report
            .diagnostics
            .into_iter()
            .filter(|d| d.code == Code::InconsistentValues)
            .map(|d| {
                let message = d.message.split_once(": ").map(|(_, m)| m.to_string());
                (message.unwrap_or_default(), d.help)
            })
            .collect()
    };
    for (record, rules) in [
        (
            r#"{"conversations": {"direction": "Outbound", "abandoned": "Follow-Up"}}"#,
            "  direction: { const: Outbound }\n  abandoned: { const: Follow-Up }\n",
        ),
        (
            r#"{"conversations": {"abandoned": "Yes", "abandoned_phase": "Callback Request"}}"#,
            "  abandoned: { const: \"Yes\" }\n  abandoned_phase: { const: Callback Request }\n",
        ),
        (
            r#"{"conversations": {"abandoned_phase": "Callback Request"}}"#,
            "  abandoned_phase: { const: Callback Request }\n",
        ),
    ] {
        let from_lint = lint(rules);
        assert_eq!(from_lint.len(), 1, "{rules}");
        assert_eq!(audited(record), from_lint, "{record}");
    }
    let (_, report) = report(
        r#"{"conversations": {"direction": "Outbound", "abandoned": "Follow-Up"}}"#,
        None,
    );
    let found = &report.diagnostics[0];
    assert!(
        found
            .message
            .starts_with("line 1, /conversations/abandoned: "),
        "{}",
        found.message
    );
    assert_eq!(found.labels.len(), 2);
    assert!(
        codes(r#"{"conversations": {"direction": "Inbound", "abandoned": "Follow-Up"}}"#)
            .is_empty()
    );
}

/// Issue 9 item 8: identifiers in attribute slots (FM204, judged by the value's shape) and
/// hierarchy values joined with another separator (FM307); the messages never quote the value.
#[test]
fn identifier_shapes_in_attribute_slots_and_hierarchy_separators() {
    for (value, kind) in [
        ("5003000000D8cuI", "a Salesforce ID"),
        ("0015g00000XyZabAAB", "a Salesforce ID"),
        ("WT0123456789abcdef0123456789abcdef", "a Twilio SID"),
        ("CA12c9791e558e08baa7196b50ac2f8670", "a Twilio SID"),
        ("123e4567-e89b-12d3-a456-426614174000", "a UUID"),
        ("ann@zorblatt.io", "an e-mail address"),
        ("+14155552671", "a phone number"),
    ] {
        let line = format!(r#"{{"conversations": {{"conversation_attribute_1": "{value}"}}}}"#);
        let (_, report) = report(&line, None);
        let found: Vec<String> = report
            .diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{} {} {}",
                    d.code.as_str(),
                    d.message,
                    d.help.as_deref().unwrap_or("")
                )
            })
            .collect();
        assert_eq!(found.len(), 1, "{value}: {found:?}");
        assert!(found[0].starts_with("FM204 line 1, /conversations/conversation_attribute_1: `conversation_attribute_1` holds what looks like "), "{found:?}");
        assert!(
            found[0].contains(kind) && found[0].contains("conversation_label_1"),
            "{found:?}"
        );
        assert!(!found[0].contains(value), "{value} quoted: {found:?}");
    }
    for value in [
        "Billing",
        "Premium customer",
        "12345",
        "2024-03-05",
        "2024-03-05T14:30:00Z",
        "Sales/EMEA",
        "ABCDEFGHIJKLMNO",
        "internationalization",
        "1000000000",
        "+44",
        "a@b",
        "Yes",
        "https://example.com/x",
    ] {
        let line = format!(r#"{{"conversations": {{"conversation_attribute_2": "{value}"}}}}"#);
        assert!(codes(&line).is_empty(), "{value}: {:?}", codes(&line));
    }
    // Label slots and ID fields hold identifiers by design.
    assert!(codes(r#"{"conversations": {"conversation_label_1": "5003000000D8cuI", "case": "5003000000D8cuI"}, "customers": {"external_id": "0015g00000XyZabAAB", "email": "ann@zorblatt.io"}}"#).is_empty());
    // FM307.
    assert_eq!(
        messages(r#"{"conversations": {"ivr_path": "Billing/Invoices"}}"#),
        [
            "FM307 line 1, /conversations/ivr_path: `ivr_path` joins its 2 levels with `/` instead of `\" ▸ \"` (help: join the levels with \" ▸ \" (space, U+25B8, space): Insights splits `ivr_path` into levels only at \" ▸ \", so this value is one level of its own in reports)"
        ]
    );
    assert!(codes(r#"{"conversations": {"ivr_path": "Billing ▸ Invoices", "handling_team_name_in_hierarchy": "Sales"}}"#).is_empty());
}
