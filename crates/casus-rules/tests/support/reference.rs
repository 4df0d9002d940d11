//! A deliberately naive reference evaluator: path by path, no merging, no compilation.
//!
//! It interprets the core model's syntax trees with string-keyed environments and recomputes
//! derived facts by plain fixed-point iteration (not the engine's dependency order), so it
//! shares no evaluation code with `casus-rules`. The engine must agree with it.
//!
//! The model in force is composed here too, from the loader's syntax trees only: a variant
//! applied by [`apply_variant`], given input facts as overrides, given decisions and observed
//! signposts as evidence ([`Reference::given`], [`Reference::observing`]). Bayes' rule is
//! filtering and weighting the enumeration: a path's weight is its probability times the
//! ratio of each observed signpost (the ratio of the option it takes, 1 when it skips the
//! decision), and a path that misses a given decision or fails an observed condition at its
//! end is dropped. The deeper analyses each recompute forecasts from scratch on changed
//! tables; value of information moves the event to the front of the game.

use std::collections::{BTreeMap, BTreeSet};

use casus_core::expr::{BinaryOp, Expr, ExprKind, UnaryOp};
use casus_core::model::{Evidence, FactKind, LikelihoodTable, Scenario, Value};

/// A value in the reference evaluator.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RVal {
    Unset,
    Bool(bool),
    Num(f64),
    Sym(String),
}

impl From<&Value> for RVal {
    fn from(v: &Value) -> Self {
        match v {
            Value::Bool(b) => RVal::Bool(*b),
            Value::Number(n) => RVal::Num(*n),
            Value::Symbol(s) => RVal::Sym(s.clone()),
        }
    }
}

type Env = BTreeMap<String, RVal>;

/// One complete path.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RefPath {
    /// The option taken at each decision, `None` if skipped.
    pub(crate) choices: Vec<Option<usize>>,
    /// Probability times the observed likelihood ratios.
    pub(crate) probability: f64,
    pub(crate) outcome: usize,
    /// Whether the path takes every given option and meets every observed condition.
    pub(crate) consistent: bool,
}

fn eval(expr: &Expr, env: &Env) -> RVal {
    match &expr.kind {
        ExprKind::Bool(b) => RVal::Bool(*b),
        ExprKind::Number(n) => RVal::Num(*n),
        ExprKind::Symbol(s) => RVal::Sym(s.clone()),
        ExprKind::Name(n) => env.get(n).cloned().unwrap_or(RVal::Unset),
        ExprKind::Unary(UnaryOp::Not, e) => RVal::Bool(eval(e, env) != RVal::Bool(true)),
        ExprKind::Unary(UnaryOp::Neg, e) => match eval(e, env) {
            RVal::Num(n) => RVal::Num(-n),
            _ => RVal::Unset,
        },
        ExprKind::Binary(op, l, r) => {
            let a = eval(l, env);
            match op {
                BinaryOp::And => {
                    if a != RVal::Bool(true) {
                        return RVal::Bool(false);
                    }
                    RVal::Bool(eval(r, env) == RVal::Bool(true))
                }
                BinaryOp::Or => {
                    if a == RVal::Bool(true) {
                        return RVal::Bool(true);
                    }
                    RVal::Bool(eval(r, env) == RVal::Bool(true))
                }
                _ => {
                    let b = eval(r, env);
                    match op {
                        BinaryOp::Eq => RVal::Bool(a == b),
                        BinaryOp::Ne => RVal::Bool(a != b),
                        _ => match (a, b) {
                            (RVal::Num(x), RVal::Num(y)) => match op {
                                BinaryOp::Lt => RVal::Bool(x < y),
                                BinaryOp::Le => RVal::Bool(x <= y),
                                BinaryOp::Gt => RVal::Bool(x > y),
                                BinaryOp::Ge => RVal::Bool(x >= y),
                                BinaryOp::Add => RVal::Num(x + y),
                                BinaryOp::Sub => RVal::Num(x - y),
                                BinaryOp::Mul => RVal::Num(x * y),
                                BinaryOp::Div => RVal::Num(x / y),
                                _ => unreachable!(),
                            },
                            _ => match op {
                                BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                                    RVal::Bool(false)
                                }
                                _ => RVal::Unset,
                            },
                        },
                    }
                }
            }
        }
        ExprKind::In(l, items) => {
            let a = eval(l, env);
            RVal::Bool(items.iter().any(|i| eval(i, env) == a))
        }
    }
}

/// A table of the reference: `None` for a decision's own table, `Some(k)` for its `k`-th
/// `likelihood_if`.
pub(crate) type TableKey = (usize, Option<usize>);

/// The lowest and highest probability an outcome takes.
pub(crate) type Band = (f64, f64);

/// Per decision and outcome: the band of the outcome when only that decision's tables move.
pub(crate) type Tornado = BTreeMap<(usize, usize), Band>;

/// One step of the line of play.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RefStep {
    pub(crate) decision: usize,
    pub(crate) option: usize,
    pub(crate) chance: bool,
    /// At a chance event: each option's probability conditioned on the evidence.
    pub(crate) values: Vec<f64>,
}

/// A solved subtree: its consistent probability mass, its value per actor and its line.
#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) mass: f64,
    pub(crate) value: Vec<f64>,
    pub(crate) line: Vec<RefStep>,
}

/// The value of information of one chance event, or why there is none.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RefInfo {
    Value(Vec<f64>),
    DependsOnDecisions,
    Given,
    NeverTaken,
}

/// What an assumption ranking reference entry changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RefAssumption {
    Likelihood(usize),
    Rule(usize),
}

/// The order decisions are taken in, and the event learnt first (value of information).
struct Game {
    order: Vec<usize>,
    /// An event moved to the front: decisions that came before it in the file still see it
    /// unset, since learning it changes what is known, not what has happened.
    revealed: Option<usize>,
    conditioned: bool,
}

/// The reference evaluator for one scenario with some input facts overridden.
#[derive(Clone)]
pub(crate) struct Reference<'a> {
    scenario: &'a Scenario,
    overrides: Vec<(String, Value)>,
    base: Env,
    /// Normalised tables used in place of the scenario's.
    tables: BTreeMap<TableKey, Vec<f64>>,
    /// Given decisions.
    forced: Vec<Option<usize>>,
    /// Observed signposts, as indices into `scenario.signposts`.
    observed: Vec<usize>,
    /// Likelihood ratio per decision and option (1 when nothing observed is about it).
    ratios: Vec<Vec<f64>>,
    /// Observed conditions.
    conditions: Vec<Expr>,
}

impl<'a> Reference<'a> {
    pub(crate) fn new(scenario: &'a Scenario, overrides: &[(&str, Value)]) -> Self {
        let mut base = Env::new();
        for fact in &scenario.facts {
            let value = match &fact.kind {
                FactKind::Input { value, .. } => overrides
                    .iter()
                    .find(|(n, _)| *n == fact.id.name)
                    .map_or_else(|| RVal::from(&value.value), |(_, v)| RVal::from(v)),
                FactKind::Derived { default, .. } => RVal::from(&default.value),
            };
            base.insert(fact.id.name.clone(), value);
        }
        for d in &scenario.decisions {
            base.insert(d.id.name.clone(), RVal::Unset);
        }
        Self {
            scenario,
            overrides: overrides
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.clone()))
                .collect(),
            base,
            tables: BTreeMap::new(),
            forced: vec![None; scenario.decisions.len()],
            observed: Vec::new(),
            ratios: scenario
                .decisions
                .iter()
                .map(|d| vec![1.0; d.options.len()])
                .collect(),
            conditions: Vec::new(),
        }
    }

    /// The same evidence and overrides on another scenario (a rule dropped).
    fn on<'b>(&self, scenario: &'b Scenario) -> Reference<'b> {
        let overrides: Vec<(&str, Value)> = self
            .overrides
            .iter()
            .map(|(n, v)| (n.as_str(), v.clone()))
            .collect();
        Reference::new(scenario, &overrides)
            .given(self.forced.clone())
            .observing(&self.observed)
    }

    /// With decisions given: only the paths that take these options count.
    pub(crate) fn given(mut self, forced: Vec<Option<usize>>) -> Self {
        self.forced = forced;
        self
    }

    /// With signposts observed (indices into `scenario.signposts`).
    pub(crate) fn observing(mut self, signposts: &[usize]) -> Self {
        self.observed = signposts.to_vec();
        for ratios in &mut self.ratios {
            ratios.iter_mut().for_each(|r| *r = 1.0);
        }
        self.conditions.clear();
        for &s in signposts {
            match &self.scenario.signposts[s].evidence {
                Some(Evidence::Ratio { decision, ratios }) => {
                    let d = self
                        .scenario
                        .decisions
                        .iter()
                        .position(|x| x.id.name == decision.name)
                        .expect("a signpost's decision");
                    for (option, ratio) in ratios {
                        let o = self.scenario.decisions[d]
                            .options
                            .iter()
                            .position(|x| x.name == option.name)
                            .expect("a signpost's option");
                        self.ratios[d][o] *= ratio.value;
                    }
                }
                Some(Evidence::When(when)) => self.conditions.push(when.clone()),
                None => {}
            }
        }
        self
    }

    /// With some tables replaced by these normalised probabilities.
    pub(crate) fn with_tables(&self, tables: &[(TableKey, Vec<f64>)]) -> Self {
        let mut out = self.clone();
        for (key, table) in tables {
            out.tables.insert(*key, table.clone());
        }
        out
    }

    /// Whether anything conditions the forecast: a given decision or an observed signpost.
    fn conditioned(&self) -> bool {
        !self.observed.is_empty() || self.forced.iter().any(Option::is_some)
    }

    /// Recomputes every derived fact by iterating all rules until nothing changes.
    fn derive(&self, env: &mut Env) {
        let derived: Vec<_> = self
            .scenario
            .facts
            .iter()
            .filter(|f| f.is_derived())
            .collect();
        for _ in 0..=derived.len() + 1 {
            let mut next = Env::new();
            for fact in &derived {
                let FactKind::Derived { default, .. } = &fact.kind else {
                    unreachable!()
                };
                let mut best: Option<(i64, RVal)> = None;
                let mut sum = match &default.value {
                    Value::Number(n) => Some(*n),
                    _ => None,
                };
                let mut summed = false;
                for rule in &self.scenario.rules {
                    let fires = eval(&rule.when, env) == RVal::Bool(true);
                    for a in rule.then.iter().filter(|a| a.fact.name == fact.id.name) {
                        if fires && best.as_ref().is_none_or(|(p, _)| rule.priority.value > *p) {
                            best = Some((rule.priority.value, RVal::from(&a.value.value)));
                        }
                    }
                    for c in rule.add.iter().filter(|c| c.fact.name == fact.id.name) {
                        summed = true;
                        if fires {
                            sum = sum.map(|s| s + c.amount.value);
                        }
                    }
                }
                let value = if summed {
                    RVal::Num(sum.unwrap_or(0.0))
                } else {
                    best.map_or_else(|| RVal::from(&default.value), |(_, v)| v)
                };
                next.insert(fact.id.name.clone(), value);
            }
            let changed = next.iter().any(|(k, v)| env.get(k) != Some(v));
            env.extend(next);
            if !changed {
                break;
            }
        }
    }

    /// The raw point estimates of decision `d`'s own table: the analysts' linear pool (each
    /// analyst normalised, then the mean) when there are analysts; `None` without a table.
    pub(crate) fn points(&self, d: usize, table: Option<usize>) -> Option<Vec<f64>> {
        let decision = &self.scenario.decisions[d];
        let of = |t: &LikelihoodTable| -> Vec<f64> {
            decision
                .options
                .iter()
                .map(|o| t.get(&o.name).map_or(0.0, |l| l.point))
                .collect()
        };
        match table {
            Some(k) => Some(of(&decision.likelihood_if[k].table)),
            None if !decision.estimates.is_empty() => {
                let n = decision.estimates.len() as f64;
                let mut pool = vec![0.0; decision.options.len()];
                for e in &decision.estimates {
                    for (acc, p) in pool.iter_mut().zip(normalise(&of(&e.table))) {
                        *acc += p / n;
                    }
                }
                Some(pool)
            }
            None => decision.likelihood.as_ref().map(of),
        }
    }

    /// Each option's band in a table: for a pool, the envelope of the analysts' bands,
    /// widened to hold the pooled point.
    pub(crate) fn bands(&self, d: usize, table: Option<usize>) -> Vec<(f64, f64)> {
        let decision = &self.scenario.decisions[d];
        let of = |t: &LikelihoodTable| -> Vec<(f64, f64)> {
            decision
                .options
                .iter()
                .map(|o| t.get(&o.name).map_or((0.0, 0.0), |l| (l.lo, l.hi)))
                .collect()
        };
        match table {
            Some(k) => of(&decision.likelihood_if[k].table),
            None if !decision.estimates.is_empty() => {
                let pool = self.points(d, None).expect("a pool");
                (0..decision.options.len())
                    .map(|o| {
                        let bands = decision.estimates.iter().map(|e| of(&e.table)[o]);
                        let lo = bands.clone().map(|b| b.0).fold(pool[o], f64::min);
                        let hi = bands.map(|b| b.1).fold(pool[o], f64::max);
                        (lo, hi)
                    })
                    .collect()
            }
            None => decision.likelihood.as_ref().map(of).unwrap_or_default(),
        }
    }

    /// Whether decision `d` has likelihoods of its own (not uniform by convention).
    pub(crate) fn judged(&self, d: usize) -> bool {
        self.points(d, None).is_some()
    }

    /// The table in force at decision `d` in `env`, and its probabilities.
    fn probabilities(&self, d: usize, env: &Env) -> Vec<f64> {
        let decision = &self.scenario.decisions[d];
        let k = decision
            .likelihood_if
            .iter()
            .position(|c| eval(&c.when, env) == RVal::Bool(true));
        if let Some(t) = self.tables.get(&(d, k)) {
            return t.clone();
        }
        let n = decision.options.len();
        match self.points(d, k) {
            None => vec![1.0 / n as f64; n],
            Some(points) => normalise(&points),
        }
    }

    fn outcome(&self, env: &Env) -> usize {
        let matched: Vec<usize> = (0..self.scenario.outcomes.len())
            .filter(|&i| {
                self.scenario.outcomes[i]
                    .when
                    .as_ref()
                    .is_some_and(|w| eval(w, env) == RVal::Bool(true))
            })
            .collect();
        assert!(matched.len() <= 1, "overlapping outcomes {matched:?}");
        matched.first().copied().unwrap_or_else(|| {
            self.scenario
                .outcomes
                .iter()
                .position(|o| o.when.is_none())
                .expect("a path with no outcome")
        })
    }

    fn holds(&self, env: &Env) -> bool {
        self.conditions
            .iter()
            .all(|c| eval(c, env) == RVal::Bool(true))
    }

    /// Every complete path, in file order.
    pub(crate) fn paths(&self) -> Vec<RefPath> {
        let mut env = self.base.clone();
        self.derive(&mut env);
        let mut out = Vec::new();
        self.walk(0, &mut env, Vec::new(), 1.0, &mut out);
        out
    }

    fn walk(
        &self,
        level: usize,
        env: &mut Env,
        choices: Vec<Option<usize>>,
        p: f64,
        out: &mut Vec<RefPath>,
    ) {
        if level == self.scenario.decisions.len() {
            let consistent = self.holds(env)
                && self
                    .forced
                    .iter()
                    .zip(&choices)
                    .all(|(f, c)| f.is_none_or(|f| *c == Some(f)));
            out.push(RefPath {
                choices,
                probability: p,
                outcome: self.outcome(env),
                consistent,
            });
            return;
        }
        let decision = &self.scenario.decisions[level];
        if decision
            .when
            .as_ref()
            .is_some_and(|w| eval(w, env) != RVal::Bool(true))
        {
            let mut c = choices;
            c.push(None);
            self.walk(level + 1, env, c, p, out);
            return;
        }
        let probabilities = self.probabilities(level, env);
        for (i, option) in decision.options.iter().enumerate() {
            let mut child = env.clone();
            child.insert(decision.id.name.clone(), RVal::Sym(option.name.clone()));
            self.derive(&mut child);
            let mut c = choices.clone();
            c.push(Some(i));
            let weight = p * probabilities[i] * self.ratios[level][i];
            self.walk(level + 1, &mut child, c, weight, out);
        }
    }

    /// The forecast of the model in force: the consistent paths' weights, normalised; `None`
    /// when no path is consistent.
    pub(crate) fn forecast(&self) -> Option<Vec<f64>> {
        let kept: Vec<RefPath> = self.paths().into_iter().filter(|p| p.consistent).collect();
        if kept.is_empty() {
            return None;
        }
        Some(forecast(&kept, self.scenario.outcomes.len()))
    }

    /// Backward induction with some decisions forced; `None` when no path is consistent.
    /// Ties go to the first option in file order, like the engine. With something forced, a
    /// chance node weighs each option by its probability times the probability of the
    /// consistent paths below it (its posterior given what is forced), as
    /// docs/game-theory.md says.
    pub(crate) fn strategy(&self, forced: &[Option<usize>]) -> Option<Vec<f64>> {
        let mut forced = forced.to_vec();
        forced.resize(self.scenario.decisions.len(), None);
        let reference = self.clone().given(forced);
        reference.solve().map(|n| n.value)
    }

    /// Backward induction on the model in force.
    pub(crate) fn solve(&self) -> Option<Node> {
        let game = Game {
            order: (0..self.scenario.decisions.len()).collect(),
            revealed: None,
            conditioned: self.conditioned(),
        };
        let mut env = self.base.clone();
        self.derive(&mut env);
        self.node(&game, 0, &env)
    }

    /// What decision `d` sees in `env`: everything, except an event revealed early that
    /// comes later in the file.
    fn view(&self, game: &Game, d: usize, env: &Env) -> Env {
        match game.revealed {
            Some(e)
                if d < e && env.get(&self.scenario.decisions[e].id.name) != Some(&RVal::Unset) =>
            {
                let mut view = env.clone();
                view.insert(self.scenario.decisions[e].id.name.clone(), RVal::Unset);
                self.derive(&mut view);
                view
            }
            _ => env.clone(),
        }
    }

    fn node(&self, game: &Game, level: usize, env: &Env) -> Option<Node> {
        let scenario = self.scenario;
        if level == game.order.len() {
            if !self.holds(env) {
                return None;
            }
            let outcome = &scenario.outcomes[self.outcome(env)];
            return Some(Node {
                mass: 1.0,
                value: scenario
                    .actors
                    .iter()
                    .map(|a| outcome.payoff_of(&a.id.name).unwrap_or(0.0))
                    .collect(),
                line: Vec::new(),
            });
        }
        let d = game.order[level];
        let decision = &scenario.decisions[d];
        let force = self.forced[d];
        let view = self.view(game, d, env);
        if decision
            .when
            .as_ref()
            .is_some_and(|w| eval(w, &view) != RVal::Bool(true))
        {
            return if force.is_some() {
                None
            } else {
                self.node(game, level + 1, env)
            };
        }
        let probabilities = self.probabilities(d, &view);
        let mut children = Vec::new();
        for (i, option) in decision.options.iter().enumerate() {
            if force.is_some_and(|f| f != i) {
                continue;
            }
            let mut child = env.clone();
            child.insert(decision.id.name.clone(), RVal::Sym(option.name.clone()));
            self.derive(&mut child);
            if let Some(node) = self.node(game, level + 1, &child) {
                children.push((i, probabilities[i] * self.ratios[d][i], node));
            }
        }
        if children.is_empty() {
            return None;
        }
        let mass: f64 = children.iter().map(|(_, p, n)| p * n.mass).sum();
        if decision.is_chance() {
            let weigh = |(_, p, n): &(usize, f64, Node)| {
                if game.conditioned { p * n.mass } else { *p }
            };
            let total: f64 = children.iter().map(weigh).sum();
            let mut value = vec![0.0; scenario.actors.len()];
            let mut values = vec![0.0; decision.options.len()];
            let mut likely: Option<(usize, f64)> = None;
            for child in &children {
                let w = weigh(child) / total;
                values[child.0] = w;
                // Options equally likely up to rounding go to the first in file order.
                if likely.is_none_or(|(_, b)| w > b + 1e-9) {
                    likely = Some((child.0, w));
                }
                for (a, x) in value.iter_mut().zip(&child.2.value) {
                    *a += w * x;
                }
            }
            let (option, _) = likely.expect("a chance option");
            let below = &children
                .iter()
                .find(|c| c.0 == option)
                .expect("the most likely option")
                .2;
            let mut line = vec![RefStep {
                decision: d,
                option,
                chance: true,
                values,
            }];
            line.extend(below.line.iter().cloned());
            Some(Node { mass, value, line })
        } else {
            let actor = scenario
                .actors
                .iter()
                .position(|a| a.id.name == decision.actor.name)
                .expect("actor");
            let mut best: Option<&(usize, f64, Node)> = None;
            for child in &children {
                let better = best.is_none_or(|b| {
                    let tol = 1e-9 * b.2.value[actor].abs().max(1.0);
                    child.2.value[actor] > b.2.value[actor] + tol
                });
                if better {
                    best = Some(child);
                }
            }
            let best = best.expect("a best option");
            let mut line = vec![RefStep {
                decision: d,
                option: best.0,
                chance: false,
                values: Vec::new(),
            }];
            line.extend(best.2.line.iter().cloned());
            Some(Node {
                mass,
                value: best.2.value.clone(),
                line,
            })
        }
    }

    /// The names that can depend on a decision: the decisions, and every derived fact a rule
    /// sets or adds to when its condition reads such a name (to a fixed point).
    fn decision_dependent(&self) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self
            .scenario
            .decisions
            .iter()
            .map(|d| d.id.name.clone())
            .collect();
        loop {
            let before = out.len();
            for rule in &self.scenario.rules {
                let mut read = BTreeSet::new();
                names(&rule.when, &mut read);
                if read.iter().any(|n| out.contains(n)) {
                    out.extend(rule.then.iter().map(|a| a.fact.name.clone()));
                    out.extend(rule.add.iter().map(|c| c.fact.name.clone()));
                }
            }
            if out.len() == before {
                return out;
            }
        }
    }

    /// Value of information of every chance event, by moving it to the front of the game:
    /// nature draws it first (weighed by its probability conditioned on the evidence), every
    /// actor then plays knowing it, and the informed value minus the plain value is the gain.
    pub(crate) fn information(&self) -> Vec<(usize, RefInfo)> {
        let dependent = self.decision_dependent();
        let plain = self.solve();
        let mut out = Vec::new();
        for (e, decision) in self.scenario.decisions.iter().enumerate() {
            if !decision.is_chance() {
                continue;
            }
            if self.forced[e].is_some() {
                out.push((e, RefInfo::Given));
                continue;
            }
            let mut read = BTreeSet::new();
            for w in decision
                .when
                .iter()
                .chain(decision.likelihood_if.iter().map(|c| &c.when))
            {
                names(w, &mut read);
            }
            if read.iter().any(|n| dependent.contains(n)) {
                out.push((e, RefInfo::DependsOnDecisions));
                continue;
            }
            let mut env = self.base.clone();
            self.derive(&mut env);
            let taken = decision
                .when
                .as_ref()
                .is_none_or(|w| eval(w, &env) == RVal::Bool(true));
            let mut order = vec![e];
            order.extend((0..self.scenario.decisions.len()).filter(|&d| d != e));
            let game = Game {
                order,
                revealed: Some(e),
                conditioned: true,
            };
            match (taken, self.node(&game, 0, &env), &plain) {
                (true, Some(informed), Some(plain)) => out.push((
                    e,
                    RefInfo::Value(
                        informed
                            .value
                            .iter()
                            .zip(&plain.value)
                            .map(|(i, p)| i - p)
                            .collect(),
                    ),
                )),
                _ => out.push((e, RefInfo::NeverTaken)),
            }
        }
        out
    }

    /// One-way ranges: each end of each band with width, the other options at their point
    /// estimates, renormalised, the forecast recomputed; the envelope with the point. Per
    /// outcome over all sweeps, and per decision and outcome over that decision's sweeps (the
    /// tornado).
    pub(crate) fn ranges(&self) -> Option<(Vec<Band>, Tornado)> {
        let point = self.forecast()?;
        let mut ranges: Vec<Band> = point.iter().map(|&p| (p, p)).collect();
        let mut tornado = BTreeMap::new();
        for d in 0..self.scenario.decisions.len() {
            if !self.judged(d) {
                continue;
            }
            let tables = std::iter::once(None)
                .chain((0..self.scenario.decisions[d].likelihood_if.len()).map(Some));
            for table in tables {
                let points = self.points(d, table).expect("a judged table");
                for (o, (lo, hi)) in self.bands(d, table).into_iter().enumerate() {
                    if hi <= lo {
                        continue;
                    }
                    for end in [lo, hi] {
                        let mut raw = points.clone();
                        raw[o] = end;
                        let swept = self.with_tables(&[((d, table), normalise(&raw))]);
                        let forecast = swept
                            .forecast()
                            .expect("a consistent path after sweeping a band");
                        for (outcome, p) in forecast.into_iter().enumerate() {
                            let r = &mut ranges[outcome];
                            *r = (r.0.min(p), r.1.max(p));
                            let t = tornado
                                .entry((d, outcome))
                                .or_insert((point[outcome], point[outcome]));
                            *t = (t.0.min(p), t.1.max(p));
                        }
                    }
                }
            }
        }
        Some((ranges, tornado))
    }

    /// The assumption ranking: each judged decision that is not given with every table
    /// reversed to `(1 − p)/(k − 1)`, each rule dropped; the total variation distance from the
    /// forecast.
    /// Each entry: the assumption, the distance and the largest absolute move of one
    /// outcome's probability (0 when no path is left).
    pub(crate) fn ranking(&self) -> Option<Vec<(RefAssumption, f64, f64)>> {
        let point = self.forecast()?;
        let distance = |other: &[f64]| {
            let moves = point.iter().zip(other).map(|(a, b)| (a - b).abs());
            (moves.clone().sum::<f64>() / 2.0, moves.fold(0.0, f64::max))
        };
        let mut out = Vec::new();
        for (d, decision) in self.scenario.decisions.iter().enumerate() {
            let k = decision.options.len();
            if !self.judged(d) || self.forced[d].is_some() || k < 2 {
                continue;
            }
            let reverse = |p: Vec<f64>| -> Vec<f64> {
                p.iter().map(|x| (1.0 - x) / (k - 1) as f64).collect()
            };
            let tables: Vec<(TableKey, Vec<f64>)> = std::iter::once(None)
                .chain((0..decision.likelihood_if.len()).map(Some))
                .map(|t| {
                    (
                        (d, t),
                        reverse(normalise(&self.points(d, t).expect("a judged table"))),
                    )
                })
                .collect();
            let moved = self
                .with_tables(&tables)
                .forecast()
                .expect("a consistent path with the likelihoods reversed");
            let (distance, largest) = distance(&moved);
            out.push((RefAssumption::Likelihood(d), distance, largest));
        }
        for r in 0..self.scenario.rules.len() {
            let mut without = self.scenario.clone();
            without.rules.remove(r);
            // Without the rule no path may be consistent any more: the forecast cannot be
            // compared, and the rule counts as load-bearing beyond measure.
            let moved = self.on(&without).forecast();
            let (distance, largest) = moved.map_or((1.0, 0.0), |m| distance(&m));
            out.push((RefAssumption::Rule(r), distance, largest));
        }
        Some(out)
    }

    /// The forecast with each analyst's table alone in place of the pool, for each decision
    /// with at least two analysts.
    pub(crate) fn analysts(&self) -> Vec<(usize, Vec<Option<Vec<f64>>>)> {
        let mut out = Vec::new();
        for (d, decision) in self.scenario.decisions.iter().enumerate() {
            if decision.estimates.len() < 2 {
                continue;
            }
            let forecasts = decision
                .estimates
                .iter()
                .map(|e| {
                    let points: Vec<f64> = decision
                        .options
                        .iter()
                        .map(|o| e.table.get(&o.name).map_or(0.0, |l| l.point))
                        .collect();
                    self.with_tables(&[((d, None), normalise(&points))])
                        .forecast()
                })
                .collect();
            out.push((d, forecasts));
        }
        out
    }

    /// Each signpost not observed, observed on top: its forecast, or `None` when no path is
    /// consistent with it.
    pub(crate) fn watch(&self) -> Vec<(usize, Option<Vec<f64>>)> {
        (0..self.scenario.signposts.len())
            .filter(|s| !self.observed.contains(s))
            .map(|s| {
                let mut observed = self.observed.clone();
                observed.push(s);
                (s, self.clone().observing(&observed).forecast())
            })
            .collect()
    }

    /// The forecast of one sample of probabilistic sensitivity as docs/language.md defines
    /// it: every judged decision's tables (its own, then its `likelihood_if`s), in file
    /// order, drawn uniformly within their bands from `uniform` (a number in [0, 1) per
    /// option), renormalised.
    pub(crate) fn sample(&self, mut uniform: impl FnMut() -> f64) -> Vec<f64> {
        let mut tables = Vec::new();
        for d in 0..self.scenario.decisions.len() {
            if !self.judged(d) {
                continue;
            }
            let keys = std::iter::once(None)
                .chain((0..self.scenario.decisions[d].likelihood_if.len()).map(Some));
            for table in keys {
                let drawn: Vec<f64> = self
                    .bands(d, table)
                    .iter()
                    .map(|&(lo, hi)| lo + (hi - lo) * uniform())
                    .collect();
                tables.push(((d, table), normalise(&drawn)));
            }
        }
        self.with_tables(&tables)
            .forecast()
            .expect("a consistent path in a sample")
    }
}

/// The base scenario with the variant `index` applied: its input facts, likelihood tables
/// (which replace a pool of analysts too) and payoffs in place of the base's.
pub(crate) fn apply_variant(scenario: &Scenario, index: usize) -> Scenario {
    let variant = &scenario.variants[index];
    let mut out = scenario.clone();
    for (name, value) in &variant.facts {
        for fact in &mut out.facts {
            if fact.id.name == name.name
                && let FactKind::Input { value: v, .. } = &mut fact.kind
            {
                *v = value.clone();
            }
        }
    }
    for (name, table) in &variant.likelihood {
        for decision in &mut out.decisions {
            if decision.id.name == name.name {
                decision.likelihood = Some(table.clone());
                decision.estimates.clear();
            }
        }
    }
    for (name, payoffs) in &variant.payoff {
        for outcome in &mut out.outcomes {
            if outcome.id.name != name.name {
                continue;
            }
            for (actor, payoff) in payoffs {
                match outcome
                    .payoff
                    .iter_mut()
                    .find(|(a, _)| a.name == actor.name)
                {
                    Some((_, p)) => *p = payoff.clone(),
                    None => outcome.payoff.push((actor.clone(), payoff.clone())),
                }
            }
        }
    }
    out
}

/// Every name an expression reads.
fn names(expr: &Expr, out: &mut BTreeSet<String>) {
    match &expr.kind {
        ExprKind::Name(n) => {
            out.insert(n.clone());
        }
        ExprKind::Unary(_, e) => names(e, out),
        ExprKind::Binary(_, l, r) => {
            names(l, out);
            names(r, out);
        }
        ExprKind::In(l, items) => {
            names(l, out);
            for i in items {
                names(i, out);
            }
        }
        ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::Symbol(_) => {}
    }
}

/// Scales to sum to 1; all zeros become uniform.
pub(crate) fn normalise(raw: &[f64]) -> Vec<f64> {
    let total: f64 = raw.iter().sum();
    if total > 0.0 {
        raw.iter().map(|p| p / total).collect()
    } else {
        vec![1.0 / raw.len() as f64; raw.len()]
    }
}

/// The nearest-rank percentile of sorted values.
pub(crate) fn percentile(sorted: &[f64], q: f64) -> f64 {
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Outcome probabilities from a list of paths, normalised over those paths.
pub(crate) fn forecast(paths: &[RefPath], outcomes: usize) -> Vec<f64> {
    let mut acc = vec![0.0; outcomes];
    for p in paths {
        acc[p.outcome] += p.probability;
    }
    let total: f64 = acc.iter().sum();
    acc.into_iter()
        .map(|a| if total > 0.0 { a / total } else { 0.0 })
        .collect()
}
