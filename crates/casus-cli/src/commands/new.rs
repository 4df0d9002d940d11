//! `casus new`: write a commented starter scenario, with tests, that checks clean.
//!
//! The starter is the quickest way from "what does a scenario look like?" to a file that
//! `casus check`, `casus eval` and `casus test` accept: every section of format v1 appears
//! once, with a comment saying what it is for, so an analyst edits rather than types from a
//! blank page.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::Status;
use crate::error::CliError;
use crate::input::shown as display_name;
use crate::output::print;
use crate::write::{Inputs, write_file};

/// Arguments of `casus new`.
#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// The scenario's name: the file is `NAME.toml` (lowercase letters, digits, `-` and `_`).
    pub(crate) name: String,
    /// The folder to write the file in (it must exist).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub(crate) dir: PathBuf,
}

/// Runs the command.
pub(crate) fn run(args: &NewArgs) -> Result<Status, CliError> {
    let stem = stem(&args.name)?;
    let path = target(&args.dir, stem);
    let shown = display_name(&path);
    // `symlink_metadata` so that even a dangling link counts as "already there".
    if std::fs::symlink_metadata(&path).is_ok() {
        return Err(CliError::Usage(format!(
            "`{shown}` already exists; `casus new` never overwrites a file: choose another name, \
             another `--dir`, or remove the file first"
        )));
    }
    if !args.dir.is_dir() {
        return Err(CliError::Usage(format!(
            "`{}` is not a folder; create it first, or choose another `--dir`",
            display_name(&args.dir)
        )));
    }
    write_file(&path, starter(stem).as_bytes(), &Inputs::default())?;
    print(&format!(
        "wrote {shown}\nnext: edit it, then run `casus check {shown}`, `casus eval {shown}` and \
         `casus test {shown}`\n"
    ));
    Ok(Status::Ok)
}

/// The file `new` writes: `DIR/STEM.toml`, or just `STEM.toml` in the current folder.
fn target(dir: &Path, stem: &str) -> PathBuf {
    let file = format!("{stem}.toml");
    if dir == Path::new(".") {
        PathBuf::from(file)
    } else {
        dir.join(file)
    }
}

/// The file stem from NAME: an id such as `peace_talks` or a stem such as `peace-talks`; a
/// trailing `.toml` is forgiven, since people type file names.
fn stem(name: &str) -> Result<&str, CliError> {
    let stem = name.strip_suffix(".toml").unwrap_or(name);
    let mut chars = stem.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if valid {
        return Ok(stem);
    }
    let hint = suggestion(stem);
    let help = if hint.is_empty() || hint == stem {
        "use lowercase letters, digits, `-` and `_`, starting with a letter, such as `peace-talks`"
            .to_owned()
    } else {
        format!(
            "use lowercase letters, digits, `-` and `_`, starting with a letter: did you mean `{hint}`?"
        )
    };
    let reason = if stem.contains(['/', '\\']) {
        "; to write it in another folder, use `--dir`"
    } else {
        ""
    };
    Err(CliError::Usage(format!(
        "`{}` is not a valid scenario name: {help}{reason}",
        escape(name)
    )))
}

/// The nearest valid name: lowercased, spaces and dots as `-`, other characters dropped.
fn suggestion(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let mut out = String::new();
    for c in base.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if matches!(c, '-' | '_' | ' ' | '.') && !out.is_empty() && !out.ends_with('-') {
            out.push(if c == '_' { '_' } else { '-' });
        }
    }
    let trimmed = out.trim_start_matches(|c: char| !c.is_ascii_lowercase());
    trimmed.trim_end_matches(['-', '_']).to_owned()
}

/// A name in a message, with control characters made visible and long names cut.
fn escape(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == 60 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The title the starter gets: `peace-talks` becomes "Peace talks".
fn title(stem: &str) -> String {
    let words = stem.replace(['-', '_'], " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// The starter scenario for `stem`.
///
/// Its numbers are worked out by hand in the comments, so an analyst can see how a forecast
/// comes about; the test `no_deal_is_most_likely` asserts the same number.
fn starter(stem: &str) -> String {
    STARTER
        .replace("{file}", &format!("{stem}.toml"))
        .replace("{title}", &title(stem))
}

/// The text of the starter; `{file}` and `{title}` are filled in.
const STARTER: &str = r#"# {file}: a casus scenario (format v1).
#
#   casus check {file}    parse and type-check it, like a compiler
#   casus eval {file}     forecast, strategy and sensitivity
#   casus test {file}     run the [tests.*] at the end of the file
#
# Replace the example below with your own situation. Ids (actors, facts, decisions, options,
# rules, outcomes, tests) are lowercase letters, digits and `_`, starting with a letter.

[scenario]
title = "{title}"
summary = "Does an offer become a lasting deal?"
as_of = 2025-01-01
sources = ["say where your facts and judgements come from"]

# Who decides, or has a stake in the result: `id = "display name"`.
[actors]
side_a = "Side A"
side_b = { name = "Side B", doc = "answers Side A's offer" }

# Facts. An input fact is something you know (a value). A derived fact has a type and a
# default, and only rules change it.
[facts]
talks_open = { value = true, source = "where this comes from" }
deal = { type = "bool", default = false, doc = "both sides have signed" }

# Decisions happen in file order. Likelihoods may be ICD 203 words ("likely" is 55-80 %),
# numbers (0.3), percentages ("30%") or ranges ([0.2, 0.4]); casus normalises them.
[decisions.offer]
actor = "side_a"
ask = "Does Side A make an offer?"
when = "talks_open"  # the guard: when it is false, the decision is skipped
options = ["offer", "no_offer"]
likelihood = { offer = "likely", no_offer = "unlikely" }

[decisions.answer]
actor = "side_b"
ask = "Does Side B accept it?"
when = "offer == 'offer'"
options = ["accept", "refuse"]
likelihood = { accept = "roughly even chance", refuse = "roughly even chance" }

# A chance event: actor "nature" does not choose, it follows its likelihoods.
[decisions.deal_holds]
actor = "nature"
ask = "Does the deal survive its first months?"
when = "deal"
options = ["holds", "breaks"]
likelihood = { holds = "likely", breaks = "unlikely" }

# Rules set derived facts (`then`) or add to number facts (`add`). Say why, and who says so:
# explanations and reports quote `because`.
[rules.signed]
when = "answer == 'accept'"
then = { deal = true }
because = "an accepted offer is signed at once"
source = "your source"

# Every path ends in exactly one outcome. The payoffs (any scale, per actor) drive the
# strategy: each actor picks what is best for itself. An outcome without `when` is the
# fallback, reached when no other outcome is.
[outcomes.lasting_deal]
title = "A deal that holds"
when = "deal_holds == 'holds'"
payoff = { side_a = 2, side_b = 1 }

[outcomes.broken_deal]
title = "A deal that breaks down"
when = "deal_holds == 'breaks'"
payoff = { side_a = -1, side_b = 0 }

[outcomes.no_deal]
title = "No deal"
payoff = { side_a = 0, side_b = 0 }

# Tests pin down what the scenario must keep saying; `casus test` runs them.
[tests.acceptance_brings_a_deal]
given = { answer = "accept" }  # fixes decisions (or overrides input facts)
expect = { deal = true }  # must hold on every path consistent with `given`

[tests.closed_talks_mean_no_deal]
given = { talks_open = false }  # what if the talks were closed? (overrides the input fact)
expect = { outcome = "no_deal" }

[tests.a_lasting_deal_needs_both_sides]
given = { answer = "accept", deal_holds = "holds" }
expect = { outcome = "lasting_deal" }

# offer is likely (middle of 55-80 %: 0.675), the answer an even chance (0.5), so no deal
# = 0.325 + 0.675 * 0.5 = 0.6625.
[tests.no_deal_is_most_likely]
expect_probability = { no_deal = [0.65, 0.67] }
"#;

#[cfg(test)]
mod tests {
    use super::*;

    use casus_core::SourceFile;
    use casus_core::limits::Limits;
    use casus_rules::EvalLimits;
    use casus_rules::workflow::testing::{TestStatus, run_tests};

    /// A fresh, empty folder for one test, removed by the test when it is done.
    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("casus-new-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn the_starter_checks_clean_and_its_tests_pass() {
        for name in ["talks", "peace-talks", "iran_snapback_2025"] {
            let text = starter(name);
            let source = SourceFile::new(format!("{name}.toml"), text.as_str());
            let checked =
                casus_rules::check_source(&source, &Limits::default(), &EvalLimits::default());
            assert!(
                checked.diagnostics.is_empty(),
                "{name}: the starter should check without any finding, got {:#?}",
                checked.diagnostics
            );
            let scenario = checked.scenario.unwrap();
            let results = run_tests(&scenario, &EvalLimits::default());
            assert_eq!(results.len(), 4);
            for result in &results {
                assert_eq!(result.status, TestStatus::Passed, "{name}: {result:#?}");
            }
        }
    }

    #[test]
    fn the_starter_forecast_is_the_one_its_comment_works_out() {
        // Worked out by hand in the starter's comment: no deal = 0.325 + 0.675 * 0.5.
        let source = SourceFile::new("talks.toml", starter("talks").as_str());
        let checked =
            casus_rules::check_source(&source, &Limits::default(), &EvalLimits::default());
        let (scenario, evaluation) = (checked.scenario.unwrap(), checked.evaluation.unwrap());
        let no_deal = scenario
            .outcomes
            .iter()
            .position(|o| o.id.name == "no_deal")
            .unwrap();
        let p = evaluation.outcomes[no_deal].probability;
        assert!((p - 0.6625).abs() < 1e-12, "no_deal = {p}");
    }

    #[test]
    fn the_title_comes_from_the_name() {
        assert!(starter("peace-talks").contains("title = \"Peace talks\""));
        assert!(starter("iran_snapback").contains("title = \"Iran snapback\""));
        assert!(starter("talks").starts_with("# talks.toml: "));
    }

    #[test]
    fn names_are_ids_or_file_stems() {
        assert_eq!(stem("talks").unwrap(), "talks");
        assert_eq!(stem("peace-talks").unwrap(), "peace-talks");
        assert_eq!(stem("peace_talks2").unwrap(), "peace_talks2");
        assert_eq!(stem("talks.toml").unwrap(), "talks");
        for bad in [
            "",
            "Talks",
            "2talks",
            "peace talks",
            "../talks",
            "talks!",
            "-talks",
        ] {
            let error = stem(bad).unwrap_err().to_string();
            assert!(
                error.contains("is not a valid scenario name"),
                "{bad}: {error}"
            );
            assert!(!error.ends_with('.'), "{bad}: {error}");
        }
        let error = stem("Peace Talks").unwrap_err().to_string();
        assert!(error.contains("did you mean `peace-talks`?"), "{error}");
        let error = stem("drafts/talks").unwrap_err().to_string();
        assert!(error.contains("did you mean `talks`?"), "{error}");
        assert!(error.contains("use `--dir`"), "{error}");
    }

    #[test]
    fn new_writes_the_file_and_refuses_to_overwrite_it() {
        let dir = scratch("overwrite");
        let args = NewArgs {
            name: "talks".to_owned(),
            dir: dir.clone(),
        };
        assert_eq!(run(&args).unwrap(), Status::Ok);
        let path = dir.join("talks.toml");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), starter("talks"));

        std::fs::write(&path, "# my own work\n").unwrap();
        let error = run(&args).unwrap_err();
        assert!(matches!(error, CliError::Usage(_)), "{error:?}");
        assert!(error.to_string().contains("already exists"), "{error}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "# my own work\n");
        // Nothing else was left behind: no temporary file.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_folder_is_a_usage_error() {
        let dir = scratch("missing").join("not-there");
        let error = run(&NewArgs {
            name: "talks".to_owned(),
            dir: dir.clone(),
        })
        .unwrap_err();
        assert!(error.to_string().contains("is not a folder"), "{error}");
        let _ = std::fs::remove_dir_all(dir.parent().unwrap());
    }
}
