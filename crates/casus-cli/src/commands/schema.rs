//! `casus schema`: the JSON Schema of scenario files, for editors.

use clap::Args;

use crate::Status;
use crate::error::CliError;
use crate::output::print;

/// Arguments of `casus schema`.
#[derive(Debug, Args)]
pub(crate) struct SchemaArgs {}

/// Prints the schema generated from the format's declaration; the repository keeps a copy in
/// `schema/casus.schema.json`, which a test keeps in sync.
pub(crate) fn run(_args: &SchemaArgs) -> Result<Status, CliError> {
    let schema = casus_core::format::json_schema();
    print(&format!(
        "{}\n",
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    ));
    Ok(Status::Ok)
}
