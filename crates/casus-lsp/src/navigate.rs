//! Go to definition, find references and rename, all read from the [`Index`].

use casus_core::Span;
use casus_core::model::Scenario;

use crate::symbols::{Index, Target};

/// Where the name at `offset` is declared.
pub(crate) fn definition(index: &Index, offset: usize) -> Option<Span> {
    let target = index.at(offset)?.target;
    index.definition(target).map(|o| o.span)
}

/// Every place the name at `offset` is written; the declaration only if asked for.
pub(crate) fn references(index: &Index, offset: usize, declaration: bool) -> Vec<Span> {
    let Some(occurrence) = index.at(offset) else {
        return Vec::new();
    };
    index
        .of(occurrence.target)
        .filter(|o| declaration || !o.definition)
        .map(|o| o.span)
        .collect()
}

/// The name a rename at `offset` would change.
pub(crate) fn prepare_rename(index: &Index, offset: usize) -> Option<Span> {
    index.at(offset).map(|o| o.span)
}

/// Why a rename cannot be done.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RenameError {
    /// Nothing renamable under the cursor.
    #[error(
        "there is no actor, fact, decision, option, rule, outcome, test, variant or signpost here"
    )]
    Nothing,
    /// The new name is not an id.
    #[error(
        "`{0}` is not an id: ids are lowercase letters, digits and `_`, starting with a letter"
    )]
    NotAnId(String),
    /// The new name is taken.
    #[error("`{name}` is already a {kind} in this file")]
    Taken {
        /// The name asked for.
        name: String,
        /// What already has it.
        kind: &'static str,
    },
}

/// The spans to replace with `new_name` to rename the thing at `offset` everywhere.
pub(crate) fn rename(
    scenario: &Scenario,
    index: &Index,
    offset: usize,
    new_name: &str,
) -> Result<Vec<Span>, RenameError> {
    let target = index.at(offset).ok_or(RenameError::Nothing)?.target;
    if !is_id(new_name) {
        return Err(RenameError::NotAnId(new_name.to_owned()));
    }
    if let Some(kind) = taken(scenario, target, new_name) {
        return Err(RenameError::Taken {
            name: new_name.to_owned(),
            kind,
        });
    }
    Ok(index.of(target).map(|o| o.span).collect())
}

/// `[a-z][a-z0-9_]*`, the id pattern of format v1.
fn is_id(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// What kind of thing in `target`'s namespace is already called `name`.
fn taken(s: &Scenario, target: Target, name: &str) -> Option<&'static str> {
    let has = |mut ids: std::slice::Iter<'_, casus_core::model::Ident>| ids.any(|i| i.name == name);
    match target {
        Target::Actor(_) => s
            .actors
            .iter()
            .any(|a| a.id.name == name)
            .then_some("actor"),
        Target::Fact(_) | Target::Decision(_) => {
            if s.facts.iter().any(|f| f.id.name == name) {
                Some("fact")
            } else if s.decisions.iter().any(|d| d.id.name == name) {
                Some("decision")
            } else {
                None
            }
        }
        Target::Option(d, _) => s
            .decisions
            .get(d)
            .is_some_and(|d| has(d.options.iter()))
            .then_some("option of this decision"),
        Target::Rule(_) => s.rules.iter().any(|r| r.id.name == name).then_some("rule"),
        Target::Outcome(_) => s
            .outcomes
            .iter()
            .any(|o| o.id.name == name)
            .then_some("outcome"),
        Target::Test(_) => s.tests.iter().any(|t| t.id.name == name).then_some("test"),
        Target::Variant(_) => s
            .variants
            .iter()
            .any(|v| v.id.name == name)
            .then_some("variant"),
        Target::Signpost(_) => s
            .signposts
            .iter()
            .any(|p| p.id.name == name)
            .then_some("signpost"),
    }
}
