//! The public pages behind the catalog's facts: every evidence tag of a `Field` (`D:S1`, `C3`)
//! names one of these, and `docs/insights.md` lists them for users.

/// One public source of Insights facts.
#[derive(Debug, PartialEq, Eq, serde::Serialize)]
pub struct Source {
    /// The id evidence tags use: `S1`, `S1-old`, `C3`.
    pub id: &'static str,
    /// What the page is, in a few words.
    pub title: &'static str,
    /// Where to read it.
    pub url: &'static str,
    /// Who says it: Twilio's documentation (`documented`) or community practice (`community`).
    pub kind: SourceKind,
}

/// Whether a source is Twilio's own documentation or community practice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A page of Twilio's documentation or support site.
    Documented,
    /// Public code or writing by others (including Twilio Professional Services samples):
    /// practice, not a Twilio guarantee.
    Community,
}

macro_rules! source {
    ($id:literal, $kind:ident, $title:literal, $url:expr) => {
        Source {
            id: $id,
            title: $title,
            url: $url,
            kind: SourceKind::$kind,
        }
    };
}

/// Every source, in the order `docs/insights.md` lists them.
pub static SOURCES: &[Source] = &[
    source!(
        "S0",
        Documented,
        "Flex Insights Data Model",
        "https://www.twilio.com/docs/flex/end-user-guide/insights/data-model"
    ),
    source!(
        "S1",
        Documented,
        "Add additional TaskRouter data (enhance the Insights integration)",
        "https://www.twilio.com/docs/flex/developer/insights/enhance-integration"
    ),
    source!(
        "S1-old",
        Documented,
        "Enhance the Flex Insights integration (older revision)",
        "https://www.twilio.com/docs/flex/wfo/enhance-flex-insights-integration"
    ),
    source!(
        "S2",
        Documented,
        "Labels in Flex Insights",
        "https://www.twilio.com/docs/flex/developer/insights/labels"
    ),
    source!(
        "S3",
        Documented,
        "TaskRouter data in Flex Insights",
        "https://www.twilio.com/docs/flex/developer/insights/taskrouter-data"
    ),
    source!(
        "S4",
        Documented,
        "HIPAA and Flex Insights historical reporting",
        "https://www.twilio.com/docs/flex/developer/insights/hipaa-flex-insights-historical-reporting"
    ),
    source!(
        "S5",
        Documented,
        "Abandoned conversations",
        "https://www.twilio.com/docs/flex/end-user-guide/insights/abandoned-conversations"
    ),
    source!(
        "S6",
        Documented,
        "Data model caveats",
        "https://www.twilio.com/docs/flex/end-user-guide/insights/data-model-caveats"
    ),
    source!(
        "S7",
        Documented,
        "Conversation structure",
        "https://www.twilio.com/docs/flex/end-user-guide/insights/conversation-structure"
    ),
    source!(
        "S8",
        Documented,
        "Conversation segment kinds",
        "https://www.twilio.com/docs/flex/end-user-guide/insights/segments"
    ),
    source!(
        "S9",
        Documented,
        "Understanding the Flex Insights SLA metric",
        "https://support.twilio.com/hc/en-us/articles/41380839978523-Understanding-Flex-Insights-SLA-Metric"
    ),
    source!(
        "S10",
        Documented,
        "Custom media attached to conversations",
        "https://www.twilio.com/docs/flex/developer/insights/custom-media-attached-conversations"
    ),
    source!(
        "S11",
        Documented,
        "Playback of recordings from custom storage",
        "https://www.twilio.com/docs/flex/developer/insights/playback-recordings-custom-storage"
    ),
    source!(
        "S12",
        Documented,
        "Enable dual-channel recordings",
        "https://www.twilio.com/docs/flex/developer/insights/enable-dual-channel-recordings"
    ),
    source!(
        "S13",
        Documented,
        "Hold time metric",
        "https://www.twilio.com/docs/flex/end-user-guide/insights/metrics/hold-time"
    ),
    source!(
        "S14",
        Documented,
        "Customer geolocation",
        "https://www.twilio.com/docs/flex/end-user-guide/insights/customer-geolocation"
    ),
    source!(
        "S15",
        Documented,
        "SSO configuration",
        "https://www.twilio.com/docs/flex/admin-guide/setup/sso-configuration"
    ),
    source!(
        "S16",
        Documented,
        "Insights user roles with SSO",
        "https://www.twilio.com/docs/flex/admin-guide/setup/sso-configuration/insights-user-roles"
    ),
    source!(
        "S17",
        Documented,
        "TaskRouter limits",
        "https://www.twilio.com/docs/taskrouter/limits"
    ),
    source!(
        "S18",
        Documented,
        "Flex Interactions API",
        "https://www.twilio.com/docs/flex/developer/conversations/interactions-api"
    ),
    source!(
        "S19",
        Documented,
        "Conversation screen",
        "https://www.twilio.com/docs/flex/end-user-guide/insights/conversation-screen"
    ),
    source!(
        "C1",
        Community,
        "Twilio Professional Services: Flex project template (hang-up-by, dispositions, callback and voicemail, worker details)",
        "https://twilio-professional-services.github.io/flex-project-template/feature-library/hang-up-by"
    ),
    source!(
        "C2",
        Community,
        "Twilio Professional Services: Event Streams reporting example",
        "https://github.com/twilio-professional-services/twilio-event-streams-reporting-example"
    ),
    source!(
        "C3",
        Community,
        "Aselo helpline Flex plugins (InsightsService.ts; PRs #153 and #316)",
        "https://github.com/techmatters/flex-plugins"
    ),
    source!(
        "C4",
        Community,
        "The Flex direction attribute for outbound tasks",
        "https://jaketrent.com/post/twilio-flex-direction-outbound-attribute"
    ),
    source!(
        "C5",
        Community,
        "flex-insights-hang-up-by plugin",
        "https://github.com/brypo/flex-insights-hang-up-by"
    ),
    source!(
        "C6",
        Community,
        "Queued callbacks and voicemail plugin, PR #32",
        "https://github.com/twilio-labs/plugin-queued-callbacks-and-voicemail/pull/32"
    ),
];

/// The source with this id (`S1`, `C3`), if any.
#[must_use]
pub fn source(id: &str) -> Option<&'static Source> {
    SOURCES.iter().find(|source| source.id == id)
}

/// The source ids an evidence string names: `"D:S1, D:S4; C3"` gives `S1`, `S4`, `C3`
/// (`I`, inferred, names none).
pub fn evidence_sources(evidence: &str) -> impl Iterator<Item = &str> {
    evidence
        .split([',', ';'])
        .map(str::trim)
        .map(|tag| tag.strip_prefix("D:").unwrap_or(tag))
        .filter(|tag| !tag.is_empty() && *tag != "I")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_evidence_tag_names_a_source() {
        for field in crate::catalog::fields() {
            for id in evidence_sources(field.evidence) {
                assert!(
                    source(id).is_some(),
                    "{}.{}: evidence `{id}` names no source",
                    field.section,
                    field.name
                );
            }
        }
    }

    #[test]
    fn every_source_is_an_https_page_with_a_unique_id() {
        for (index, source) in SOURCES.iter().enumerate() {
            assert!(source.url.starts_with("https://"), "{}", source.id);
            assert!(
                SOURCES[..index].iter().all(|other| other.id != source.id),
                "{} twice",
                source.id
            );
        }
    }
}
