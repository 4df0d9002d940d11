//! From source text to a checked, compiled and evaluated scenario, collecting every diagnostic.
//!
//! This is what `casus check` runs. It never stops at the first problem of a stage, and it
//! only moves to the next stage when the previous one found no error, so an analyst never
//! sees errors that are only echoes of an earlier one.

use casus_core::limits::Limits;
use casus_core::load::load;
use casus_core::model::{Level, Scenario};
use casus_core::{Code, Diagnostic, SourceFile, check::check, diagnostic};

use crate::compile::program::Program;
use crate::search::result::Evaluation;
use crate::search::walk::{EvalLimits, Given, Recording, evaluate_recording};

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

/// Loads, checks, compiles, evaluates and lints one file, with the lint levels of its own
/// `[lints]` table.
pub fn check_source(file: &SourceFile, limits: &Limits, eval_limits: &EvalLimits) -> Checked {
    check_source_with(file, limits, eval_limits, &LintLevels::default())
}

/// Lint levels given for a run (`casus check --deny/--warn/--allow`); they override the
/// levels a file sets in `[lints]`, which override each lint's default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LintLevels {
    /// The level of each lint named, at most one entry per lint.
    pub levels: Vec<(Code, Level)>,
}

impl LintLevels {
    /// The level of `code` in a run over `scenario`: the run's, else the file's, else none.
    fn level(&self, scenario: Option<&Scenario>, code: Code) -> Option<Level> {
        self.levels
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, l)| *l)
            .or_else(|| {
                scenario?
                    .lints
                    .iter()
                    .find(|s| s.code == code)
                    .map(|s| s.level.value)
            })
    }

    /// Whether some lint is denied, by the run or by the file: its findings are then errors.
    fn denies_any(&self, scenario: &Scenario) -> bool {
        self.levels.iter().any(|(_, level)| *level == Level::Deny)
            || scenario.lints.iter().any(|s| s.level.value == Level::Deny)
    }

    /// Gives each lint finding its level, dropping those allowed. Errors (`E…`) are left as
    /// they are: they cannot be silenced.
    fn apply(&self, scenario: Option<&Scenario>, diagnostics: &mut Vec<Diagnostic>) {
        diagnostics.retain_mut(|d| {
            if !d.code.is_lint() {
                return true;
            }
            match self.level(scenario, d.code) {
                None => true,
                Some(level) => match level.severity() {
                    None => false,
                    Some(severity) => {
                        d.severity = severity;
                        true
                    }
                },
            }
        });
    }
}

/// [`check_source`] with lint levels given for the run.
pub fn check_source_with(
    file: &SourceFile,
    limits: &Limits,
    eval_limits: &EvalLimits,
    levels: &LintLevels,
) -> Checked {
    check_source_recorded(file, limits, eval_limits, levels, Keep::default()).0
}

/// What [`check_source_recorded`] keeps of its evaluation, and what it leaves out.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Keep {
    /// Memory for the merged decision graph (0: record none).
    pub(crate) graph_bytes: usize,
    /// Find each rule's drop in the same search, for the assumption ranking.
    pub(crate) drops: bool,
    /// Compute only the findings that are errors: the lints run only when one of them is
    /// denied (then its findings are errors). For a client that shows nothing but errors.
    pub(crate) errors_only: bool,
}

/// [`check_source_with`], keeping what its evaluation records (see [`Keep`]). The analyses of
/// the scenario as written start from it, so an `eval` evaluates the file once, not once to
/// check it and once more to analyse it.
pub(crate) fn check_source_recorded(
    file: &SourceFile,
    limits: &Limits,
    eval_limits: &EvalLimits,
    levels: &LintLevels,
    keep: Keep,
) -> (Checked, Recording) {
    let mut recording = Recording::default();
    let loaded = load(file, limits);
    let mut diagnostics = loaded.diagnostics;
    let mut checked = Checked {
        scenario: None,
        program: None,
        evaluation: None,
        diagnostics: Vec::new(),
    };
    let Some(scenario) = loaded.scenario else {
        levels.apply(None, &mut diagnostics);
        checked.diagnostics = diagnostics;
        return (checked, recording);
    };
    if !diagnostics.iter().any(Diagnostic::is_error) {
        diagnostics.extend(check(&scenario));
    }
    if !diagnostics.iter().any(Diagnostic::is_error) {
        match Program::compile(&scenario) {
            Ok(program) => {
                let given = Given::none(program.decisions.len());
                let nodes = match keep.graph_bytes {
                    0 => 0,
                    bytes => crate::graphs::merged::max_nodes(bytes, &program),
                };
                let evaluated =
                    evaluate_recording(&scenario, &program, &given, eval_limits, nodes, keep.drops);
                match evaluated {
                    Ok((evaluation, recorded)) => {
                        recording = recorded;
                        // Lints run only on a scenario that evaluated cleanly: their findings
                        // are about what the paths show, which an error leaves unknown.
                        if !keep.errors_only || levels.denies_any(&scenario) {
                            diagnostics.extend(crate::lints::lint(
                                &scenario,
                                &program,
                                &evaluation,
                                eval_limits,
                            ));
                        }
                        checked.evaluation = Some(evaluation);
                    }
                    Err(errors) => diagnostics.extend(errors),
                }
                checked.program = Some(program);
            }
            Err(errors) => diagnostics.extend(errors),
        }
    }
    levels.apply(Some(&scenario), &mut diagnostics);
    diagnostic::sort(&mut diagnostics);
    checked.scenario = Some(scenario);
    checked.diagnostics = diagnostics;
    (checked, recording)
}
