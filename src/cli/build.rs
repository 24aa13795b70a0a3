//! `flexmap build`: the compiled ruleset as JavaScript (`--emit js|esm`) or as a Twilio
//! Serverless Toolkit layout (`--emit twilio-function`), refused with `FM6xx` findings when
//! JavaScript cannot reproduce a rule exactly.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use flexmap::emit::{self, Flavor, Header, Portability};
use flexmap::runtime::Program;
use flexmap::{Code, Diagnostic, SourceFile, Span};
use sha2::{Digest, Sha256};

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, OutputArgs};

/// Arguments of `flexmap build`.
#[derive(clap::Args, Debug)]
pub struct BuildArgs {
    /// The rule file.
    pub rules: PathBuf,
    /// What to generate.
    #[arg(long, value_enum)]
    pub emit: Emit,
    /// Output file (`js`, `esm`; standard output by default) or folder (`twilio-function`).
    #[arg(short = 'o', long = "output", value_name = "FILE|DIR")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub diagnostics: OutputArgs,
}

/// Targets of `flexmap build`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    /// A `CommonJS` module (Node 20–24, Twilio Functions).
    Js,
    /// An ES module (Flex plugins, bundlers, browsers).
    Esm,
    /// A Twilio Serverless Toolkit project: the module as a private asset and a Function.
    TwilioFunction,
}

/// Runs `flexmap build`.
pub fn run(args: &BuildArgs) -> u8 {
    let text = match flexmap::project::read_text(&args.rules) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("flexmap: {}", e.message);
            return EXIT_USAGE;
        }
    };
    let name = args.rules.display().to_string();
    // The project around the rule file decides (its lock and settings), as for `apply`.
    let program = match super::compile_or_report(&args.rules, &args.diagnostics, "built") {
        Ok(program) => program,
        Err(code) => return code,
    };
    let source = SourceFile::new(
        program.sites().first().map_or(name.as_str(), |s| &*s.file),
        text.as_str(),
    );
    let header = Header {
        ruleset: name.clone(),
        content_hash: hex(&Sha256::digest(text.as_bytes())),
        version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let flavor = if args.emit == Emit::Esm {
        Flavor::Esm
    } else {
        Flavor::CommonJs
    };
    let module = match emit::module(&program, flavor, &header) {
        Ok(module) => module,
        Err(problems) => {
            let diagnostics = portability_diagnostics(&program, &source, &problems);
            super::print_diagnostics(&diagnostics, 1, &args.diagnostics, true);
            eprintln!(
                "flexmap: {name} cannot run as JavaScript exactly as in Rust ({} finding{}); nothing was built",
                diagnostics.len(),
                flexmap::diagnostic::plural(diagnostics.len())
            );
            return EXIT_FINDINGS;
        }
    };
    match args.emit {
        Emit::Js | Emit::Esm => match &args.output {
            None => {
                print!("{module}");
                EXIT_OK
            }
            Some(path) => write(path, &module),
        },
        Emit::TwilioFunction => {
            let Some(dir) = &args.output else {
                eprintln!(
                    "flexmap: --emit twilio-function needs -o DIR (the project folder to write)"
                );
                return EXIT_USAGE;
            };
            let stem = args
                .rules
                .file_stem()
                .map_or_else(|| "rules".to_string(), |s| s.to_string_lossy().into_owned());
            match emit::twilio::layout(&module, &stem, &header) {
                Ok(files) => {
                    for (relative, contents) in files {
                        let code = write(&dir.join(relative), &contents);
                        if code != EXIT_OK {
                            return code;
                        }
                    }
                    eprintln!(
                        "flexmap build: wrote a Twilio Serverless project to {} (deploy with `twilio serverless:deploy`)",
                        dir.display()
                    );
                    EXIT_OK
                }
                Err(message) => {
                    eprintln!("flexmap: {message}");
                    EXIT_USAGE
                }
            }
        }
    }
}

fn write(path: &Path, contents: &str) -> u8 {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(parent)
    {
        eprintln!("flexmap: cannot create {}: {e}", parent.display());
        return EXIT_USAGE;
    }
    match flexmap::fsio::write_atomic(path, contents.as_bytes()) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("flexmap: cannot write {}: {e}", path.display());
            EXIT_USAGE
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

/// `FM6xx` findings at the filter's position in the rule file.
fn portability_diagnostics(
    program: &Program,
    source: &SourceFile,
    problems: &[Portability],
) -> Vec<Diagnostic> {
    problems
        .iter()
        .map(|p| {
            let site = program.sites().get(p.site as usize);
            let span = site.map_or(Span::at(0), |s| {
                let start = source.offset_of(s.line as usize, s.column as usize);
                Span::new(start, source.clamp(start + s.what.len()))
            });
            let code = match p.code {
                "FM601" => Code::NotPortableRegex,
                _ => Code::NotPortableDateFormat,
            };
            let mut diagnostic = Diagnostic::new(code, p.message.clone(), span)
                .with_help(p.help.clone())
                .in_source(source);
            if p.code.is_empty() {
                diagnostic.message =
                    format!("internal error while generating JavaScript: {}", p.message);
            }
            diagnostic
        })
        .collect()
}
