//! The catalog's data: every named Flex Insights field, one entry each, from `reference/insights.md`.
//!
//! Numbered custom slots (`conversation_attribute_1` …) are not listed here; they come from
//! `slot_count` and `parse_slot_name` in the parent module. Entries are grouped by section in
//! the reference's order, so suggestions that tie on edit distance prefer the earlier entry.

use super::{Field, Kind, Section};

/// The values of every Yes/No flag field, in canonical spelling.
const YES_NO: &[&str] = &["Yes", "No"];

/// Every named field, grouped by section.
#[rustfmt::skip]
pub(super) static FIELDS: &[Field] = &[
    // Reference §1a: the `conversations` object of task attributes (62 named keys).
    conversation("abandoned", Kind::Enum, "Whether the customer gave up: Yes, No, or Follow-Up (callback or voicemail left; inbound only).", "D:S5, D:S1")
        .with_values(&["Yes", "No", "Follow-Up"])
        .defaults_to("TaskRouter task events (Abandoned Conversations)"),
    conversation("abandoned_phase", Kind::Enum, "Where an abandoned conversation was given up; Callback Request requires abandoned = Follow-Up.", "D:S5")
        .with_values(&["Short Queue", "Queue", "Ringing", "Voicemail", "Callback Request"])
        .defaults_to("`Queue`, the only phase Insights derives by itself"),
    conversation("abandon_time", Kind::Duration, "Seconds the customer waited before giving up; equals queue time for abandoned calls.", "D:S5, D:S4")
        .defaults_to("TaskRouter task events (Abandonment Time)"),
    conversation("activity", Kind::Text, "Agent activity of an Agent Status segment, e.g. \"On a Break\".", "D:S1, D:S3")
        .defaults_to("WorkerActivityName"),
    conversation("activity_time", Kind::Duration, "Seconds spent in the activity (Agent Status segments).", "D:S8, D:S1"),
    conversation("agent_talk_time", Kind::Duration, "Seconds the agent talked (voice analytics; unit inferred from the name).", "D:S4; I"),
    conversation("average_response_time", Kind::Duration, "Average response time of a chat, in seconds (unit inferred).", "D:S1; I"),
    conversation("campaign", Kind::Text, "Higher-level grouping of conversations, e.g. \"Pension Insurance 2\".", "D:S1, D:S7"),
    conversation("case", Kind::Text, "Case or ticket the conversation belongs to, e.g. \"Retention #24567\"; high cardinality if per ticket.", "D:S1, D:S7")
        .holds_identifiers(),
    conversation("channel", Kind::Text, "Channel of the conversation, e.g. \"Call\" (value list not documented beyond examples).", "D:S1, D:S3, D:S9; C2")
        .defaults_to("TaskChannelUniqueName"),
    conversation("communication_channel", Kind::Text, "Communication channel, e.g. \"Sms\" or \"Email\" as written by Flex.", "D:S4, D:S18; C3")
        .defaults_to("Flex itself (`Sms` for agent-initiated SMS, `Email` for email interactions)"),
    conversation("content", Kind::Text, "Free-form content tag, e.g. \"bonus retention\"; wrap-up notes here are cut at 128 characters.", "D:S1; C1"),
    conversation("conversation_id", Kind::Id, "Same value on every task of one conversation; Twilio recommends the first task's SID.", "D:S1, D:S18")
        .holds_identifiers(),
    conversation("crosstalk_time", Kind::Duration, "Seconds both parties talked at once (dual-channel voice).", "D:S4"),
    conversation("customer_talk_time", Kind::Duration, "Seconds the customer talked (dual-channel voice).", "D:S4"),
    conversation("date", Kind::Date, "Date of the segment (format not documented; community uses epoch milliseconds); 1901–2049.", "D:S4, D:S1; C3"),
    conversation("destination", Kind::Text, "Where the conversation went, e.g. \"External Queue\" or an external transfer number.", "D:S1; C1")
        .holds_identifiers(),
    conversation("direction", Kind::Enum, "Inbound or Outbound (capitalised); overrides the root-level `direction`.", "D:S1, D:S3, D:S18; C2")
        .with_values(&["Inbound", "Outbound"])
        .defaults_to("root-level `direction` attribute"),
    conversation("external_contact", Kind::Text, "The organisation's own contact point, e.g. the contact-centre number.", "D:S1, D:S4, D:S13")
        .defaults_to("root-level `to`/`from`")
        .holds_identifiers(),
    conversation("external_id_label", Kind::Label, "Undocumented; probably the display label for the customer external ID (kind inferred).", "D:S4; I"),
    conversation("first_response_time", Kind::Duration, "Seconds before the first response in a chat (unit inferred).", "D:S1; I"),
    conversation("focus_time", Kind::Duration, "Seconds the agent focused on a chat (unit inferred).", "D:S1; I"),
    conversation("followed_by", Kind::Text, "What happened after the segment, e.g. \"External Transfer\".", "D:S1"),
    conversation("handling_department_id", Kind::Id, "ID of the handling department; needed for handling_department_name to display.", "D:S1; I"),
    conversation("handling_department_name", Kind::Text, "Name of the handling department, e.g. \"Department 1\".", "D:S1; I")
        .needs("handling_department_id"),
    conversation("handling_department_name_in_hierarchy", Kind::Hierarchy, "Handling department path joined with \" ▸ \", e.g. \"Company ▸ Department 1\".", "D:S1"),
    conversation("handling_team_id", Kind::Id, "ID of the team that handled the segment; without it the queue SID is the unique ID.", "D:S1, D:S3")
        .defaults_to("TaskQueueSid"),
    conversation("handling_team_name", Kind::Text, "Name of the team that handled the segment, e.g. \"Sales 2\".", "D:S1, D:S3")
        .defaults_to("TaskQueueName")
        .needs("handling_team_id"),
    conversation("handling_team_name_in_hierarchy", Kind::Hierarchy, "Handling team path joined with \" ▸ \", e.g. \"London ▸ Sales ▸ Sales 2\".", "D:S1, D:S6"),
    conversation("hang_up_by", Kind::Text, "Who ended the segment, e.g. \"Customer\"; initialise it at task creation.", "D:S1; C1, C2, C5"),
    conversation("hold_time", Kind::Duration, "Seconds of holds that started in the segment; may exceed talk time.", "D:S13, D:S1"),
    conversation("in_business_hours", Kind::YesNo, "Whether the segment happened in business hours (Yes/No).", "D:S1")
        .with_values(YES_NO),
    conversation("initiated_by", Kind::Text, "Who started the conversation, e.g. Customer, Agent, Dialer.", "D:S1, D:S18, D:S9"),
    conversation("initiative", Kind::Text, "Grouping above campaigns, e.g. \"Leader in Insurance\".", "D:S1, D:S7"),
    conversation("ivr_path", Kind::Hierarchy, "IVR choices joined with \" ▸ \", e.g. \"1 ▸ 2\"; not captured by default.", "D:S1, D:S7"),
    conversation("ivr_time", Kind::Duration, "Seconds spent in the IVR; not captured by default.", "D:S1, D:S7"),
    conversation("kind", Kind::Enum, "Segment kind set by Insights; do not override, changing it breaks playback.", "D:S8, D:S4")
        .with_values(&[
            "Agent Status",
            "Agent Status in Progress",
            "Conversation",
            "Conversation in Progress",
            "Missed Conversation",
            "Queue",
            "Rejected Conversation",
            "Corrupted Conversation Segment",
        ])
        .not_settable(),
    conversation("language", Kind::Text, "Language of the conversation, e.g. \"English\".", "D:S1"),
    conversation("longest_silence_before_agent", Kind::Duration, "Longest silence before the agent spoke, in seconds (voice analytics).", "D:S4"),
    conversation("longest_silence_before_customer", Kind::Duration, "Longest silence before the customer spoke, in seconds (voice analytics).", "D:S4"),
    conversation("longest_talk_by_agent", Kind::Duration, "Longest uninterrupted talk by the agent, in seconds (voice analytics).", "D:S4"),
    conversation("longest_talk_by_customer", Kind::Duration, "Longest uninterrupted talk by the customer, in seconds (voice analytics).", "D:S4"),
    conversation("media", Kind::List, "Media objects (Raw, Embedded, Referenced, VoiceRecording, ChatTranscript); replaces the default recording.", "D:S10, D:S11, D:S4"),
    conversation("order", Kind::Measure, "Segment order, e.g. 1 (meaning inferred: only documented in the data model tables).", "D:S1; I"),
    conversation("outcome", Kind::Text, "Outcome of the segment, e.g. \"Retention - Success\" or a disposition code.", "D:S1, D:S3; C1")
        .defaults_to("task Reason / TaskCanceledReason / TaskCompletedReason"),
    conversation("preceded_by", Kind::Text, "What happened before the segment, e.g. \"Warm Transfer\".", "D:S1"),
    conversation("priority", Kind::Measure, "Priority to report (inferred numeric; TaskRouter's own task priority is not used).", "D:S4, D:S3; I"),
    conversation("productive", Kind::YesNo, "Whether the segment counts as productive (Yes/No; kind inferred).", "D:S1; I")
        .with_values(YES_NO),
    conversation("queue", Kind::Text, "Queue name, e.g. \"Outbound Dialer - England\".", "D:S1; C2")
        .defaults_to("TaskQueue name (inferred)"),
    conversation("queue_time", Kind::Duration, "Seconds in queue before reaching an agent; ring time counts as queue time.", "D:S3, D:S7, D:S4")
        .defaults_to("TaskRouter task events (Queue Time)"),
    conversation("recording_status", Kind::Text, "Recording status (meaning not documented).", "D:S4"),
    conversation("ring_time", Kind::Duration, "Seconds spent hearing ringing.", "D:S8, D:S4"),
    conversation("segment_link", Kind::Url, "Recording URL; must be public or carry auth in path/query; may be set up to 2 minutes after completion.", "D:S1; C1")
        .defaults_to("the Console \"Call Recording\" setting")
        .holds_identifiers(),
    conversation("segment_name", Kind::Text, "Segment name (meaning not documented).", "D:S4"),
    conversation("segment_recording_offset", Kind::Measure, "Offset of the segment in the recording (numeric and unit inferred).", "D:S4; I"),
    conversation("service_level", Kind::Text, "SLA outcome decided in code, e.g. \"Compliant\", \"Failed\", \"OK\".", "D:S9, D:S1"),
    conversation("silence_time", Kind::Duration, "Seconds of silence (voice analytics).", "D:S4"),
    conversation("source", Kind::Text, "Where the conversation came from, e.g. \"Waiting Room\".", "D:S1"),
    conversation("talk_time", Kind::Duration, "Seconds from answer to hang-up, silences included.", "D:S8, D:S3, D:S4")
        .defaults_to("TaskRouter task events (Talk Time)"),
    conversation("virtual", Kind::YesNo, "Whether the segment is virtual (Yes/No).", "D:S1")
        .with_values(YES_NO),
    conversation("workflow", Kind::Text, "Workflow name, e.g. \"Outbound UK\".", "D:S1, D:S3")
        .defaults_to("WorkflowName"),
    conversation("wrap_up_time", Kind::Duration, "Seconds of after-call work.", "D:S4, D:S3")
        .defaults_to("TaskRouter task events (Wrap Up Time)"),
    // Reference §1b: the `customers` object of task attributes (20 documented named keys,
    // then the two inferred keys `city` and `area`).
    customer("external_id", Kind::Id, "Your own customer key; linking priority 1, must be set before the first segment completes.", "D:S1, D:S4")
        .dropped_under_hipaa()
        .holds_identifiers(),
    customer("phone", Kind::Text, "Customer phone number (E.164); linking priority 2.", "D:S1, D:S3, D:S4")
        .defaults_to("root-level `from`/`caller` (inbound) or `to`/`called` (outbound)")
        .dropped_under_hipaa()
        .holds_identifiers(),
    customer("email", Kind::Text, "Customer e-mail address; linking priority 3.", "D:S1, D:S4")
        .dropped_under_hipaa()
        .holds_identifiers(),
    customer("name", Kind::Text, "Customer name, e.g. \"John Doe\".", "D:S1")
        .dropped_under_hipaa()
        .holds_identifiers(),
    customer("customer_link", Kind::Url, "Link to the customer's record in your CRM.", "D:S1, D:S4")
        .holds_identifiers(),
    customer("acquisition_date", Kind::Date, "Date the customer was acquired (format not documented; kind inferred); 1901–2049.", "D:S1, D:S4; I; C3"),
    customer("acquisition_cost", Kind::Measure, "Built-in customer measure: cost of acquiring the customer.", "D:S1"),
    customer("business_value", Kind::Measure, "Built-in customer measure: business value of the customer.", "D:S1"),
    customer("category", Kind::Text, "Customer category, e.g. \"VIP\".", "D:S1"),
    customer("customer_manager", Kind::Text, "Who manages the customer, e.g. \"Financial Partners Corp.\".", "D:S1"),
    customer("gender", Kind::Text, "Customer gender.", "D:S1"),
    customer("geo_location", Kind::Text, "Coordinates as \"lat;long\" with a semicolon, e.g. \"-22.5743922;17.0790688\".", "D:S1, D:S14")
        .defaults_to("the phone area code (US only)")
        .dropped_under_hipaa(),
    customer("market_segment", Kind::Text, "Market segment, e.g. \"Pensioners\".", "D:S1"),
    customer("organization", Kind::Text, "Customer's organisation, e.g. \"Prosperity Inc.\".", "D:S1"),
    customer("year_of_birth", Kind::Text, "Year of birth as text, e.g. \"1947\".", "D:S1"),
    customer("zip", Kind::Text, "Customer ZIP or postal code.", "D:S1, D:S3")
        .defaults_to("root-level `from_zip`/`caller_zip` (inbound) or `to_zip`/`called_zip` (outbound)")
        .dropped_under_hipaa(),
    customer("country", Kind::Text, "Customer country (UN member-state names).", "D:S4, D:S3, D:S14")
        .defaults_to("root-level `from_country`/`caller_country` (inbound) or `to_country`/`called_country` (outbound)"),
    customer("region", Kind::Text, "Customer region; by default the continent, custom regions allowed.", "D:S4, D:S14")
        .defaults_to("the customer's country (its continent)"),
    customer("state", Kind::Text, "Customer state, e.g. \"California\".", "D:S4, D:S3, D:S14")
        .defaults_to("root-level `from_state`/`caller_state` (inbound) or `to_state`/`called_state` (outbound)"),
    customer("type", Kind::Text, "Customer type; `Agent` marks an agent recorded as the customer of an internal call.", "D:S4, D:S6"),
    customer("city", Kind::Text, "Nearest major city (key name inferred from community code).", "D:S14, D:S3; C3")
        .defaults_to("root-level `from_city`/`caller_city` (inbound) or `to_city`/`called_city` (outbound)")
        .dropped_under_hipaa(),
    customer("area", Kind::Text, "District or province, custom only (key name inferred from community code).", "D:S14; C3")
        .dropped_under_hipaa(),
    // Reference §1c: worker attributes, read as the Agents data set (14 named keys).
    worker("agent_id", Kind::Id, "Your own agent ID; Insights' own unique key is the WorkerSid.", "D:S1, D:S3")
        .holds_identifiers(),
    worker("full_name", Kind::Text, "Agent's full name; a mandatory SSO claim.", "D:S1, D:S3, D:S15")
        .defaults_to("WorkerName")
        .holds_identifiers(),
    worker("email", Kind::Text, "Agent's e-mail address; a mandatory SSO claim.", "D:S1, D:S15")
        .holds_identifiers(),
    worker("phone", Kind::Text, "Agent's phone number.", "D:S1")
        .holds_identifiers(),
    worker("location", Kind::Text, "Agent's location, e.g. \"London\".", "D:S1"),
    worker("manager", Kind::Text, "Agent's manager, e.g. \"Adam Shepherd\".", "D:S1"),
    worker("role", Kind::Text, "Agent's job role, e.g. \"Agent - Level 2\" (not the `roles` permission array).", "D:S1, D:S15, D:S16"),
    worker("state", Kind::Text, "Agent's state, e.g. \"Active\".", "D:S1"),
    worker("department_id", Kind::Id, "ID of the agent's department; required for department_name to display.", "D:S1"),
    worker("department_name", Kind::Text, "Name of the agent's department, e.g. \"Sales\".", "D:S1, D:S15")
        .needs("department_id"),
    worker("department_name_in_hierarchy", Kind::Hierarchy, "Department path joined with \" ▸ \", e.g. \"London ▸ Sales\".", "D:S1"),
    worker("team_id", Kind::Id, "ID of the agent's team; required for team_name to display.", "D:S1"),
    worker("team_name", Kind::Text, "Name of the agent's team, e.g. \"Sales 2\".", "D:S1; C1")
        .needs("team_id"),
    worker("team_name_in_hierarchy", Kind::Hierarchy, "Team path joined with \" ▸ \", e.g. \"London ▸ Sales ▸ Sales 2\".", "D:S1, D:S15"),
];

/// A `conversations` field with no values, default, dependency or flags.
const fn conversation(
    name: &'static str,
    kind: Kind,
    summary: &'static str,
    evidence: &'static str,
) -> Field {
    Field::plain(Section::Conversations, name, kind, summary, evidence)
}

/// A `customers` field with no values, default, dependency or flags.
const fn customer(
    name: &'static str,
    kind: Kind,
    summary: &'static str,
    evidence: &'static str,
) -> Field {
    Field::plain(Section::Customers, name, kind, summary, evidence)
}

/// A worker field with no values, default, dependency or flags.
const fn worker(
    name: &'static str,
    kind: Kind,
    summary: &'static str,
    evidence: &'static str,
) -> Field {
    Field::plain(Section::Worker, name, kind, summary, evidence)
}

/// Builders used only to keep the table above readable.
impl Field {
    const fn plain(
        section: Section,
        name: &'static str,
        kind: Kind,
        summary: &'static str,
        evidence: &'static str,
    ) -> Field {
        Field {
            section,
            name,
            kind,
            values: &[],
            hipaa_dropped: false,
            taskrouter_default: None,
            requires: None,
            read_only: false,
            identifier: false,
            summary,
            evidence,
        }
    }

    const fn with_values(mut self, values: &'static [&'static str]) -> Field {
        self.values = values;
        self
    }

    const fn dropped_under_hipaa(mut self) -> Field {
        self.hipaa_dropped = true;
        self
    }

    const fn defaults_to(mut self, default: &'static str) -> Field {
        self.taskrouter_default = Some(default);
        self
    }

    const fn needs(mut self, id_field: &'static str) -> Field {
        self.requires = Some(id_field);
        self
    }

    const fn not_settable(mut self) -> Field {
        self.read_only = true;
        self
    }

    const fn holds_identifiers(mut self) -> Field {
        self.identifier = true;
        self
    }
}
