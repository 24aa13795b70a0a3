//! Findings as LSP diagnostics: range, severity, code with a link to its explanation,
//! related information for the secondary labels.

use std::path::PathBuf;

use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Url,
};

use super::position::Encoding;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceFile;

/// `diagnostic` (whose spans point into `source`, or into a label's own file) for the client.
#[must_use]
pub fn diagnostic(
    encoding: Encoding,
    source: &SourceFile,
    diagnostic: &Diagnostic,
) -> lsp_types::Diagnostic {
    let own = diagnostic.source.as_ref().unwrap_or(source);
    let range = encoding.range(own, diagnostic.primary_span());
    let primary_label = diagnostic
        .labels
        .iter()
        .find(|l| l.primary)
        .and_then(|l| l.message.as_deref());
    let mut message = diagnostic.message.clone();
    if let Some(label) = primary_label {
        message.push_str(" (");
        message.push_str(label);
        message.push(')');
    }
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let related: Vec<DiagnosticRelatedInformation> = diagnostic
        .labels
        .iter()
        .filter(|l| !l.primary)
        .filter_map(|label| {
            let file = label.source.as_ref().unwrap_or(own);
            Some(DiagnosticRelatedInformation {
                location: Location {
                    uri: file_uri(file.name())?,
                    range: encoding.range(file, label.span),
                },
                message: label.message.clone().unwrap_or_default(),
            })
        })
        .collect();
    lsp_types::Diagnostic {
        range,
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(diagnostic.code.as_str().to_string())),
        code_description: explanation_uri(diagnostic.code).map(|href| CodeDescription { href }),
        source: Some("flexmap".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: Some(serde_json::json!({ "name": diagnostic.code.name() })),
    }
}

/// A `file://` URI for a file name as diagnostics show it (relative names are taken from
/// the current folder).
#[must_use]
pub fn file_uri(name: &str) -> Option<Url> {
    let path = PathBuf::from(name);
    let path = if path.is_absolute() {
        path
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    Url::from_file_path(path).ok()
}

/// Where the explanation of `code` is: the documentation site (`FLEXMAP_DOCS_URL` or the
/// crate's repository, as SARIF's `helpUri`), else a Markdown file with `flexmap explain`'s
/// text, written once under the temporary folder.
fn explanation_uri(code: crate::Code) -> Option<Url> {
    let info = code.info();
    if let Some(docs) = crate::diagnostic::render::docs_url() {
        return Url::parse(&format!("{docs}#{}", info.code.to_ascii_lowercase())).ok();
    }
    let lint = crate::lint::LINTS.iter().find(|l| l.code == code)?;
    let folder =
        std::env::temp_dir().join(format!("flexmap-{}-explain", env!("CARGO_PKG_VERSION")));
    let path = folder.join(format!("{}.md", info.code));
    if !path.is_file() {
        std::fs::create_dir_all(&folder).ok()?;
        let text = format!(
            "# {} {}\n\n{}\n\n{}",
            info.code, info.name, info.summary, lint.explanation
        );
        // Written whole through a temporary file, so a reader never sees half of it.
        let temporary = folder.join(format!(".{}.{}.tmp", info.code, std::process::id()));
        std::fs::write(&temporary, text).ok()?;
        std::fs::rename(&temporary, &path).ok()?;
    }
    Url::from_file_path(path).ok()
}
