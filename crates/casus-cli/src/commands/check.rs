//! `casus check`: parse, type-check and lint scenario files.

use casus_core::diagnostic::did_you_mean;
use casus_core::model::Level;
use casus_core::{Code, Diagnostic, Severity, SourceFile};
use casus_report::diagnostics::{
    render_github, render_human, render_json, render_sarif, summary_line,
};

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::Status;
use crate::cli::LimitArgs;
use crate::error::CliError;
use crate::input;
use crate::output::print;

/// How `check` prints findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum CheckFormat {
    /// Like a compiler, for people.
    Human,
    /// One JSON array of findings.
    Json,
    /// GitHub Actions annotations.
    Github,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

/// Arguments of `casus check`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Scenario files, or folders to search for `*.toml`.
    #[arg(required_unless_present = "explain")]
    pub(crate) paths: Vec<PathBuf>,
    /// Print the explanation of a diagnostic code, such as `E0101` or `unknown_key`, and exit.
    #[arg(long, value_name = "CODE", conflicts_with = "paths")]
    pub(crate) explain: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub(crate) format: CheckFormat,
    /// Report a lint as an error, given as its code or name (`--deny dead_rule`); or fail on
    /// every warning (`--deny warnings`). Overrides the files' `[lints]`.
    #[arg(long, value_name = "LINT")]
    pub(crate) deny: Vec<String>,
    /// Report a lint as a warning, given as its code or name. Overrides the files' `[lints]`.
    #[arg(long, value_name = "LINT")]
    pub(crate) warn: Vec<String>,
    /// Do not report a lint, given as its code or name. Overrides the files' `[lints]`.
    #[arg(long, value_name = "LINT")]
    pub(crate) allow: Vec<String>,
    #[command(flatten)]
    pub(crate) limits: LimitArgs,
}

/// Runs the command.
pub(crate) fn run(args: &CheckArgs) -> Result<Status, CliError> {
    if let Some(code) = &args.explain {
        print(&explain(code)?);
        return Ok(Status::Ok);
    }
    let deny_warnings = args.deny.iter().any(|d| d == "warnings");
    let levels = lint_levels(args)?;
    let files = input::collect(&args.paths)?;
    let limits = args.limits.core();
    let mut results: Vec<(SourceFile, Vec<Diagnostic>)> = Vec::new();
    for path in &files {
        let (source, decode_error) = input::read(path, &limits)?;
        // Checking evaluates and lints: on a large scenario that takes a while.
        let _spinner = crate::progress::Spinner::start(&format!("check {}", input::shown(path)));
        let diagnostics = match decode_error {
            Some(d) => vec![d],
            None => {
                casus_rules::check_source_with(&source, &limits, &args.limits.eval(), &levels)
                    .diagnostics
            }
        };
        results.push((source, diagnostics));
    }
    let pairs: Vec<(&SourceFile, &[Diagnostic])> =
        results.iter().map(|(s, d)| (s, d.as_slice())).collect();
    match args.format {
        CheckFormat::Human => {
            let color = input::color(input::stdout_is_terminal());
            // `--quiet` silences notes, which never fail a run; machine formats keep them.
            let quiet = crate::cli::GlobalArgs::get().quiet;
            let mut out = String::new();
            for (source, diagnostics) in &pairs {
                let shown: Vec<Diagnostic> = diagnostics
                    .iter()
                    .filter(|d| !quiet || d.severity != Severity::Note)
                    .cloned()
                    .collect();
                if !shown.is_empty() {
                    out.push_str(&render_human(source, &shown, color));
                }
            }
            out.push_str(&summary_line(&pairs, color));
            out.push('\n');
            print(&out);
        }
        CheckFormat::Json => print(&render_json(&pairs)),
        CheckFormat::Github => print(&render_github(&pairs)),
        CheckFormat::Sarif => print(&render_sarif(&pairs)),
    }
    let fails = |d: &Diagnostic| {
        d.severity == Severity::Error || (deny_warnings && d.severity == Severity::Warning)
    };
    let failed = results.iter().any(|(_, ds)| ds.iter().any(fails));
    Ok(if failed { Status::Findings } else { Status::Ok })
}

/// The levels `--allow`, `--warn` and `--deny` give. A lint named twice at one level is fine;
/// named at two levels (`--deny W0104 --allow W0104`) it is a usage error naming both flags,
/// since no order of flags makes the intent clear.
fn lint_levels(args: &CheckArgs) -> Result<casus_rules::LintLevels, CliError> {
    let mut levels: Vec<(Code, Level)> = Vec::new();
    // The first flag that named each lint, as written, for the conflict message.
    let mut named: Vec<(Code, String)> = Vec::new();
    let flags = [
        ("--allow", Level::Allow, &args.allow),
        ("--warn", Level::Warn, &args.warn),
        ("--deny", Level::Deny, &args.deny),
    ];
    for (flag, level, names) in flags {
        for name in names {
            if flag == "--deny" && name == "warnings" {
                continue;
            }
            let code = parse_code(name)?;
            if !code.is_lint() {
                return Err(CliError::Usage(format!(
                    "`{flag} {}` names an error, not a lint: errors make a scenario meaningless and cannot be {}",
                    code.as_str(),
                    if level == Level::Deny {
                        "changed"
                    } else {
                        "silenced"
                    }
                )));
            }
            let written = format!("{flag} {}", casus_report::text::visible(name));
            match levels.iter().find(|(c, _)| *c == code) {
                Some((_, l)) if *l == level => {}
                Some(_) => {
                    let first = named
                        .iter()
                        .find(|(c, _)| *c == code)
                        .map_or_else(String::new, |(_, w)| w.clone());
                    return Err(CliError::Usage(format!(
                        "`{first}` and `{written}` give lint {} (`{}`) two levels; name each lint once",
                        code.as_str(),
                        code.name()
                    )));
                }
                None => {
                    levels.push((code, level));
                    named.push((code, written));
                }
            }
        }
    }
    Ok(casus_rules::LintLevels { levels })
}

/// A diagnostic code given by its code or name, or a usage error with a suggestion.
fn parse_code(code: &str) -> Result<Code, CliError> {
    Code::parse(code.trim()).ok_or_else(|| {
        let candidates = Code::ALL
            .iter()
            .flat_map(|c| [c.as_str(), c.name()])
            .collect::<Vec<_>>();
        let shown: String = code
            .chars()
            .flat_map(char::escape_default)
            .take(60)
            .collect();
        let hint = did_you_mean(&code.trim().to_uppercase(), candidates.iter().copied())
            .or_else(|| did_you_mean(&code.trim().to_lowercase(), candidates.iter().copied()))
            .unwrap_or_else(|| "the codes are listed in docs/diagnostics.md".to_owned());
        CliError::Usage(format!("unknown diagnostic code `{shown}`; {hint}"))
    })
}

/// The explanation of a code given by its code or name, as `--explain` prints it.
pub(crate) fn explain(code: &str) -> Result<String, CliError> {
    let found = parse_code(code)?;
    Ok(format!(
        "{} {} ({}): {}\n\n{}\n",
        found.as_str(),
        found.name(),
        found.default_severity().as_str(),
        found.summary(),
        found.explanation_text()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explain_accepts_a_code_or_a_name_in_any_case() {
        let by_code = explain("e0101").unwrap();
        assert!(
            by_code.starts_with("E0101 unknown_key (error): a key format v1 does not know\n\n")
        );
        assert!(by_code.contains("Fix:"));
        assert_eq!(explain(" unknown_key ").unwrap(), by_code);
    }

    fn levels(args: &[&str]) -> Result<Vec<(Code, Level)>, CliError> {
        use clap::Parser;
        let cli = crate::cli::Cli::try_parse_from(["casus", "check", "x.toml"].iter().chain(args))
            .unwrap();
        let crate::cli::Command::Check(check) = cli.command else {
            panic!("not check")
        };
        lint_levels(&check).map(|l| l.levels)
    }

    #[test]
    fn lint_flags_take_codes_or_names_and_conflicts_are_usage_errors() {
        assert_eq!(levels(&[]).unwrap(), []);
        assert_eq!(
            levels(&["--allow", "W0401", "--warn", "unused_input"]).unwrap(),
            [
                (Code::DeadRule, Level::Allow),
                (Code::UnusedInput, Level::Warn)
            ]
        );
        // `--deny warnings` is about the run, not a lint.
        assert_eq!(levels(&["--deny", "warnings"]).unwrap(), []);
        // The same level twice, by code and by name, is no conflict.
        assert_eq!(
            levels(&["--deny", "dead_rule", "--deny", "W0401"]).unwrap(),
            [(Code::DeadRule, Level::Deny)]
        );
        for (args, message) in [
            (
                ["--deny", "W0104", "--allow", "W0104"],
                "`--allow W0104` and `--deny W0104` give lint W0104 (`unused_input`) two levels; name each lint once",
            ),
            (
                ["--allow", "dead_rule", "--warn", "W0401"],
                "`--allow dead_rule` and `--warn W0401` give lint W0401 (`dead_rule`) two levels; name each lint once",
            ),
        ] {
            let Err(CliError::Usage(got)) = levels(&args) else {
                panic!("{args:?} is a conflict")
            };
            assert_eq!(got, message);
        }
    }

    #[test]
    fn lint_flags_reject_errors_and_unknown_names() {
        let Err(CliError::Usage(message)) = levels(&["--allow", "E0101"]) else {
            panic!("errors cannot be allowed")
        };
        assert_eq!(
            message,
            "`--allow E0101` names an error, not a lint: errors make a scenario meaningless and cannot be silenced"
        );
        let Err(CliError::Usage(message)) = levels(&["--warn", "dead_rul"]) else {
            panic!("not a lint")
        };
        assert_eq!(
            message,
            "unknown diagnostic code `dead_rul`; did you mean `dead_rule`?"
        );
    }

    #[test]
    fn explain_rejects_an_unknown_code_with_a_suggestion() {
        let Err(CliError::Usage(message)) = explain("E0110") else {
            panic!("E0110 is not a code")
        };
        assert_eq!(
            message,
            "unknown diagnostic code `E0110`; did you mean `E0101`?"
        );
        let Err(CliError::Usage(message)) = explain("no such thing\n") else {
            panic!("not a code")
        };
        assert_eq!(
            message,
            "unknown diagnostic code `no such thing\\n`; the codes are listed in docs/diagnostics.md"
        );
    }
}
