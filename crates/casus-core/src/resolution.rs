//! What "the model changed" means once a scenario is resolved.
//!
//! The model is everything in the file but the `[resolution]` table, compared as TOML data:
//! comments, layout and key order do not count, so `casus fmt` or a corrected comment never
//! looks like a new forecast, while any changed value, key or table does.

/// The file's TOML data without `[resolution]`; `None` when the text is not TOML.
fn model_data(text: &str) -> Option<toml::Table> {
    let mut table: toml::Table = toml::from_str(text).ok()?;
    table.remove("resolution");
    Some(table)
}

/// Whether two versions of a file hold the same model. Text that is not TOML is never the
/// same model as anything.
pub fn same_model(old: &str, new: &str) -> bool {
    match (model_data(old), model_data(new)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::same_model;

    const BASE: &str = "[scenario]\ntitle = \"T\"\nas_of = 2025-01-01\n[outcomes.a]\n";

    #[test]
    fn a_resolution_comments_and_layout_do_not_change_the_model() {
        let resolved = format!("{BASE}[resolution]\noutcome = \"a\"\ndate = 2025-02-01\n");
        assert!(same_model(BASE, &resolved));
        let commented =
            "# a note\n[scenario]\nas_of = 2025-01-01   # day\ntitle = 'T'\n\n[outcomes.a]\n";
        assert!(same_model(BASE, commented));
    }

    #[test]
    fn any_other_value_changes_it() {
        assert!(!same_model(BASE, &BASE.replace("2025-01-01", "2025-01-02")));
        assert!(!same_model(BASE, &format!("{BASE}[outcomes.b]\n")));
        assert!(!same_model(BASE, "[scenario"));
    }
}
