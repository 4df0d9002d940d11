//! What-ifs drawn for generated scenarios, shared by the property tests: a variant, an input
//! value, given decisions and observed signposts, drawn as indices and resolved against what
//! the scenario has.

use casus_core::model::{Scenario, Value};
use casus_rules::session::WhatIf;
use proptest::prelude::*;

/// A what-if as drawn: indices are taken modulo what the scenario has.
#[derive(Clone, Debug)]
pub(crate) struct Ask {
    pub(crate) variant: Option<usize>,
    pub(crate) level: Option<i8>,
    pub(crate) given: Vec<(usize, usize)>,
    pub(crate) observe: Vec<usize>,
}

pub(crate) fn ask() -> impl Strategy<Value = Ask> {
    (
        proptest::option::weighted(0.5, any::<usize>()),
        proptest::option::weighted(0.3, -3i8..4),
        proptest::collection::vec((any::<usize>(), any::<usize>()), 0..=2),
        proptest::collection::vec(any::<usize>(), 0..=2),
    )
        .prop_map(|(variant, level, given, observe)| Ask {
            variant,
            level,
            given,
            observe,
        })
}

/// The what-if resolved against one scenario.
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    pub(crate) variant: Option<usize>,
    pub(crate) level: Option<i8>,
    /// Given decisions, at most one option each.
    pub(crate) given: Vec<(usize, usize)>,
    /// Observed signposts, without repeats.
    pub(crate) observe: Vec<usize>,
}

impl Resolved {
    pub(crate) fn of(scenario: &Scenario, ask: &Ask) -> Self {
        let variant = ask
            .variant
            .filter(|_| !scenario.variants.is_empty())
            .map(|v| v % scenario.variants.len());
        let mut given: Vec<(usize, usize)> = Vec::new();
        for &(d, o) in &ask.given {
            let d = d % scenario.decisions.len();
            let o = o % scenario.decisions[d].options.len();
            if !given.iter().any(|&(x, _)| x == d) {
                given.push((d, o));
            }
        }
        let mut observe = Vec::new();
        if !scenario.signposts.is_empty() {
            for &s in &ask.observe {
                let s = s % scenario.signposts.len();
                if !observe.contains(&s) {
                    observe.push(s);
                }
            }
        }
        Self {
            variant,
            level: ask.level,
            given,
            observe,
        }
    }

    pub(crate) fn what_if(&self, scenario: &Scenario) -> WhatIf {
        let mut given: Vec<(String, Value)> = self
            .given
            .iter()
            .map(|&(d, o)| {
                let decision = &scenario.decisions[d];
                (
                    decision.id.name.clone(),
                    Value::Symbol(decision.options[o].name.clone()),
                )
            })
            .collect();
        if let Some(level) = self.level {
            given.push(("level".to_owned(), Value::Number(f64::from(level))));
        }
        WhatIf {
            variant: self.variant.map(|v| scenario.variants[v].id.name.clone()),
            given,
            observe: self
                .observe
                .iter()
                .map(|&s| scenario.signposts[s].id.name.clone())
                .collect(),
        }
    }
}
