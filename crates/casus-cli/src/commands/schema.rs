//! `casus schema`: the JSON Schema of scenario files, for editors, or of a command's JSON
//! output, for the programs that read it.

use clap::{Args, ValueEnum};

use casus_report::output::Contract;

use crate::Status;
use crate::error::CliError;
use crate::output::print;

/// Commands whose JSON output has a schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputArg {
    /// `casus eval --format json`.
    Eval,
    /// `casus eval --all-variants --format json`.
    EvalVariants,
    /// `casus report --format json`.
    Report,
    /// `casus explain --format json`.
    Explain,
    /// `casus test --format json`.
    Test,
    /// `casus check --format json`.
    Check,
    /// `casus diff --format json`.
    Diff,
    /// `casus score --format json`.
    Score,
}

/// Arguments of `casus schema`.
#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {
    /// Print the schema of this command's JSON output instead of the scenario format's.
    #[arg(long, value_enum, value_name = "COMMAND")]
    pub(crate) output: Option<OutputArg>,
}

/// Prints the schema generated from the format's declaration, or from the typed result of a
/// command; the repository keeps copies in `schema/`, which tests keep in sync.
pub(crate) fn run(args: &SchemaArgs) -> Result<Status, CliError> {
    let text = match args.output {
        None => format!(
            "{}\n",
            serde_json::to_string_pretty(&casus_core::format::json_schema()).unwrap_or_default()
        ),
        Some(OutputArg::Eval) => Contract::Eval.schema(),
        Some(OutputArg::EvalVariants) => Contract::Variants.schema(),
        Some(OutputArg::Report) => Contract::Report.schema(),
        Some(OutputArg::Explain) => Contract::Explain.schema(),
        Some(OutputArg::Test) => Contract::Test.schema(),
        Some(OutputArg::Check) => Contract::Check.schema(),
        Some(OutputArg::Diff) => Contract::Diff.schema(),
        Some(OutputArg::Score) => Contract::Score.schema(),
    };
    print(&text);
    Ok(Status::Ok)
}
