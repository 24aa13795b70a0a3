//! FM401 pii-leak: on a HIPAA account, personal data goes to a field HIPAA mode keeps.

use super::{Finding, Lint, LintContext};
use crate::catalog::Section;
use crate::diagnostic::{Code, Diagnostic};
use crate::runtime::OutSection;

/// FM401.
pub static LINT: Lint = Lint {
    code: Code::PiiLeak,
    check: Some(check),
    explanation: r#"## What it does
With `hipaa = true` in `flexmap.toml`, reports (as an error) a value that carries personal
data written to a field HIPAA mode keeps: any `conversations` field or slot, and the
`customers` fields that are not dropped (`customer_attribute_N`, `customer_label_N`,
`category`, `market_segment`, `organization`, `year_of_birth`, …). Off on other accounts.

A value carries personal data when an input it comes from is declared `pii: true`, or when
a path ends in a personal name (`email`, `phone`, `name`, `first_name`, `last_name`,
`address`, `zip`, `birth`, `dob`, `ssn`, `mrn`, …). It still does after `trim`, `lower`,
`++`, `lookup` and the like; only `sha256` (a pseudonymous key), comparisons and flags
(`yes_no`, `in`, `matches`) end it.

## Why it matters
Twilio's HIPAA page for Flex Insights says that no PHI may go into the `conversations`,
`customers` or `agents` objects of task attributes. HIPAA mode removes only a fixed list of
keys (`customers.name`, `email`, `phone`, `external_id`, `zip`, `geo_location`) and the root
attributes outside its allowlist; everything else is loaded into Insights as written, where
every report user can see it (docs/insights.md#hipaa, https://www.twilio.com/docs/flex/developer/insights/hipaa-flex-insights-historical-reporting).

## Example
```yaml
inputs:
  patient.reason: { type: string, pii: true }
conversations:
  conversation_attribute_3: patient.reason | lower
```

## Fix
Drop the rule, or map a coarse category that is not personal data (a department, a menu
choice). To link the contacts of one person without naming them, pseudonymise the value with
`| sha256`, in a label slot. If the input is not personal data after all, fix its
declaration under `inputs:`.
"#,
};

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    for (index, rule) in context.resolved() {
        let Some(pii) = rule.facts.as_ref().and_then(|f| f.pii.as_ref()) else {
            continue;
        };
        let kept = match rule.section {
            OutSection::Insights(Section::Conversations) => true,
            OutSection::Insights(Section::Customers) => rule.field.is_none_or(|f| !f.hipaa_dropped),
            _ => false,
        };
        if !kept {
            continue;
        }
        let OutSection::Insights(section) = rule.section else {
            continue;
        };
        let target = match &rule.rule.custom {
            Some(name) => format!(
                "custom field `{name}` (`{}.{}`)",
                section.name(),
                rule.target
            ),
            None => format!("`{}.{}`", section.name(), rule.target),
        };
        out.push(Finding::on(
            index,
            Diagnostic::new(
                Code::PiiLeak,
                format!("personal data reaches {target}, which HIPAA mode keeps: {pii}"),
                rule.rule.value.span(),
            )
            .with_label("loaded into Insights as written")
            .with_secondary(rule.rule.name_span, "kept on HIPAA accounts")
            .with_help(
                "drop the rule or map a category that is no personal data; to link contacts of one person without naming them, pseudonymise it with `| sha256`",
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::diagnostic::Code;

    fn hipaa() -> Config {
        Config {
            hipaa: true,
            ..Config::default()
        }
    }

    fn findings(body: &str) -> Vec<String> {
        super::super::findings_with(
            &format!("flexmap: 1\ntarget: task\n{body}"),
            Code::PiiLeak,
            &hipaa(),
        )
    }

    #[test]
    fn fires_on_pii_in_a_kept_field_and_not_on_its_pseudonymised_twin() {
        let body = "inputs:\n  patient.reason: { pii: true }\nconversations:\n  conversation_attribute_3: patient.reason | lower\n";
        assert_eq!(findings(body), ["6:29"]);
        assert!(
            findings("conversations:\n  conversation_label_3: patient.mrn | trim | sha256\n")
                .is_empty()
        );
    }

    #[test]
    fn error_only_on_hipaa_accounts() {
        let text = "flexmap: 1\ntarget: task\nconversations:\n  content: crm.contact.email\n";
        assert!(super::super::findings(text, Code::PiiLeak).is_empty());
        let diagnostics = crate::Ruleset::from_str(text, "t.yaml").diagnostics_with(&hipaa());
        let d = diagnostics
            .iter()
            .find(|d| d.code == Code::PiiLeak)
            .expect("fires");
        assert!(d.is_error());
        assert_eq!(
            d.message,
            "personal data reaches `conversations.content`, which HIPAA mode keeps: `crm.contact.email` looks like personal data"
        );
    }

    #[test]
    fn kept_customer_fields_and_custom_fields() {
        let body = "custom:\n  caller: { kind: label, scope: customers, value: crm.contact.last_name }\ncustomers:\n  market_segment: crm.contact.name | lookup(segments)\n  name: crm.contact.name\n  email: crm.contact.email\n  external_id: crm.contact.phone\ntables:\n  segments: { a: b }\n";
        // `name`, `email` and `external_id` are dropped by HIPAA mode: FM402, not FM401.
        assert_eq!(findings(body), ["4:51", "6:19"]);
    }

    #[test]
    fn comparisons_flags_and_worker_fields_are_not_leaks() {
        let body = "conversations:\n  in_business_hours: crm.contact.email == null | yes_no\n  conversation_attribute_1: crm.contact.phone | matches(\"^\\\\+1\")\n";
        assert!(findings(body).is_empty(), "{:?}", findings(body));
        let worker = "flexmap: 1\ntarget: worker\nworker:\n  email: hr.email\n";
        assert!(super::super::findings_with(worker, Code::PiiLeak, &hipaa()).is_empty());
    }
}
