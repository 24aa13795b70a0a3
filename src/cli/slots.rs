//! `flexmap slots`: the project's whole slot map: for every slot of every section, whether
//! it is free (the slot allocator would hand it out), paired (unused, but the attribute or
//! label of the same number is used), held by a custom field (locked in `flexmap.lock` or
//! not yet), written by hand, or retired, and in which files.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::ValueEnum;
use flexmap::catalog::{Section, SlotKind};
use flexmap::ledger::{SlotStatus, SlotUse};

use super::EXIT_OK;

/// Output format of `flexmap slots`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SlotsFormat {
    /// A table per section.
    Human,
    /// A versioned JSON document.
    Json,
}

/// Arguments of `flexmap slots`.
#[derive(clap::Args, Debug)]
pub struct SlotsArgs {
    /// A folder inside the project (default: the current folder).
    pub path: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SlotsFormat::Human)]
    pub format: SlotsFormat,
}

#[derive(serde::Serialize)]
struct JsonSlots<'a> {
    version: u32,
    slots: Vec<JsonSlot<'a>>,
}

#[derive(serde::Serialize)]
struct JsonSlot<'a> {
    slot: String,
    section: Section,
    kind: SlotKind,
    number: u32,
    status: SlotStatus,
    field: Option<&'a str>,
    files: &'a [String],
    previous: &'a [String],
    /// For a `paired` slot: the used slot of the same number (attribute ↔ label).
    paired_with: Option<String>,
}

/// Runs `flexmap slots`.
pub fn run(args: &SlotsArgs) -> u8 {
    let project = match super::find_project(args.path.as_deref()) {
        Ok(project) => project,
        Err(code) => return code,
    };
    let (plan, problems) = project.plan_with_lock();
    let mut shown: Vec<String> = problems
        .iter()
        .chain(&project.diagnostics)
        .map(flexmap::diagnostic::render::short)
        .collect();
    shown.sort();
    shown.dedup();
    for problem in shown {
        eprintln!("{problem}");
    }
    let out = match args.format {
        SlotsFormat::Json => {
            let slots: Vec<JsonSlot<'_>> = plan
                .uses
                .iter()
                .map(|u| JsonSlot {
                    slot: u.slot.name(),
                    section: u.slot.section,
                    kind: u.slot.kind,
                    number: u.slot.number,
                    status: u.status,
                    field: u.field.as_deref(),
                    files: &u.files,
                    previous: &u.previous,
                    paired_with: u.paired_with.map(|p| p.name()),
                })
                .collect();
            let document = JsonSlots { version: 1, slots };
            format!(
                "{}\n",
                serde_json::to_string_pretty(&document).unwrap_or_default()
            )
        }
        SlotsFormat::Human => human(&plan.uses),
    };
    print!("{out}");
    EXIT_OK
}

fn human(uses: &[SlotUse]) -> String {
    let mut out = String::new();
    for section in Section::ALL {
        let rows: Vec<&SlotUse> = uses.iter().filter(|u| u.slot.section == section).collect();
        let summary: Vec<String> = SlotKind::ALL
            .iter()
            .filter_map(|kind| {
                let of_kind: Vec<_> = rows.iter().filter(|u| u.slot.kind == *kind).collect();
                if of_kind.is_empty() {
                    return None;
                }
                let free = of_kind
                    .iter()
                    .filter(|u| u.status == SlotStatus::Free)
                    .count();
                Some(format!(
                    "{} {} of {} free",
                    kind.name(),
                    free,
                    of_kind.len()
                ))
            })
            .collect();
        let _ = writeln!(out, "{} ({})", section.name(), summary.join(", "));
        // Columns as wide as their longest cell, so a `(was …)` note never shifts FILES.
        let cells: Vec<[String; 4]> = rows
            .iter()
            .map(|row| {
                let mut field = row.field.clone().unwrap_or_else(|| "-".into());
                if !row.previous.is_empty() {
                    let _ = write!(field, " (was {})", row.previous.join(", "));
                }
                let files = if let Some(partner) = row.paired_with {
                    format!("(pairs with {partner}, which is used)")
                } else if row.files.is_empty() {
                    "-".to_string()
                } else {
                    row.files.join(", ")
                };
                [row.slot.name(), row.status.name().to_string(), field, files]
            })
            .collect();
        let header = ["SLOT", "STATUS", "FIELD", "FILES"].map(String::from);
        let width = |column: usize| {
            cells
                .iter()
                .chain(std::iter::once(&header))
                .map(|cell| cell[column].chars().count())
                .max()
                .unwrap_or(0)
        };
        let widths = [width(0), width(1), width(2)];
        for [slot, status, field, files] in std::iter::once(&header).chain(&cells) {
            let line = format!(
                "  {slot:<w0$} {status:<w1$} {field:<w2$} {files}",
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            );
            let _ = writeln!(out, "{}", line.trim_end());
        }
        out.push('\n');
    }
    out
}
