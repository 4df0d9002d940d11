//! From source text to a checked, compiled and evaluated scenario, collecting every diagnostic.
//!
//! This is what `casus check` runs. It never stops at the first problem of a stage, and it
//! only moves to the next stage when the previous one found no error, so an analyst never
//! sees errors that are only echoes of an earlier one.

use casus_core::limits::Limits;
use casus_core::load::load;
use casus_core::model::Scenario;
use casus_core::{Diagnostic, SourceFile, check::check, diagnostic};

use crate::program::Program;
use crate::result::Evaluation;
use crate::search::{EvalLimits, Given, evaluate};

/// Everything known about one scenario file.
#[derive(Debug)]
pub struct Checked {
    /// The model, if the file could be loaded.
    pub scenario: Option<Scenario>,
    /// The compiled program, if the scenario checked without errors.
    pub program: Option<Program>,
    /// The evaluation with nothing given, if compiling and evaluating succeeded.
    pub evaluation: Option<Evaluation>,
    /// Every finding, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Loads, checks, compiles and evaluates one file.
pub fn check_source(file: &SourceFile, limits: &Limits, eval_limits: &EvalLimits) -> Checked {
    let loaded = load(file, limits);
    let mut diagnostics = loaded.diagnostics;
    let mut checked = Checked {
        scenario: None,
        program: None,
        evaluation: None,
        diagnostics: Vec::new(),
    };
    let Some(scenario) = loaded.scenario else {
        checked.diagnostics = diagnostics;
        return checked;
    };
    if !diagnostics.iter().any(Diagnostic::is_error) {
        diagnostics.extend(check(&scenario));
    }
    if !diagnostics.iter().any(Diagnostic::is_error) {
        match Program::compile(&scenario) {
            Ok(program) => {
                let given = Given::none(program.decisions.len());
                match evaluate(&scenario, &program, &given, eval_limits) {
                    Ok(evaluation) => checked.evaluation = Some(evaluation),
                    Err(errors) => diagnostics.extend(errors),
                }
                checked.program = Some(program);
            }
            Err(errors) => diagnostics.extend(errors),
        }
    }
    diagnostic::sort(&mut diagnostics);
    checked.scenario = Some(scenario);
    checked.diagnostics = diagnostics;
    checked
}
