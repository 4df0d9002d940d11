//! The JSON report: the model as it is, schema `casus.report/1`, keys in the model's field
//! order (serde keeps struct order; `preserve_order` keeps maps in insertion order).

use super::model::ReportModel;

/// Renders the model as pretty-printed JSON with a final newline.
pub(crate) fn render(model: &ReportModel) -> String {
    // Serialising plain structs with string keys cannot fail; an empty object would show it.
    let mut text = serde_json::to_string_pretty(model).unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}
