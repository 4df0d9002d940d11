//! Every rule dropped in one search (`Model::forecasts_without_rules`) against evaluating the
//! model again without the rule, from scratch: on generated scenarios under a variant, given
//! values and observed signposts; on scoring scenarios (rules that add to a sum only outcomes
//! read), where every rule must be found by the one search; on chains (rules that read the
//! sum, where states merge, and a guard on what they set); on the bundled scenarios and
//! fixtures; and on a search split over the cores, the same on every thread count.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail loudly on generated files that do not load"
)]

#[path = "support/asks.rs"]
mod asks;
#[path = "support/generate.rs"]
mod generate;

use casus_core::model::Value;
use casus_rules::EvalLimits;
use casus_rules::compile::program::Program;
use casus_rules::session::{Model, Options, Session, WhatIf, Without};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use asks::{Resolved, ask};

/// Agreement asked of the one search and evaluating again.
const TOLERANCE: f64 = 1e-12;

/// `program` without rule `index`'s effects: the rule never sets or adds anything.
fn without(program: &Program, index: usize) -> Program {
    let mut out = program.clone();
    for rule in out.rules.iter_mut().filter(|r| r.index == index) {
        rule.sets.clear();
        rule.adds.clear();
    }
    out
}

/// Compares every rule the one search found with evaluating the model without it; returns the
/// rules it left to an evaluation of their own.
fn check(model: &Model, context: &str) -> Result<Vec<usize>, TestCaseError> {
    let limits = EvalLimits::default();
    let Ok(base) = model.evaluate(&limits) else {
        return Ok(Vec::new());
    };
    let (evaluation, found) = model.evaluate_with_drops(&limits).unwrap();
    // Finding the drops in the forecast's search leaves the forecast's evaluation as it is,
    // bit for bit (as printed: a line of play holds NaN for options not taken).
    prop_assert_eq!(
        format!("{evaluation:?}"),
        format!("{base:?}"),
        "{}",
        context
    );
    prop_assert_eq!(found.len(), model.scenario.rules.len());
    let mut left = Vec::new();
    for (r, without_r) in found.iter().enumerate() {
        let Some(without_r) = without_r else {
            left.push(r);
            continue;
        };
        let again = model.evaluate_program(&without(&model.program, r), &limits);
        match (without_r, again) {
            (Without::NoOutcome, Err(_)) => {}
            (Without::Unchanged, Ok(again)) => {
                for (a, b) in again.outcomes.iter().zip(&base.outcomes) {
                    prop_assert!(
                        a.probability == b.probability,
                        "rule {r} moves the forecast, said unchanged\n{context}"
                    );
                }
            }
            (Without::Forecast(moved), Ok(again)) => {
                prop_assert_eq!(moved.len(), again.outcomes.len());
                for (m, a) in moved.iter().zip(&again.outcomes) {
                    prop_assert!(
                        (m - a.probability).abs() <= TOLERANCE,
                        "rule {r}: {moved:?} vs {:?}\n{context}",
                        again
                            .outcomes
                            .iter()
                            .map(|o| o.probability)
                            .collect::<Vec<_>>()
                    );
                }
            }
            (got, again) => {
                return Err(TestCaseError::fail(format!(
                    "rule {r}: {got:?} vs {:?}\n{context}",
                    again.map(|e| e.outcomes)
                )));
            }
        }
    }
    Ok(left)
}

/// A scoring scenario: decisions `d0..`, rules adding to `score` when two decisions took given
/// options, a flag set by other rules that guards a decision, and outcomes on the score (one
/// of them also reading a decision).
#[derive(Clone, Debug)]
struct Scoring {
    options: Vec<usize>,
    weights: Vec<Vec<u8>>,
    actors: Vec<bool>,
    adds: Vec<(usize, usize, usize, usize, i8)>,
    /// Rules setting `label` (read by outcomes alone) to "hot" or "cold" when a decision took
    /// an option.
    labels: Vec<(usize, usize, bool)>,
    flag: Option<(usize, usize, usize)>,
    thresholds: (i8, i8),
    reads_decision: bool,
    signpost: Option<i8>,
    given: Vec<(usize, usize)>,
    observe: bool,
    /// Two analysts' weights for one chance decision, and a variant's weights for one
    /// decision with whether it is asked for.
    estimates: Estimates,
}

/// Two analysts' weights for one decision, and a variant's weights for one decision with
/// whether it is asked for.
type Estimates = (
    Option<(usize, Vec<u8>, Vec<u8>)>,
    Option<(usize, Vec<u8>, bool)>,
);

/// `o0 = …, o1 = …` for the first `options` of `weights`, normalised.
fn table(options: usize, weights: &[u8]) -> String {
    let weights = &weights[..options];
    let total: f64 = weights.iter().map(|&w| f64::from(w)).sum();
    weights
        .iter()
        .enumerate()
        .map(|(o, &w)| format!("o{o} = {}", f64::from(w) / total))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Two analysts' weights for one of `n` decisions, and a variant's for one, each drawn or not.
fn estimates(n: usize) -> impl Strategy<Value = Estimates> {
    (
        prop::option::of((
            0..n,
            prop::collection::vec(1u8..10, 3),
            prop::collection::vec(1u8..10, 3),
        )),
        prop::option::of((0..n, prop::collection::vec(1u8..10, 3), any::<bool>())),
    )
}

prop_compose! {
    fn scoring()(n in 2usize..7)(
        options in prop::collection::vec(2usize..4, n),
        weights in prop::collection::vec(prop::collection::vec(1u8..10, 3), n),
        actors in prop::collection::vec(any::<bool>(), n),
        adds in prop::collection::vec((0..n, 0usize..3, 0..n, 0usize..3, -3i8..4), 1..14),
        labels in prop::collection::vec((0..n, 0usize..3, any::<bool>()), 0..4),
        flag in prop::option::of((0..n, 0usize..3, 0..n)),
        thresholds in (-2i8..3, 0i8..5),
        reads_decision in any::<bool>(),
        signpost in prop::option::of(-2i8..4),
        given in prop::collection::vec((0..n, 0usize..3), 0..2),
        observe in any::<bool>(),
        estimates in estimates(n),
    ) -> Scoring {
        Scoring { options, weights, actors, adds, labels, flag, thresholds, reads_decision, signpost, given, observe, estimates }
    }
}

impl Scoring {
    fn option(&self, d: usize, o: usize) -> String {
        format!("o{}", o % self.options[d])
    }

    fn to_toml(&self) -> String {
        let n = self.options.len();
        let mut out = String::from(
            "[scenario]\ntitle = \"scoring\"\n\n[actors]\na0 = \"A\"\n\n[facts]\nscore = { type = \"number\", default = 0 }\nflag = { type = \"bool\", default = false }\nlabel = { type = [\"none\", \"hot\", \"cold\"], default = \"none\" }\n",
        );
        for d in 0..n {
            out.push_str(&format!("\n[decisions.d{d}]\n"));
            out.push_str(if self.actors[d] {
                "actor = \"a0\"\n"
            } else {
                "actor = \"nature\"\n"
            });
            let options: Vec<String> = (0..self.options[d]).map(|o| format!("\"o{o}\"")).collect();
            out.push_str(&format!("options = [{}]\n", options.join(", ")));
            if let Some((_, _, guarded)) = self.flag
                && guarded == d
                && d > 0
            {
                out.push_str("when = \"not flag\"\n");
            }
            match &self.estimates.0 {
                Some((a, first, second)) if *a == d && !self.actors[d] => {
                    for (k, weights) in [first, second].into_iter().enumerate() {
                        out.push_str(&format!(
                            "[decisions.d{d}.likelihood.by.analyst{k}]\n{}\n",
                            table(self.options[d], weights).replace(", ", "\n")
                        ));
                    }
                }
                _ => out.push_str(&format!(
                    "likelihood = {{ {} }}\n",
                    table(self.options[d], &self.weights[d])
                )),
            }
        }
        for (r, &(a, oa, b, ob, amount)) in self.adds.iter().enumerate() {
            let amount = if amount == 0 { 1 } else { amount };
            out.push_str(&format!(
                "\n[rules.r{r}]\nwhen = \"d{a} == '{}' and d{b} == '{}'\"\nadd = {{ score = {amount} }}\n",
                self.option(a, oa),
                self.option(b, ob)
            ));
        }
        for (i, &(d, o, hot)) in self.labels.iter().enumerate() {
            out.push_str(&format!(
                "\n[rules.l{i}]\nwhen = \"d{d} == '{}'\"\nthen = {{ label = \"{}\" }}\npriority = {i}\n",
                self.option(d, o),
                if hot { "hot" } else { "cold" }
            ));
        }
        if let Some((d, o, _)) = self.flag {
            out.push_str(&format!(
                "\n[rules.raise_flag]\nwhen = \"d{d} == '{}'\"\nthen = {{ flag = true }}\n",
                self.option(d, o)
            ));
        }
        let (low, gap) = self.thresholds;
        let high = low + gap;
        let first = if self.reads_decision {
            format!("(score >= {high} and d{} == 'o0') or label == 'hot'", n - 1)
        } else {
            format!("score >= {high} or label == 'hot'")
        };
        out.push_str(&format!(
            "\n[outcomes.high]\nwhen = \"{first}\"\npayoff = {{ a0 = 3 }}\n\n[outcomes.mid]\nwhen = \"score >= {low} and label != 'cold' and not ({first})\"\npayoff = {{ a0 = 1 }}\n\n[outcomes.low]\npayoff = {{ a0 = 0 }}\n"
        ));
        if let Some(t) = self.signpost {
            out.push_str(&format!(
                "\n[signposts.watch]\ntitle = \"watch\"\nwhen = \"score >= {t}\"\n"
            ));
        }
        if let Some((d, weights, _)) = &self.estimates.1 {
            out.push_str(&format!(
                "\n[variants.v]\ntitle = \"v\"\nlikelihood.d{d} = {{ {} }}\n",
                table(self.options[*d], weights)
            ));
        }
        out
    }

    fn what_if(&self) -> WhatIf {
        let mut given: Vec<(String, Value)> = Vec::new();
        for &(d, o) in &self.given {
            let name = format!("d{d}");
            if !given.iter().any(|(g, _)| *g == name) {
                given.push((name, Value::Symbol(self.option(d, o))));
            }
        }
        WhatIf {
            variant: self
                .estimates
                .1
                .as_ref()
                .filter(|v| v.2)
                .map(|_| "v".to_owned()),
            given,
            observe: if self.observe && self.signpost.is_some() {
                vec!["watch".to_owned()]
            } else {
                Vec::new()
            },
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Rules that add to a sum or set a fact that only outcomes read are all found by the one
    /// search (most of their twins solved beside the search's states), under given decisions,
    /// a variant, two analysts' estimates and an observed signpost on the sum, and each equals
    /// evaluating again.
    #[test]
    fn scoring_rules_dropped_in_one_search_equal_evaluating_again(generated in scoring()) {
        let text = generated.to_toml();
        let session = Session::open_text("scoring.toml", &text, Options::default());
        prop_assert!(!session.has_errors(), "{:#?}\n{text}", session.diagnostics());
        let Ok(model) = session.model(&generated.what_if()) else {
            return Ok(());
        };
        let context = format!("{generated:?}\n{text}");
        if model.evaluate(&EvalLimits::default()).is_err() {
            return Ok(());
        }
        // Every `add` and `label` rule is found, unless without it no path is consistent with
        // what is observed (the evaluation then says so); the flag's rule is read by a guard.
        for r in check(&model, &context)? {
            let rule = &model.scenario.rules[r];
            if rule.id.name == "raise_flag" {
                continue;
            }
            let again = model.evaluate_program(&without(&model.program, r), &EvalLimits::default());
            prop_assert!(
                again.is_err_and(|d| d.iter().any(|d| d.code == casus_core::Code::NoConsistentPath)),
                "rule {} left to an evaluation\n{context}", rule.id.name
            );
        }
    }

    /// On generated scenarios (guards, `likelihood_if`, set and add rules, analysts) under a
    /// variant, given values and observed signposts, whatever the one search finds equals
    /// evaluating again.
    #[test]
    fn rules_dropped_in_one_search_equal_evaluating_again(generated in generate::rich(), ask in ask()) {
        let text = generated.to_toml(None);
        let session = Session::open_text("generated.toml", &text, Options::default());
        let scenario = session.scenario().unwrap();
        let what_if = Resolved::of(scenario, &ask).what_if(scenario);
        let Ok(model) = session.model(&what_if) else {
            return Ok(());
        };
        check(&model, &format!("{what_if:?}\n{text}"))?;
    }
}

/// When the search cannot memoise every state (its memo is full), the recording cannot be
/// trusted: every rule is left to an evaluation of its own, and the ranking is unchanged.
#[test]
fn a_full_memo_leaves_every_rule_to_an_evaluation() {
    use casus_rules::analyses::ranking::rank_assumptions;
    let generated = Scoring {
        options: vec![2, 2, 2, 2],
        weights: vec![vec![3, 7, 1], vec![5, 5, 1], vec![2, 8, 1], vec![6, 4, 1]],
        actors: vec![false; 4],
        adds: vec![
            (0, 0, 1, 0, 2),
            (1, 1, 2, 0, -1),
            (2, 0, 3, 1, 1),
            (0, 1, 3, 0, 3),
        ],
        labels: vec![(2, 1, true)],
        flag: None,
        thresholds: (1, 2),
        reads_decision: false,
        signpost: None,
        given: Vec::new(),
        observe: false,
        estimates: (None, None),
    };
    let text = generated.to_toml();
    let session = Session::open_text("scoring.toml", &text, Options::default());
    let model = session.model(&generated.what_if()).unwrap();
    let roomy = EvalLimits::default();
    let full = EvalLimits {
        max_memo: 2,
        ..EvalLimits::default()
    };
    assert!(
        model
            .forecasts_without_rules(&roomy)
            .unwrap()
            .iter()
            .all(Option::is_some)
    );
    assert!(
        model
            .forecasts_without_rules(&full)
            .unwrap()
            .iter()
            .all(Option::is_none)
    );
    let base: Vec<f64> = model
        .evaluate(&roomy)
        .unwrap()
        .outcomes
        .iter()
        .map(|o| o.probability)
        .collect();
    let one_search = rank_assumptions(&model, &base, &roomy).unwrap();
    let evaluated = rank_assumptions(&model, &base, &full).unwrap();
    assert_eq!(one_search.len(), evaluated.len());
    for (a, b) in one_search.iter().zip(&evaluated) {
        assert_eq!(a.assumption, b.assumption);
        assert!(
            (a.distance - b.distance).abs() <= TOLERANCE,
            "{a:?} vs {b:?}"
        );
    }
}

/// Rules whose fact another rule reads (dropped at the end of each path, the reader run
/// again) and rules whose fact a guard reads after they close (dropped where states merge):
/// every rule is found by the one search, equal to evaluating again and to the fixtures'
/// hand computations (in their headers).
#[test]
fn rules_read_by_a_rule_or_a_later_guard_are_found_in_one_search() {
    /// A fixture, and each rule with the forecast without it.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a [f64])]);
    let cases: [Case; 2] = [
        (
            "drops-chain",
            // Outcomes: escalation, standoff, other.
            &[
                ("p1", &[0.21, 0.3, 0.49]),
                ("p2", &[0.0, 0.3, 0.7]),
                ("sound_alarm", &[0.0, 0.3, 0.7]),
            ],
        ),
        (
            "drops-guard",
            // Outcomes: crisis, calm, status quo.
            &[
                ("t1", &[0.0, 0.56, 0.44]),
                ("t2", &[0.12, 0.5, 0.38]),
                ("w1", &[0.12, 0.44, 0.44]),
            ],
        ),
    ];
    for (name, expected) in cases {
        let path = format!(
            "{}/../../tests/fixtures/analysis/{name}.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let session = Session::open_text(&path, &text, Options::default());
        assert!(!session.has_errors(), "{:#?}", session.diagnostics());
        let model = session.model(&WhatIf::default()).unwrap();
        let left = check(&model, name).unwrap();
        assert!(
            left.is_empty(),
            "{name}: rules {left:?} left to an evaluation"
        );
        let found = model
            .forecasts_without_rules(&EvalLimits::default())
            .unwrap();
        for (rule, forecast) in expected {
            let r = model
                .scenario
                .rules
                .iter()
                .position(|x| x.id.name == *rule)
                .unwrap();
            let moved = match &found[r] {
                Some(Without::Forecast(moved)) => moved.clone(),
                Some(Without::Unchanged) => model
                    .evaluate(&EvalLimits::default())
                    .unwrap()
                    .outcomes
                    .iter()
                    .map(|o| o.probability)
                    .collect(),
                other => panic!("{name}: {rule}: {other:?}"),
            };
            for (m, e) in moved.iter().zip(forecast.iter()) {
                assert!(
                    (m - e).abs() < 1e-12,
                    "{name}: {rule}: {moved:?} vs {forecast:?}"
                );
            }
        }
    }
}

/// A scenario large enough for the search to split into subtrees (2^15 paths; the outcomes
/// read the first two decisions, so the split is at level 2), with scoring rules, labels and
/// a rule reading the score.
fn split_scenario() -> String {
    let n = 15;
    let mut out = String::from(
        "[scenario]\ntitle = \"split\"\n\n[actors]\na0 = \"A\"\n\n[facts]\nscore = { type = \"number\", default = 0 }\nalarm = { type = \"bool\", default = false }\nlabel = { type = [\"none\", \"hot\", \"cold\"], default = \"none\" }\n",
    );
    for d in 0..n {
        let p = 0.1 * f64::from(u8::try_from(d % 7 + 2).unwrap());
        out.push_str(&format!(
            "\n[decisions.d{d}]\nactor = \"nature\"\noptions = [\"a\", \"b\"]\nlikelihood = {{ a = {p}, b = {} }}\n",
            1.0 - p
        ));
    }
    for i in 0..24 {
        let x = i % n;
        let y = (i * 4 + 1) % n;
        let y = if y == x { (y + 1) % n } else { y };
        let amount = [1, 2, -1, 3, 1][i % 5];
        out.push_str(&format!(
            "\n[rules.r{i}]\nwhen = \"d{x} == 'a' and d{y} == 'b'\"\nadd = {{ score = {amount} }}\n"
        ));
    }
    for (i, (d, label)) in [(3, "hot"), (7, "cold"), (11, "hot")].iter().enumerate() {
        out.push_str(&format!(
            "\n[rules.l{i}]\nwhen = \"d{d} == 'a'\"\nthen = {{ label = \"{label}\" }}\npriority = {i}\n"
        ));
    }
    out.push_str(
        "\n[rules.sound_alarm]\nwhen = \"score >= 3 and d14 == 'a'\"\nthen = { alarm = true }\n",
    );
    let high = "d0 == 'a' and (score >= 4 or alarm or label == 'hot')";
    out.push_str(&format!(
        "\n[outcomes.high]\nwhen = \"{high}\"\npayoff = {{ a0 = 3 }}\n\n[outcomes.mid]\nwhen = \"not ({high}) and (score >= 1 or d1 == 'b')\"\npayoff = {{ a0 = 1 }}\n\n[outcomes.low]\npayoff = {{ a0 = 0 }}\n"
    ));
    out
}

/// The one search split into subtrees finds the same drops, bit for bit, on one thread, two,
/// or the pool's; and they equal evaluating again.
#[test]
fn a_split_drop_search_is_the_same_on_every_thread_count() {
    let text = split_scenario();
    let session = Session::open_text("split.toml", &text, Options::default());
    assert!(!session.has_errors(), "{:#?}", session.diagnostics());
    let model = session.model(&WhatIf::default()).unwrap();
    let found = |threads| {
        model
            .forecasts_without_rules(&EvalLimits {
                threads,
                ..EvalLimits::default()
            })
            .unwrap()
    };
    let one = found(1);
    assert_eq!(one, found(2));
    assert_eq!(one, found(0));
    let left = check(&model, &text).unwrap();
    // At least the labels and the alarm's rule. Most of the score's writers feed
    // `sound_alarm` before the end of the path: those are evaluated.
    let found_count = one.iter().filter(|f| f.is_some()).count();
    assert!(found_count >= 4, "{found_count} found, {left:?} left");
}

/// Every bundled scenario, valid fixture and analysis fixture.
fn bundled_files() -> Vec<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in [
        "scenarios",
        "tests/fixtures/valid",
        "tests/fixtures/analysis",
    ] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Finding the drops in the forecast's own search changes no other analysis: a run that ranks
/// the assumptions has the evaluation, graph, ranges and value of information of a run that
/// does not, bit for bit; and a session whose check recorded the drops runs the same analyses
/// as one that recorded nothing. On every bundled scenario and fixture, and on a search split
/// over the cores.
#[test]
fn the_drops_found_with_the_forecast_change_no_other_analysis() {
    use casus_rules::session::{Budget, Plan};
    let mut files: Vec<(String, String)> = bundled_files()
        .iter()
        .map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap()))
        .collect();
    files.push(("split.toml".to_owned(), split_scenario()));
    let mut ranked = 0;
    for (name, text) in &files {
        let plain = Session::open_text(name, text, Options::default());
        if plain.has_errors() {
            continue;
        }
        let model = plain.model(&WhatIf::none()).unwrap();
        let budget = Budget::unlimited();
        let full = plain.run(&model, &Plan::full(), &budget).unwrap();
        let unranked = Plan {
            ranking: false,
            ..Plan::full()
        };
        let without = plain.run(&model, &unranked, &budget).unwrap();
        // Bit for bit, as printed: a line of play holds NaN for options not taken.
        let same = |a: &dyn std::fmt::Debug, b: &dyn std::fmt::Debug, what: &str| {
            assert_eq!(format!("{a:?}"), format!("{b:?}"), "{name}: {what}");
        };
        same(&full.evaluation, &without.evaluation, "evaluation");
        same(&full.method, &without.method, "method");
        same(&full.sensitivity, &without.sensitivity, "ranges");
        same(
            &full.information,
            &without.information,
            "value of information",
        );
        same(&full.watch, &without.watch, "watch-list");
        same(&full.analysts, &without.analysts, "analysts");
        assert!(full.ranking.is_some(), "{name}: {:?}", full.omitted);
        let recording = Options {
            record: true,
            record_drops: true,
            ..Options::default()
        };
        let recorded = Session::open_text(name, text, recording);
        assert_eq!(recorded.diagnostics(), plain.diagnostics(), "{name}");
        let model = recorded.model(&WhatIf::none()).unwrap();
        let again = recorded.run(&model, &Plan::full(), &budget).unwrap();
        same(
            &again,
            &full,
            "the run after a check that recorded the drops",
        );
        ranked += 1;
    }
    assert!(ranked > 20, "only {ranked} files ranked");
}

/// However small the memo, the states solved for the drops' twins take none of the
/// evaluation's room: the evaluation with the drops is the evaluation alone, bit for bit, at
/// every memo limit (the drops themselves are left to evaluations once their own room is full).
#[test]
fn the_drops_take_no_room_from_the_evaluation_s_memo() {
    let mut texts: Vec<(String, String)> = bundled_files()
        .iter()
        .take(12)
        .map(|p| (p.display().to_string(), std::fs::read_to_string(p).unwrap()))
        .collect();
    texts.push(("split.toml".to_owned(), split_scenario()));
    let mut compared = 0;
    for (name, text) in &texts {
        let session = Session::open_text(name, text, Options::default());
        if session.has_errors() {
            continue;
        }
        let model = session.model(&WhatIf::none()).unwrap();
        for max_memo in [1, 2, 3, 7, 20, 100, 1000] {
            let limits = EvalLimits {
                max_memo,
                ..EvalLimits::default()
            };
            let alone = model.evaluate(&limits).unwrap();
            let (with_drops, found) = model.evaluate_with_drops(&limits).unwrap();
            assert_eq!(
                format!("{with_drops:?}"),
                format!("{alone:?}"),
                "{name} at a memo of {max_memo}"
            );
            assert_eq!(found.len(), model.scenario.rules.len());
            compared += 1;
        }
    }
    assert!(compared > 40, "only {compared} evaluations compared");
}

/// Every bundled scenario and every valid fixture, under each of its variants: whatever the
/// one search finds equals evaluating again (these have rules that read other rules' facts
/// where states merge, which the generators seldom make).
#[test]
fn the_bundled_scenarios_and_fixtures_agree_with_evaluating_again() {
    let mut found = 0;
    for path in &bundled_files() {
        let text = std::fs::read_to_string(path).unwrap();
        let session = Session::open_text(&path.display().to_string(), &text, Options::default());
        let Some(scenario) = session.scenario().filter(|_| !session.has_errors()) else {
            continue;
        };
        let variants =
            std::iter::once(None).chain(scenario.variants.iter().map(|v| Some(v.id.name.clone())));
        for variant in variants {
            let what_if = WhatIf {
                variant,
                ..WhatIf::default()
            };
            let Ok(model) = session.model(&what_if) else {
                continue;
            };
            let context = format!("{} {what_if:?}", path.display());
            let left = check(&model, &context).unwrap();
            found += model.scenario.rules.len() - left.len();
        }
    }
    assert!(found > 50, "only {found} drops found in one search");
}

/// Rules adding to a score that other rules read where states merge: decisions `d0..`, `add`
/// rules on `score` when a decision takes an option, `then` rules setting `label` when the
/// score passes a threshold and a decision takes an option, an optional guard on `label`, and
/// outcomes on `label` and the score alone (so states merge once the rules close). Asked
/// under a given decision, a variant's likelihood, an observed signpost on the score and two
/// analysts' estimates of one decision, each drawn or not.
#[derive(Clone, Debug)]
struct Chain {
    options: Vec<usize>,
    adds: Vec<(usize, usize, i8)>,
    readers: Vec<(i8, usize, usize, bool, i64)>,
    guard: Option<usize>,
    thresholds: (i8, i8),
    given: Option<(usize, usize)>,
    /// Two analysts' weights for one decision.
    analysts: Option<(usize, Vec<u8>, Vec<u8>)>,
    /// A variant's weights for one decision, and whether it is asked for.
    variant: Option<(usize, Vec<u8>, bool)>,
    /// A signpost `score >= t`, and whether it is observed.
    signpost: Option<(i8, bool)>,
}

prop_compose! {
    fn chain()(n in 3usize..8)(
        options in prop::collection::vec(2usize..4, n),
        adds in prop::collection::vec((0..n, 0usize..3, -2i8..4), 1..8),
        readers in prop::collection::vec((-1i8..4, 0..n, 0usize..3, any::<bool>(), 0i64..3), 1..4),
        guard in prop::option::of(1..n),
        thresholds in (-1i8..3, 0i8..3),
        given in prop::option::of((0..n, 0usize..3)),
        analysts in prop::option::of((0..n, prop::collection::vec(1u8..10, 3), prop::collection::vec(1u8..10, 3))),
        variant in prop::option::of((0..n, prop::collection::vec(1u8..10, 3), any::<bool>())),
        signpost in prop::option::of((-1i8..5, any::<bool>())),
    ) -> Chain {
        Chain { options, adds, readers, guard, thresholds, given, analysts, variant, signpost }
    }
}

impl Chain {
    fn option(&self, d: usize, o: usize) -> String {
        format!("o{}", o % self.options[d])
    }

    /// `o0 = …, o1 = …` for decision `d`'s options, from `weights`.
    fn table(&self, d: usize, weights: &[u8]) -> String {
        table(self.options[d], weights)
    }

    fn to_toml(&self) -> String {
        let mut out = String::from(
            "[scenario]\ntitle = \"chain\"\n\n[actors]\na0 = \"A\"\n\n[facts]\nscore = { type = \"number\", default = 0 }\nlabel = { type = [\"none\", \"hot\", \"cold\"], default = \"none\" }\n",
        );
        for (d, &options) in self.options.iter().enumerate() {
            let names: Vec<String> = (0..options).map(|o| format!("\"o{o}\"")).collect();
            out.push_str(&format!(
                "\n[decisions.d{d}]\nactor = \"nature\"\noptions = [{}]\n",
                names.join(", ")
            ));
            if self.guard == Some(d) {
                out.push_str("when = \"label != 'cold'\"\n");
            }
            match &self.analysts {
                Some((a, first, second)) if *a == d => {
                    for (k, weights) in [first, second].into_iter().enumerate() {
                        out.push_str(&format!(
                            "[decisions.d{d}.likelihood.by.analyst{k}]\n{}\n",
                            self.table(d, weights).replace(", ", "\n")
                        ));
                    }
                }
                // Unequal chances, 1 : 2 : 3.
                _ => out.push_str(&format!(
                    "likelihood = {{ {} }}\n",
                    self.table(d, &[1, 2, 3])
                )),
            }
        }
        for (i, &(d, o, amount)) in self.adds.iter().enumerate() {
            let amount = if amount == 0 { 1 } else { amount };
            out.push_str(&format!(
                "\n[rules.a{i}]\nwhen = \"d{d} == '{}'\"\nadd = {{ score = {amount} }}\n",
                self.option(d, o)
            ));
        }
        for (i, &(k, d, o, hot, priority)) in self.readers.iter().enumerate() {
            out.push_str(&format!(
                "\n[rules.c{i}]\nwhen = \"score >= {k} and d{d} == '{}'\"\nthen = {{ label = \"{}\" }}\npriority = {}\n",
                self.option(d, o),
                if hot { "hot" } else { "cold" },
                priority * 2 + i64::from(hot)
            ));
        }
        let (low, gap) = self.thresholds;
        let high = low + gap;
        out.push_str(&format!(
            "\n[outcomes.high]\nwhen = \"label == 'hot' or score >= {}\"\npayoff = {{ a0 = 3 }}\n\n[outcomes.mid]\nwhen = \"not (label == 'hot' or score >= {}) and (score >= {low} or label == 'cold')\"\npayoff = {{ a0 = 1 }}\n\n[outcomes.low]\npayoff = {{ a0 = 0 }}\n",
            high + 2,
            high + 2
        ));
        if let Some((d, weights, _)) = &self.variant {
            out.push_str(&format!(
                "\n[variants.v]\ntitle = \"v\"\nlikelihood.d{d} = {{ {} }}\n",
                self.table(*d, weights)
            ));
        }
        if let Some((t, _)) = self.signpost {
            out.push_str(&format!(
                "\n[signposts.watch]\ntitle = \"watch\"\nwhen = \"score >= {t}\"\n"
            ));
        }
        out
    }

    fn what_if(&self) -> WhatIf {
        WhatIf {
            given: self
                .given
                .map(|(d, o)| vec![(format!("d{d}"), Value::Symbol(self.option(d, o)))])
                .unwrap_or_default(),
            variant: self
                .variant
                .as_ref()
                .filter(|v| v.2)
                .map(|_| "v".to_owned()),
            observe: match self.signpost {
                Some((_, true)) => vec!["watch".to_owned()],
                _ => Vec::new(),
            },
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Rules whose fact other rules read, dropped where states merge (the readers run again in
    /// the state without them) or at the end of the path: whatever the one search finds equals
    /// evaluating again, under a given decision, a variant, an observed signpost and analysts,
    /// with a guard that reads the readers' label.
    #[test]
    fn chained_rules_dropped_in_one_search_equal_evaluating_again(generated in chain()) {
        let text = generated.to_toml();
        let session = Session::open_text("chain.toml", &text, Options::default());
        prop_assert!(!session.has_errors(), "{:#?}\n{text}", session.diagnostics());
        let Ok(model) = session.model(&generated.what_if()) else {
            return Ok(());
        };
        check(&model, &format!("{generated:?}\n{text}"))?;
    }
}
