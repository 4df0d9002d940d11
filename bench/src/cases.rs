//! The measured cases behind `bench/RESULTS.md`, each timed in a process of its own so that
//! its peak memory is its own.

use std::hint::black_box;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::generate::{Family, Size, generate};
use crate::stages;

/// What a case measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Load and type-check the file.
    LoadCheck,
    /// Compile the checked scenario.
    Compile,
    /// Evaluate: forecast and strategy, on `threads` workers.
    Eval {
        /// Worker threads (0 = all cores).
        threads: usize,
    },
    /// Everything the default `casus eval` does: every default analysis.
    CasusEval,
    /// `casus eval --samples N` on the bundled ukraine-peace-framework scenario.
    BundledSamples {
        /// Samples drawn.
        samples: usize,
    },
    /// The naive reference evaluator: every path, then backward induction.
    Reference,
}

/// One row of the results table.
#[derive(Clone, Debug)]
pub struct Case {
    /// Its id on the command line.
    pub id: &'static str,
    /// What it shows.
    pub title: &'static str,
    /// The scenario.
    pub family: Family,
    /// Its size.
    pub size: Size,
    /// What is timed.
    pub stage: Stage,
    /// Timed runs.
    pub runs: usize,
}

/// Every case, in table order.
pub fn all() -> Vec<Case> {
    let rules = |decisions, rules| Size { decisions, rules };
    let mut cases = vec![
        Case {
            id: "load-10k",
            title: "load + check, 10,000 rules",
            family: Family::Rules,
            size: rules(20, 10_000),
            stage: Stage::LoadCheck,
            runs: 15,
        },
        Case {
            id: "compile-10k",
            title: "compile, 10,000 rules",
            family: Family::Rules,
            size: rules(20, 10_000),
            stage: Stage::Compile,
            runs: 15,
        },
        Case {
            id: "eval-2^20-1t",
            title: "forecast + strategy, 2^20 paths, 500 rules, 1 thread",
            family: Family::Rules,
            size: rules(20, 500),
            stage: Stage::Eval { threads: 1 },
            runs: 7,
        },
        Case {
            id: "eval-2^20-2t",
            title: "forecast + strategy, 2^20 paths, 500 rules, 2 threads",
            family: Family::Rules,
            size: rules(20, 500),
            stage: Stage::Eval { threads: 2 },
            runs: 7,
        },
        Case {
            id: "eval-2^16-1t",
            title: "forecast + strategy, 2^16 paths, 500 rules, 1 thread (memory)",
            family: Family::Rules,
            size: rules(16, 500),
            stage: Stage::Eval { threads: 1 },
            runs: 7,
        },
        Case {
            id: "eval-2^22-1t",
            title: "forecast + strategy, 2^22 paths, 500 rules, 1 thread (memory)",
            family: Family::Rules,
            size: rules(22, 500),
            stage: Stage::Eval { threads: 1 },
            runs: 3,
        },
        Case {
            id: "window-60",
            title: "forecast + strategy, 60 decisions, windowed rules",
            family: Family::Window,
            size: rules(60, 180),
            stage: Stage::Eval { threads: 1 },
            runs: 7,
        },
        Case {
            id: "mix-14",
            title: "forecast + strategy, realistic mix, 14 decisions, 60 rules",
            family: Family::Mix,
            size: rules(14, 60),
            stage: Stage::Eval { threads: 1 },
            runs: 7,
        },
        Case {
            id: "casus-eval-2^20",
            title: "default `casus eval`, 2^20 paths, 500 rules",
            family: Family::Rules,
            size: rules(20, 500),
            stage: Stage::CasusEval,
            runs: 3,
        },
        Case {
            id: "casus-eval-window-60",
            title: "default `casus eval`, window 60",
            family: Family::Window,
            size: rules(60, 180),
            stage: Stage::CasusEval,
            runs: 1,
        },
        Case {
            id: "bundled-samples-100k",
            title: "`casus eval --samples 100000`, bundled ukraine-peace-framework",
            family: Family::Mix,
            size: rules(0, 0),
            stage: Stage::BundledSamples { samples: 100_000 },
            runs: 5,
        },
        Case {
            id: "ref-mix-10",
            title: "naive reference evaluator, mix 10 decisions, 40 rules",
            family: Family::Mix,
            size: rules(10, 40),
            stage: Stage::Reference,
            runs: 3,
        },
        Case {
            id: "casus-mix-10",
            title: "casus on the same scenario, 1 thread",
            family: Family::Mix,
            size: rules(10, 40),
            stage: Stage::Eval { threads: 1 },
            runs: 15,
        },
        Case {
            id: "ref-rules-12",
            title: "naive reference evaluator, 2^12 paths, 100 rules",
            family: Family::Rules,
            size: rules(12, 100),
            stage: Stage::Reference,
            runs: 3,
        },
        Case {
            id: "casus-rules-12",
            title: "casus on the same scenario, 1 thread",
            family: Family::Rules,
            size: rules(12, 100),
            stage: Stage::Eval { threads: 1 },
            runs: 15,
        },
    ];
    // The scores family, each size twice: the bare forecast and strategy, then the default
    // `casus eval` with every analysis, both on every core as the command runs.
    for (decisions, n_rules) in SCORES {
        cases.push(Case {
            id: leak(format!("scores-{decisions}x{n_rules}")),
            title: leak(format!(
                "forecast + strategy, scores 2^{decisions} paths, {n_rules} rules"
            )),
            family: Family::Scores,
            size: rules(decisions, n_rules),
            stage: Stage::Eval { threads: 0 },
            runs: 7,
        });
        cases.push(Case {
            id: leak(format!("casus-eval-scores-{decisions}x{n_rules}")),
            title: leak(format!(
                "default `casus eval`, scores 2^{decisions} paths, {n_rules} rules"
            )),
            family: Family::Scores,
            size: rules(decisions, n_rules),
            stage: Stage::CasusEval,
            runs: 3,
        });
    }
    cases
}

/// The sizes of the scores family measured: the shapes where the default `casus eval` used to
/// re-run the rules once per rule.
pub const SCORES: [(usize, usize); 4] = [(14, 50), (14, 200), (14, 800), (18, 300)];

/// Case ids and titles made at run time live as long as the program.
fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

/// The seed of every generated scenario in the table.
pub const SEED: u64 = 1;

/// The result of running one case.
#[derive(Clone, Debug, Serialize)]
pub struct Measured {
    /// The case's id.
    pub id: String,
    /// Seconds per run, sorted.
    pub seconds: Vec<f64>,
    /// CPU seconds (user + system, all threads) per run, sorted: with the wall time it tells
    /// a parallel run starved of cores from one that does not scale.
    pub cpu_seconds: Vec<f64>,
    /// Peak resident memory of the process, in bytes.
    pub peak_rss: Option<u64>,
    /// Complete paths of the scenario (evaluating cases).
    pub paths: Option<u128>,
    /// Search nodes after merging (evaluating cases).
    pub nodes: Option<u64>,
    /// Rules in the file.
    pub rules: usize,
    /// Decisions in the file.
    pub decisions: usize,
    /// File size in bytes.
    pub bytes: usize,
}

impl Measured {
    /// The median run.
    pub fn median(&self) -> f64 {
        median(&self.seconds)
    }

    /// The median CPU time of a run.
    pub fn cpu_median(&self) -> f64 {
        median(&self.cpu_seconds)
    }
}

/// The median of sorted values.
fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// The bundled scenario the sampling case runs on.
const BUNDLED: &str = include_str!("../../scenarios/ukraine-peace-framework.toml");

/// Runs `case` in this process and measures it.
pub fn run(case: &Case) -> Result<Measured, String> {
    let text = match case.stage {
        Stage::BundledSamples { .. } => BUNDLED.to_owned(),
        _ => generate(case.family, case.size, SEED).to_toml(),
    };
    let mut seconds = Vec::with_capacity(case.runs);
    let mut cpu_seconds = Vec::with_capacity(case.runs);
    let mut paths = None;
    let mut nodes = None;
    let scenario = stages::load_check("generated.toml", &text)?;
    let program = stages::compile(&scenario)?;
    // One untimed run first: it warms caches and checks the case works.
    for i in 0..=case.runs {
        let cpu = stages::cpu_time();
        let start = Instant::now();
        match case.stage {
            Stage::LoadCheck => {
                black_box(stages::load_check("generated.toml", &text)?);
            }
            Stage::Compile => {
                black_box(stages::compile(&scenario)?);
            }
            Stage::Eval { threads } => {
                let evaluation = stages::eval(&scenario, &program, threads)?;
                paths = Some(evaluation.paths);
                nodes = Some(evaluation.nodes);
            }
            Stage::CasusEval => {
                let (evaluation, omitted) = stages::casus_eval("generated.toml", &text, None)?;
                if omitted > 0 {
                    return Err(format!("{} left out {omitted} analyses", case.id));
                }
                paths = Some(evaluation.paths);
            }
            Stage::BundledSamples { samples } => {
                let (evaluation, omitted) =
                    stages::casus_eval("ukraine-peace-framework.toml", BUNDLED, Some(samples))?;
                if omitted > 0 {
                    return Err(format!("{} left out {omitted} analyses", case.id));
                }
                paths = Some(evaluation.paths);
            }
            Stage::Reference => {
                let answer = crate::reference_answer(&scenario);
                paths = Some(answer.paths as u128);
            }
        }
        let elapsed = start.elapsed();
        if i > 0 {
            seconds.push(elapsed.as_secs_f64());
            if let (Some(before), Some(after)) = (cpu, stages::cpu_time()) {
                cpu_seconds.push(after - before);
            }
        }
        if elapsed > Duration::from_secs(120) {
            break;
        }
    }
    seconds.sort_by(f64::total_cmp);
    cpu_seconds.sort_by(f64::total_cmp);
    Ok(Measured {
        id: case.id.to_owned(),
        seconds,
        cpu_seconds,
        peak_rss: stages::peak_rss(),
        paths,
        nodes,
        rules: case.size.rules,
        decisions: case.size.decisions,
        bytes: text.len(),
    })
}
