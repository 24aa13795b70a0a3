//! FM107 sso-overwrites: a worker ruleset on an SSO account, whose values the identity provider replaces at every login.

use super::{Finding, Lint, LintContext};
use crate::catalog::{Section, Target};
use crate::diagnostic::{Code, Diagnostic};
use crate::runtime::OutSection;

/// FM107.
pub static LINT: Lint = Lint {
    code: Code::SsoOverwrites,
    check: Some(check),
    explanation: r#"## What it does
On an account where agents log in through single sign-on (`sso = true` in `flexmap.toml`;
off otherwise), notes once per worker ruleset how many Insights worker attributes it writes.

## Why it matters
With SSO, Flex rewrites the worker attributes from the identity provider at every login:
values set through the API or the Console, which is how a worker ruleset's output reaches
TaskRouter, are lost at the agent's next login (docs/insights.md#sso, https://www.twilio.com/docs/flex/admin-guide/setup/sso-configuration). Reports then show whatever the identity provider sends, or stale values.

## Example
```yaml
# flexmap.toml: sso = true
flexmap: 1
target: worker
worker:
  team_id: hr.team.code
  team_name: hr.team.name
```

## Fix
Send these attributes from the identity provider as SAML attributes (`team_name`,
`team_id`, …; typed with `name.int` and similar where they are not strings), and keep the
worker ruleset for accounts without SSO. To clear an attribute, send an empty value:
removing it in the identity provider does not clear it in TaskRouter (https://www.twilio.com/docs/flex/admin-guide/setup/sso-configuration). If the
ruleset is deliberate (it runs right after every login), set
`sso-overwrites = "allow"` in `flexmap.toml`.
"#,
};

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    if context.file.target != Some(Target::Worker) {
        return;
    }
    let written: Vec<&str> = context
        .resolved()
        .filter(|(_, r)| r.section == OutSection::Insights(Section::Worker))
        .map(|(_, r)| r.target.as_str())
        .collect();
    if written.is_empty() {
        return;
    }
    let count = written.len();
    let names = written
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    out.push(Finding::file(
        Diagnostic::new(
            Code::SsoOverwrites,
            format!(
                "this worker ruleset writes {count} worker attribute{}, which the identity provider overwrites at every SSO login",
                crate::diagnostic::plural(count)
            ),
            context.file.target_span,
        )
        .with_label("an SSO account (`sso = true`)")
        .with_help(format!(
            "set {names} in the identity provider as SAML attributes; values written through the API are lost at the agent's next login"
        )),
    ));
}

#[cfg(test)]
mod tests {
    use super::super::{findings, findings_with};
    use crate::config::Config;
    use crate::diagnostic::Code;

    fn sso() -> Config {
        Config {
            sso: true,
            ..Config::default()
        }
    }

    const WORKER: &str =
        "flexmap: 1\ntarget: worker\nworker:\n  team_id: hr.team.code\n  team_name: hr.team.name\n";

    #[test]
    fn fires_once_on_a_worker_ruleset_with_sso() {
        assert_eq!(findings_with(WORKER, Code::SsoOverwrites, &sso()), ["2:9"]);
        let diagnostics = crate::Ruleset::from_str(WORKER, "t.yaml").diagnostics_with(&sso());
        let found = diagnostics
            .iter()
            .find(|d| d.code == Code::SsoOverwrites)
            .expect("a finding");
        assert_eq!(
            found.message,
            "this worker ruleset writes 2 worker attributes, which the identity provider overwrites at every SSO login"
        );
        assert_eq!(found.severity, crate::Severity::Info);
    }

    #[test]
    fn silent_without_sso_or_on_task_rulesets() {
        assert!(findings(WORKER, Code::SsoOverwrites).is_empty());
        let task = "flexmap: 1\ntarget: task\nconversations:\n  campaign: crm.campaign\n";
        assert!(findings_with(task, Code::SsoOverwrites, &sso()).is_empty());
        // Only routing attributes: nothing Insights reads is overwritten.
        let routing = "flexmap: 1\ntarget: worker\nextra:\n  skills: hr.skills\n";
        assert!(findings_with(routing, Code::SsoOverwrites, &sso()).is_empty());
    }
}
