//! The one namespace that expressions read: facts and decisions by name.

use std::collections::HashMap;

use crate::model::{Scenario, Type};

/// What a name in an expression refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameRef {
    /// `scenario.facts[i]`.
    Fact(usize),
    /// `scenario.decisions[i]`.
    Decision(usize),
}

/// Resolves expression names to facts and decisions, with their types.
#[derive(Debug)]
pub struct Names {
    map: HashMap<String, (NameRef, Type)>,
}

impl Names {
    /// Builds the namespace; of two items with one name, the first wins (the checker reports
    /// the second).
    pub fn new(scenario: &Scenario) -> Self {
        let mut map = HashMap::new();
        for (i, fact) in scenario.facts.iter().enumerate() {
            map.entry(fact.id.name.clone())
                .or_insert((NameRef::Fact(i), fact.ty().clone()));
        }
        for (i, decision) in scenario.decisions.iter().enumerate() {
            map.entry(decision.id.name.clone())
                .or_insert((NameRef::Decision(i), Type::Enum(decision.option_names())));
        }
        Self { map }
    }

    /// What `name` refers to and its type.
    pub fn get(&self, name: &str) -> Option<(NameRef, &Type)> {
        self.map.get(name).map(|(r, t)| (*r, t))
    }

    /// Every name, sorted, for suggestions.
    pub fn all(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.map.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }
}
