//! A deliberately naive reference evaluator: path by path, no merging, no compilation.
//!
//! It interprets the core model's syntax trees with string-keyed environments and recomputes
//! derived facts by plain fixed-point iteration (not the engine's dependency order), so it
//! shares no evaluation code with `casus-rules`. The engine must agree with it.

use std::collections::BTreeMap;

use casus_core::expr::{BinaryOp, Expr, ExprKind, UnaryOp};
use casus_core::model::{FactKind, Scenario, Value};

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
    pub(crate) probability: f64,
    pub(crate) outcome: usize,
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

/// The reference evaluator for one scenario with some input facts overridden.
pub(crate) struct Reference<'a> {
    scenario: &'a Scenario,
    base: Env,
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
        Self { scenario, base }
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

    fn probabilities(&self, d: usize, env: &Env) -> Vec<f64> {
        let decision = &self.scenario.decisions[d];
        let table = decision
            .likelihood_if
            .iter()
            .find(|c| eval(&c.when, env) == RVal::Bool(true))
            .map(|c| &c.table)
            .or(decision.likelihood.as_ref());
        let n = decision.options.len();
        match table {
            None => vec![1.0 / n as f64; n],
            Some(t) => {
                let points: Vec<f64> = decision
                    .options
                    .iter()
                    .map(|o| t.get(&o.name).map_or(0.0, |l| l.point))
                    .collect();
                let total: f64 = points.iter().sum();
                points.iter().map(|p| p / total).collect()
            }
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
            out.push(RefPath {
                choices,
                probability: p,
                outcome: self.outcome(env),
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
            self.walk(level + 1, &mut child, c, p * probabilities[i], out);
        }
    }

    /// Backward induction with some decisions forced; `None` when no path is consistent.
    /// Ties go to the first option in file order, like the engine. With something forced, a
    /// chance node weighs each option by its probability times the probability of the
    /// consistent paths below it (its posterior given what is forced), as
    /// docs/game-theory.md says.
    pub(crate) fn strategy(&self, forced: &[Option<usize>]) -> Option<Vec<f64>> {
        let mut env = self.base.clone();
        self.derive(&mut env);
        let conditioned = forced.iter().any(Option::is_some);
        self.value(0, &env, forced, conditioned).map(|(_, v)| v)
    }

    /// The subtree's consistent probability mass and its value per actor.
    fn value(
        &self,
        level: usize,
        env: &Env,
        forced: &[Option<usize>],
        conditioned: bool,
    ) -> Option<(f64, Vec<f64>)> {
        let scenario = self.scenario;
        if level == scenario.decisions.len() {
            let outcome = &scenario.outcomes[self.outcome(env)];
            return Some((
                1.0,
                scenario
                    .actors
                    .iter()
                    .map(|a| outcome.payoff_of(&a.id.name).unwrap_or(0.0))
                    .collect(),
            ));
        }
        let decision = &scenario.decisions[level];
        let force = forced.get(level).copied().flatten();
        if decision
            .when
            .as_ref()
            .is_some_and(|w| eval(w, env) != RVal::Bool(true))
        {
            return if force.is_some() {
                None
            } else {
                self.value(level + 1, env, forced, conditioned)
            };
        }
        let probabilities = self.probabilities(level, env);
        let mut children = Vec::new();
        for (i, option) in decision.options.iter().enumerate() {
            if force.is_some_and(|f| f != i) {
                continue;
            }
            let mut child = env.clone();
            child.insert(decision.id.name.clone(), RVal::Sym(option.name.clone()));
            self.derive(&mut child);
            if let Some((m, v)) = self.value(level + 1, &child, forced, conditioned) {
                children.push((probabilities[i], m, v));
            }
        }
        if children.is_empty() {
            return None;
        }
        let mass: f64 = children.iter().map(|(p, m, _)| p * m).sum();
        if decision.is_chance() {
            let weigh = |(p, m, _): &(f64, f64, Vec<f64>)| if conditioned { p * m } else { *p };
            let weight: f64 = children.iter().map(weigh).sum();
            let (weight, flat) = if weight > 0.0 {
                (weight, false)
            } else {
                (children.len() as f64, true)
            };
            let mut acc = vec![0.0; scenario.actors.len()];
            for child in &children {
                let w = if flat { 1.0 } else { weigh(child) };
                for (a, x) in acc.iter_mut().zip(&child.2) {
                    *a += w * x;
                }
            }
            Some((mass, acc.into_iter().map(|a| a / weight).collect()))
        } else {
            let actor = scenario
                .actors
                .iter()
                .position(|a| a.id.name == decision.actor.name)
                .expect("actor");
            let mut best: Option<Vec<f64>> = None;
            for (_, _, v) in children {
                let better = best.as_ref().is_none_or(|b| {
                    let tol = 1e-9 * b[actor].abs().max(1.0);
                    v[actor] > b[actor] + tol
                });
                if better {
                    best = Some(v);
                }
            }
            best.map(|b| (mass, b))
        }
    }
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
