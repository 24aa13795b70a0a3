//! The baseline of `benches/compare.sh`: the mapping of `benches/compare.yaml` written by hand,
//! the way a team would without flexmap: typed `serde` structs with `Option` fields (unknown
//! fields skipped), a small loose scalar type for fields that arrive as numbers or strings,
//! `serde_json` in and out, a `BufWriter`, and the same allocator as the `flexmap` binary.
//!
//! `cargo run --release --example handwritten < records.ndjson > out.ndjson`
//!
//! Its output must be byte-identical to `flexmap apply benches/compare.yaml` on the records of
//! `benches/gen_records.py`; `compare.sh` checks that.

use std::io::{BufRead, BufWriter, Write};

use mimalloc::MiMalloc;
use serde::{Deserialize, Deserializer, Serialize};

#[global_allocator]
static GLOBAL: MiMalloc = MiMalloc;

/// Insights keeps the first 128 characters of a text value.
const MAX_TEXT: usize = 128;

// ---- Input ------------------------------------------------------------------------------

#[derive(Deserialize)]
struct Record {
    task: Option<Task>,
    ivr: Option<Ivr>,
    crm: Option<Crm>,
}

#[derive(Deserialize)]
struct Task {
    sid: Option<String>,
    attributes: Option<TaskAttributes>,
}

#[derive(Deserialize)]
struct TaskAttributes {
    conversations: Option<ExistingConversations>,
}

#[derive(Deserialize)]
struct ExistingConversations {
    conversation_id: Option<String>,
}

#[derive(Deserialize)]
struct Ivr {
    menu_path: Option<Vec<Option<String>>>,
    language: Option<String>,
    business_hours: Option<Loose>,
    duration_seconds: Option<Loose>,
}

#[derive(Deserialize)]
struct Crm {
    account: Option<Account>,
    contact: Option<Contact>,
    case: Option<Case>,
}

#[derive(Deserialize)]
struct Account {
    id: Option<String>,
    name: Option<String>,
    tier: Option<String>,
    at_risk: Option<Loose>,
    retention_campaign: Option<String>,
    open_cases: Option<Loose>,
    owner_name: Option<String>,
    region: Option<String>,
}

#[derive(Deserialize)]
struct Contact {
    id: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

#[derive(Deserialize)]
struct Case {
    number: Option<String>,
    priority: Option<String>,
    subject: Option<String>,
}

/// A scalar that upstream systems send as a number, a string or a boolean.
enum Loose {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Loose, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Loose;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number, a string or a boolean")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Loose, E> {
                Ok(Loose::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Loose, E> {
                Ok(Loose::Int(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Loose, E> {
                i64::try_from(v).map(Loose::Int).map_err(E::custom)
            }
            fn visit_f64<E>(self, v: f64) -> Result<Loose, E> {
                Ok(Loose::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Loose, E> {
                Ok(Loose::Text(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Loose, E> {
                Ok(Loose::Text(v))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

// ---- Output -----------------------------------------------------------------------------

/// A number as Insights gets it: integers stay integers.
#[derive(Serialize, Clone, Copy)]
#[serde(untagged)]
enum Num {
    Int(i64),
    Float(f64),
}

#[derive(Serialize)]
struct Output {
    conversations: Conversations,
    #[serde(skip_serializing_if = "Customers::is_empty")]
    customers: Customers,
    r#type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    vip: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    routing_language: Option<&'static str>,
    vip_boost: i64,
    menu_depth: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject_preview: Option<String>,
}

#[derive(Serialize)]
struct Conversations {
    #[serde(skip_serializing_if = "Option::is_none")]
    conversation_attribute_1: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversation_attribute_2: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversation_attribute_3: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversation_label_4: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversation_label_5: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversation_measure_1: Option<Num>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ivr_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ivr_time: Option<Num>,
    language: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    in_business_hours: Option<&'static str>,
    initiated_by: &'static str,
    abandoned: &'static str,
    hang_up_by: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversation_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    campaign: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    case: Option<String>,
}

#[derive(Serialize)]
struct Customers {
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_link: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer_manager: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
}

impl Customers {
    fn is_empty(&self) -> bool {
        self.external_id.is_none()
            && self.name.is_none()
            && self.customer_link.is_none()
            && self.organization.is_none()
            && self.customer_manager.is_none()
            && self.email.is_none()
            && self.region.is_none()
    }
}

// ---- Helpers ----------------------------------------------------------------------------

/// The first `max` characters.
fn cut(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}

/// A text attribute: nothing for a blank value, at most 128 characters.
fn text(s: Option<&str>) -> Option<String> {
    let s = s?;
    if s.trim().is_empty() {
        return None;
    }
    let s = cut(s, MAX_TEXT);
    (!s.trim().is_empty()).then(|| s.to_owned())
}

fn trim_lower(s: Option<&str>) -> Option<String> {
    s.map(|s| s.trim().to_lowercase())
}

fn language(tag: &str) -> Option<&'static str> {
    match tag {
        "en-us" | "en-gb" => Some("English"),
        "es-mx" => Some("Spanish"),
        "fr-ca" => Some("French"),
        "zh-cn" => Some("Chinese"),
        _ => None,
    }
}

#[allow(clippy::float_cmp)] // Exactly 1 and 0 mean yes and no, as in flexmap's `yes_no`.
fn yes_no(v: &Loose) -> Option<bool> {
    match v {
        Loose::Bool(b) => Some(*b),
        Loose::Int(1) => Some(true),
        Loose::Int(0) => Some(false),
        Loose::Float(f) if *f == 1.0 => Some(true),
        Loose::Float(f) if *f == 0.0 => Some(false),
        Loose::Int(_) | Loose::Float(_) => None,
        Loose::Text(s) => {
            let s = s.trim();
            let any = |words: &[&str]| words.iter().any(|w| s.eq_ignore_ascii_case(w));
            if any(&["yes", "y", "true", "1", "on"]) {
                Some(true)
            } else if any(&["no", "n", "false", "0", "off"]) {
                Some(false)
            } else {
                None
            }
        }
    }
}

/// A number, or a numeric string; integral values within ±2^53 become integers.
fn number(v: &Loose) -> Option<Num> {
    match v {
        Loose::Int(i) => Some(Num::Int(*i)),
        Loose::Float(f) => Some(Num::Float(*f)),
        Loose::Bool(_) => None,
        Loose::Text(s) => {
            let f: f64 = s
                .trim_ascii()
                .parse()
                .ok()
                .filter(|f: &f64| f.is_finite())?;
            if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 {
                Some(Num::Int(f as i64))
            } else {
                Some(Num::Float(f))
            }
        }
    }
}

fn map(record: &Record) -> Output {
    let task = record.task.as_ref();
    let ivr = record.ivr.as_ref();
    let crm = record.crm.as_ref();
    let account = crm.and_then(|c| c.account.as_ref());
    let contact = crm.and_then(|c| c.contact.as_ref());
    let case = crm.and_then(|c| c.case.as_ref());

    let tier = trim_lower(account.and_then(|a| a.tier.as_deref()));
    let priority = trim_lower(case.and_then(|c| c.priority.as_deref()));
    let subject = case.and_then(|c| c.subject.as_deref());
    let menu_path = ivr.and_then(|i| i.menu_path.as_ref());
    let lang = trim_lower(ivr.and_then(|i| i.language.as_deref()));
    let contact_id = contact.and_then(|c| c.id.as_deref());

    let ivr_path = menu_path.map(|levels| {
        let levels: Vec<&str> = levels
            .iter()
            .filter_map(|l| l.as_deref().map(str::trim).filter(|l| !l.is_empty()))
            .collect();
        cut(&levels.join(" ▸ "), MAX_TEXT).to_owned()
    });
    let at_risk = account
        .and_then(|a| a.at_risk.as_ref())
        .and_then(yes_no)
        .unwrap_or(false);
    let conversations = Conversations {
        conversation_attribute_1: text(tier.as_deref()),
        conversation_attribute_2: text(priority.as_deref()),
        conversation_attribute_3: text(subject),
        conversation_label_4: text(account.and_then(|a| a.id.as_deref())),
        conversation_label_5: text(case.and_then(|c| c.number.as_deref())),
        conversation_measure_1: account.and_then(|a| a.open_cases.as_ref()).and_then(number),
        ivr_path: text(ivr_path.as_deref()),
        ivr_time: ivr
            .and_then(|i| i.duration_seconds.as_ref())
            .and_then(number),
        language: lang
            .as_deref()
            .and_then(language)
            .unwrap_or("Other")
            .to_owned(),
        in_business_hours: ivr
            .and_then(|i| i.business_hours.as_ref())
            .and_then(yes_no)
            .map(|b| if b { "Yes" } else { "No" }),
        initiated_by: "Customer",
        abandoned: "No",
        hang_up_by: "Customer",
        conversation_id: text(
            task.and_then(|t| t.attributes.as_ref())
                .and_then(|a| a.conversations.as_ref())
                .and_then(|c| c.conversation_id.as_deref())
                .or_else(|| task.and_then(|t| t.sid.as_deref())),
        ),
        campaign: if at_risk {
            text(
                account
                    .and_then(|a| a.retention_campaign.as_deref())
                    .map(str::trim),
            )
        } else {
            None
        },
        case: text(Some(&format!(
            "{} / {}",
            case.and_then(|c| c.number.as_deref()).unwrap_or(""),
            priority.as_deref().unwrap_or("none")
        ))),
    };
    let name = format!(
        "{} {}",
        contact
            .and_then(|c| c.first_name.as_deref())
            .map_or("", str::trim),
        contact
            .and_then(|c| c.last_name.as_deref())
            .map_or("", str::trim)
    );
    let customers = Customers {
        external_id: text(
            contact_id
                .or_else(|| contact.and_then(|c| c.phone.as_deref()))
                .or_else(|| contact.and_then(|c| c.email.as_deref())),
        ),
        name: text(Some(name.trim())),
        customer_link: contact_id
            .filter(|id| !id.chars().any(char::is_whitespace))
            .map(|id| format!("https://acme.lightning.force.com/lightning/r/Contact/{id}/view")),
        organization: text(account.and_then(|a| a.name.as_deref()).map(str::trim)),
        customer_manager: text(account.and_then(|a| a.owner_name.as_deref()).map(str::trim)),
        email: text(trim_none(contact.and_then(|c| c.email.as_deref())).as_deref()),
        region: text(account.and_then(|a| a.region.as_deref())),
    };
    Output {
        conversations,
        customers,
        r#type: "inbound_voice",
        vip: tier.as_deref().map(|t| t == "gold" || t == "platinum"),
        routing_language: lang.as_deref().map(|l| language(l).unwrap_or("English")),
        vip_boost: if tier.as_deref() == Some("platinum") {
            50
        } else {
            0
        },
        menu_depth: menu_path.map_or(0, Vec::len),
        subject_preview: subject
            .map(|s| cut(s, 20))
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned),
    }
}

/// `email | lower`.
fn trim_none(s: Option<&str>) -> Option<String> {
    s.map(str::to_lowercase)
}

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut errors = 0u64;
    for line in stdin.split(b'\n') {
        let line = line?;
        match serde_json::from_slice::<Record>(&line) {
            Ok(record) => {
                serde_json::to_writer(&mut out, &map(&record))?;
                out.write_all(b"\n")?;
            }
            Err(e) => {
                errors += 1;
                eprintln!("{e}");
            }
        }
    }
    out.flush()?;
    if errors > 0 {
        eprintln!("{errors} errors");
    }
    Ok(())
}
