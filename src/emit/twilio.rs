//! `--emit twilio-function`: a Twilio Serverless Toolkit project around a generated module.
//!
//! `assets/flexmap-<name>.private.js` is the `CommonJS` module (a private asset, loaded with
//! `Runtime.getAssets()`), `functions/flexmap-<name>.js` the Function
//! (`templates/twilio-function.js.tera`), plus `package.json` and `.twilioserverlessrc`.

use std::path::PathBuf;

use super::Header;

/// How many times the Function fetches, merges and updates before giving up on 412s.
pub const ATTEMPTS: u32 = 3;
/// The Function's template.
pub const FUNCTION_TEMPLATE: &str = include_str!("../../templates/twilio-function.js.tera");

/// The files of the project, relative to its folder.
///
/// # Errors
/// The template does not render (a bug, covered by tests).
pub fn layout(module: &str, stem: &str, header: &Header) -> Result<Vec<(PathBuf, String)>, String> {
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let asset = format!("flexmap-{name}.js");
    let function = render_function(&asset, header)?;
    let package = serde_json::json!({
        "name": format!("flexmap-{name}"),
        "version": "1.0.0",
        "private": true,
        "description": format!("flexmap rules {} as a Twilio Function", header.ruleset),
        "scripts": { "start": "twilio-run", "deploy": "twilio-run deploy" },
        "engines": { "node": ">=20" },
        "dependencies": {},
        "devDependencies": { "twilio-run": "^5" }
    });
    Ok(vec![
        (
            PathBuf::from(format!("assets/flexmap-{name}.private.js")),
            module.to_string(),
        ),
        (
            PathBuf::from(format!("functions/flexmap-{name}.js")),
            function,
        ),
        (
            PathBuf::from("package.json"),
            serde_json::to_string_pretty(&package).unwrap_or_default() + "\n",
        ),
        (
            PathBuf::from(".twilioserverlessrc"),
            "{\n  \"runtime\": \"node22\"\n}\n".to_string(),
        ),
        (
            PathBuf::from(".gitignore"),
            "node_modules/\n.env\n.twiliodeployinfo\n".to_string(),
        ),
    ])
}

#[cfg(feature = "cli")]
fn render_function(asset: &str, header: &Header) -> Result<String, String> {
    let mut tera = tera::Tera::new();
    tera.add_raw_template("function.js", FUNCTION_TEMPLATE)
        .map_err(|e| format!("{e:?}"))?;
    let mut context = tera::Context::new();
    context.insert("header", &super::header_comment(header));
    // It goes into a comment: no line break may end it.
    context.insert("ruleset", &super::one_line(&header.ruleset));
    context.insert("asset", asset);
    context.insert("attempts", &ATTEMPTS);
    tera.render("function.js", &context)
        .map_err(|e| format!("{e:?}"))
}

#[cfg(not(feature = "cli"))]
fn render_function(_: &str, _: &Header) -> Result<String, String> {
    Err("JavaScript generation needs the `cli` feature (tera)".into())
}

#[cfg(all(test, feature = "cli"))]
mod tests {
    use super::*;

    #[test]
    fn a_ruleset_name_cannot_end_a_comment_of_the_function() {
        let header = Header {
            ruleset: "rules\nthrow new Error('injected')\u{2028}x\u{2029}y.yaml".into(),
            content_hash: "0".into(),
            version: "0".into(),
        };
        let files = layout("", "rules", &header).expect("renders");
        for (path, text) in files {
            if path.extension().is_none_or(|e| e != "js") {
                continue;
            }
            assert!(
                !text.contains('\u{2028}') && !text.contains('\u{2029}'),
                "{}",
                path.display()
            );
            assert!(
                !text
                    .lines()
                    .any(|l| l.trim_start().starts_with("throw new Error('injected')")),
                "{}: {text}",
                path.display()
            );
        }
    }
}
