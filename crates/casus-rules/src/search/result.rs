//! What evaluation produces: the data model reports render.

use serde::Serialize;

/// The result of evaluating a scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    /// Complete paths consistent with the given values (saturating).
    pub paths: u128,
    /// One entry per outcome, in the scenario's order.
    pub outcomes: Vec<OutcomeResult>,
    /// Backward induction on payoffs.
    pub strategy: Strategy,
    /// `reachable[decision][option]`: whether some path takes the option.
    pub option_reachable: Vec<Vec<bool>>,
    /// Decisions whose forecast treats options as equally likely, by index.
    pub uniform: Vec<usize>,
    /// Decisions where the forecast's most likely option is not the strategic choice.
    pub key_assumptions: Vec<KeyAssumption>,
    /// Search nodes evaluated (after merging equal states); a measure of work.
    pub nodes: u64,
    /// The probability of the paths consistent with what is given and observed, before the
    /// forecast is normalised by it (likelihood ratios included): the evidence's weight.
    pub mass: f64,
}

/// One outcome's forecast.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutcomeResult {
    /// Index in the scenario.
    pub index: usize,
    /// Probability under the point estimates, given what was fixed.
    pub probability: f64,
    /// Whether any path reaches it (even with probability 0).
    pub reachable: bool,
    /// Probability if every actor plays its strategy (nature still random).
    pub strategic_probability: f64,
}

/// The strategic line of play.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Strategy {
    /// The decisions taken along the line, in order; skipped decisions are left out.
    pub line: Vec<PlayStep>,
    /// The outcome at the end of the line.
    pub outcome: Option<usize>,
    /// Expected payoff per actor at the start, under optimal play.
    pub payoffs: Vec<f64>,
}

/// One decision on the line of play.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlayStep {
    /// Decision index.
    pub decision: usize,
    /// The option taken: the actor's best, or nature's most likely.
    pub option: usize,
    /// Whether nature decides here.
    pub chance: bool,
    /// For an actor: every option that is optimal (more than one is a tie).
    pub optimal: Vec<usize>,
    /// For an actor: its expected payoff for each option; for nature: each option's probability.
    /// Empty when the decision has more options than are tracked.
    pub values: Vec<f64>,
}

/// A decision where the analyst's likelihoods and the actor's payoffs disagree.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KeyAssumption {
    /// Decision index.
    pub decision: usize,
    /// The option the likelihoods make most likely.
    pub forecast: usize,
    /// Its probability.
    pub forecast_probability: f64,
    /// The options the payoffs make optimal.
    pub strategic: Vec<usize>,
    /// The actor's expected payoff for each option at that point.
    pub values: Vec<f64>,
    /// `(decision, option)` taken before the first point where it happens (`None` = skipped).
    pub context: Vec<(usize, Option<usize>)>,
    /// At how many points of the decision graph it happens.
    pub occurrences: u64,
}
