//! `flexmap explain CODE|NAME`: the long explanation of a diagnostic code.

use flexmap::Code;

use super::{EXIT_OK, EXIT_USAGE};

/// Arguments of `flexmap explain`.
#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// A code (`FM101`) or name (`unknown-target`); without one, lists every code.
    pub code: Option<String>,
}

/// Runs `flexmap explain`.
pub fn run(args: &ExplainArgs) -> u8 {
    let Some(wanted) = &args.code else {
        for lint in flexmap::lint::LINTS {
            let info = lint.code.info();
            println!(
                "{}  {:<22} {:<8} {}",
                info.code,
                info.name,
                info.level.name(),
                info.summary
            );
        }
        return EXIT_OK;
    };
    let Some(code) = Code::from_code_or_name(wanted) else {
        eprintln!(
            "flexmap: no code `{wanted}`; {}",
            Code::suggestion_help(wanted)
        );
        return EXIT_USAGE;
    };
    let info = code.info();
    let text = flexmap::lint::find(code).map_or(info.summary, |l| l.explanation);
    println!(
        "# {} {} ({} by default)\n\n{}",
        info.code,
        info.name,
        info.level.name(),
        text.trim_end()
    );
    EXIT_OK
}
