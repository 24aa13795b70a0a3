//! FM402 pii-dropped: on a HIPAA account, a rule writes a customer field HIPAA mode drops.

use super::{Finding, Lint, LintContext};
use crate::catalog::Section;
use crate::diagnostic::{Code, Diagnostic};
use crate::runtime::OutSection;

/// FM402.
pub static LINT: Lint = Lint {
    code: Code::PiiDropped,
    check: Some(check),
    explanation: r#"## What it does
With `hipaa = true` in `flexmap.toml`, notes (info) every rule that writes a `customers`
field HIPAA mode removes before Insights loads the data: `name`, `email`, `phone`,
`external_id`, `zip`, `geo_location`, and the inferred `city` and `area`. Off on other
accounts.

## Why it matters
On a HIPAA account Twilio drops these keys from task attributes (docs/insights.md#hipaa, https://www.twilio.com/docs/flex/developer/insights/hipaa-flex-insights-historical-reporting): the value never shows in any report, customers are not linked into
journeys (every conversation is a customer of its own), and the rule only moves personal
data around for nothing. A rule written for a non-HIPAA account and copied over is the
usual cause.

## Example
```yaml
customers:
  email: crm.contact.email     # HIPAA mode drops customers.email
```

## Fix
Remove the rule. If the same rule file also serves a non-HIPAA account, keep it knowingly
with `allow: [pii-dropped]` on the rule.
"#,
};

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    for (index, rule) in context.resolved() {
        if rule.section != OutSection::Insights(Section::Customers) {
            continue;
        }
        if !rule.field.is_some_and(|f| f.hipaa_dropped) {
            continue;
        }
        out.push(Finding::on(
            index,
            Diagnostic::new(
                Code::PiiDropped,
                format!(
                    "HIPAA mode drops `customers.{}`: it will never show",
                    rule.target
                ),
                rule.rule.name_span,
            )
            .with_label("removed before Insights loads the task")
            .with_help("remove the rule, or keep it knowingly with `allow: [pii-dropped]`"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::diagnostic::{Code, Severity};

    fn hipaa() -> Config {
        Config {
            hipaa: true,
            ..Config::default()
        }
    }

    fn findings(body: &str) -> Vec<String> {
        super::super::findings_with(
            &format!("flexmap: 1\ntarget: task\n{body}"),
            Code::PiiDropped,
            &hipaa(),
        )
    }

    #[test]
    fn fires_on_a_dropped_customer_field_and_not_on_a_kept_twin() {
        assert_eq!(
            findings("customers:\n  email: crm.contact.email\n"),
            ["4:3"]
        );
        assert!(findings("customers:\n  category: crm.contact.segment\n").is_empty());
    }

    #[test]
    fn every_dropped_field_any_value_info_and_only_on_hipaa_accounts() {
        let body = "customers:\n  name: { const: Anonymous }\n  phone: task.from\n  external_id: crm.id\n  zip: crm.zip\n  geo_location: crm.geo\n  city: crm.city\n  area: crm.area\n  customer_attribute_1: crm.x\nconversations:\n  external_contact: task.to\n";
        assert_eq!(
            findings(body),
            ["4:3", "5:3", "6:3", "7:3", "8:3", "9:3", "10:3"]
        );
        let text = format!("flexmap: 1\ntarget: task\n{body}");
        assert!(super::super::findings(&text, Code::PiiDropped).is_empty());
        let diagnostics = crate::Ruleset::from_str(&text, "t.yaml").diagnostics_with(&hipaa());
        let d = diagnostics
            .iter()
            .find(|d| d.code == Code::PiiDropped)
            .expect("fires");
        assert_eq!(d.severity, Severity::Info);
        assert_eq!(
            d.message,
            "HIPAA mode drops `customers.name`: it will never show"
        );
    }

    #[test]
    fn allow_keeps_it_knowingly() {
        assert!(
            findings(
                "customers:\n  email:\n    value: crm.contact.email\n    allow: [pii-dropped]\n"
            )
            .is_empty()
        );
    }
}
