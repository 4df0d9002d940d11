//! Loading: from TOML text to the typed [`Scenario`] model, keeping spans.
//!
//! The TOML is parsed with `toml::de::DeTable`, which keeps the span of every key and value and
//! recovers from syntax errors. The tables are then walked by hand rather than through serde
//! derive: that is what lets one run report every unknown key with a suggestion, every wrong
//! type and every bad expression, instead of stopping at the first.
//!
//! Loading checks structure (keys, value types, id syntax, expression syntax, likelihood forms).
//! Meaning (names resolve, types agree, order of decisions) is the checker's job.

mod reader;
mod sections;
mod toml_errors;

use crate::diagnostic::Diagnostic;
use crate::limits::Limits;
use crate::model::Scenario;
use crate::source::SourceFile;

/// What loading produced: the model as far as it could be built, and every problem found.
#[derive(Debug)]
pub struct Loaded {
    /// `None` when the file could not be read as TOML at all.
    pub scenario: Option<Scenario>,
    /// Every problem found, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Loads one scenario file.
pub fn load(file: &SourceFile, limits: &Limits) -> Loaded {
    let mut diagnostics = Vec::new();
    if file.text().len() > limits.max_file_bytes {
        diagnostics.push(reader::file_too_large(
            file.text().len(),
            limits.max_file_bytes,
        ));
        return Loaded {
            scenario: None,
            diagnostics,
        };
    }
    let (document, errors) = toml::de::DeTable::parse_recoverable(file.text());
    if !errors.is_empty() {
        diagnostics.extend(toml_errors::toml_errors(file.text(), &errors));
        crate::diagnostic::sort(&mut diagnostics);
        return Loaded {
            scenario: None,
            diagnostics,
        };
    }
    let mut reader = reader::Reader::new(file.text(), *limits);
    let scenario = sections::scenario(&mut reader, document.get_ref());
    diagnostics.extend(reader.into_diagnostics());
    crate::diagnostic::sort(&mut diagnostics);
    Loaded {
        scenario: Some(scenario),
        diagnostics,
    }
}
