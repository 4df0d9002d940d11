//! `casus diff --format json`: per file, what changed in the model and how the results moved.

use casus_rules::workflow::diff::{
    ChangeKind, ItemChange, ItemKind, KeyAssumptionState, LineStep, OutcomeState, PathDiff,
    PathGroupKind, ResultsDiff,
};
use schemars::JsonSchema;
use serde::Serialize;

use super::testing::TestVerdict;
use super::{ChoiceOut, PathCount};
use crate::diff::{FileChange, FileDiff};
use crate::text::round;

/// What `casus diff --format json` prints: how many files changed, then each file.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DiffOutput {
    /// Files whose model or results changed.
    pub changed: usize,
    /// Files only the new side has.
    pub added: usize,
    /// Files only the old side has.
    pub removed: usize,
    /// Files compared without a semantic change.
    pub unchanged: usize,
    /// Files with a version that could not be read.
    pub unreadable: usize,
    /// Each file, changed or not.
    pub files: Vec<DiffFileOut>,
}

/// One file of a diff.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct DiffFileOut {
    /// The file: its path inside the folders compared (inside the repository with `--rev`),
    /// or the new file's path as given when two files are compared.
    pub file: String,
    /// The scenario's title (new version, else old); `null` if it could not be read.
    pub title: Option<String>,
    /// What happened to the file.
    pub status: FileStatus,
    /// With status `unreadable`: which version could not be read, and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub reason: Option<String>,
    /// With status `changed` or `unchanged`: the items of the model that changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Vec<ItemChangeOut>")]
    pub changes: Option<Vec<ItemChangeOut>>,
    /// With status `changed` or `unchanged`: how the results moved; `null` when they were not
    /// compared (see `unavailable`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<ResultsOut>")]
    pub results: Option<Option<ResultsOut>>,
    /// With status `changed` or `unchanged`: why the results were not compared; `null` when
    /// they were.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub unavailable: Option<Option<String>>,
}

/// What happened to one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileStatus {
    /// Only the new side has it.
    Added,
    /// Only the old side has it.
    Removed,
    /// A version could not be read (a syntax error, not UTF-8).
    Unreadable,
    /// Both versions were compared, and nothing changed.
    Unchanged,
    /// Both versions were compared, and the model or the results changed.
    Changed,
}

/// One item of the model that was added, removed or changed.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ItemChangeOut {
    /// What kind of item.
    pub kind: ItemKindOut,
    /// Its id (`scenario` for the `[scenario]` table).
    pub id: String,
    /// Added, removed or changed.
    pub change: ChangeKindOut,
    /// For a changed item, the fields that differ, in the order they are written; for an added
    /// item, every field (`old` null).
    pub fields: Vec<FieldChangeOut>,
}

/// The kind of item a change is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ItemKindOut {
    /// The `[scenario]` table.
    Scenario,
    /// An actor.
    Actor,
    /// A fact.
    Fact,
    /// A decision.
    Decision,
    /// A rule.
    Rule,
    /// An outcome.
    Outcome,
    /// A variant.
    Variant,
    /// A signpost.
    Signpost,
    /// A test.
    Test,
}

/// Added, removed or changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKindOut {
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// In both, with different fields.
    Changed,
}

/// A field whose canonical text differs.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct FieldChangeOut {
    /// The field, with a dotted key for entries of a table (`likelihood.accept`,
    /// `payoff.us`).
    pub field: String,
    /// Its old text; `null` where the field is absent.
    pub old: Option<String>,
    /// Its new text; `null` where the field is absent.
    pub new: Option<String>,
}

/// How the results moved.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct ResultsOut {
    /// Complete paths, old and new.
    pub paths: PathCountsOut,
    /// Outcomes whose probability or range moved, that became reachable or unreachable, or
    /// that were added or removed; in the new file's order, removed outcomes last.
    pub outcomes: Vec<OutcomeChangeOut>,
    /// The strategic line of play, old and new; `null` when it did not change.
    pub strategy: Option<StrategyChangeOut>,
    /// Key assumptions (decisions whose likeliest option is not the actor's strategic choice)
    /// that appeared, disappeared or changed; in the new file's order, removed ones last.
    pub key_assumptions: Vec<KeyAssumptionChangeOut>,
    /// The paths whose outcome changed.
    pub paths_changed: PathDiffOut,
    /// Tests whose result changed; in the new file's order, removed tests last.
    pub tests: Vec<TestChangeOut>,
}

/// Complete paths in each version.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PathCountsOut {
    /// In the old version.
    pub old: PathCount,
    /// In the new version.
    pub new: PathCount,
}

/// The strategic line of play in each version.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct StrategyChangeOut {
    /// The old line.
    pub old: LineOut,
    /// The new line.
    pub new: LineOut,
}

/// An outcome whose forecast changed.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct OutcomeChangeOut {
    /// The outcome's id.
    pub id: String,
    /// Its title in the newest version that has it.
    pub title: String,
    /// The old forecast; `null` for an added outcome.
    pub old: Option<OutcomeStateOut>,
    /// The new forecast; `null` for a removed outcome.
    pub new: Option<OutcomeStateOut>,
    /// New minus old probability (a missing side counts as 0).
    pub delta: f64,
}

/// One outcome's forecast in one version.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct OutcomeStateOut {
    /// Its probability under the point estimates.
    pub probability: f64,
    /// Whether any path reaches it.
    pub reachable: bool,
}

/// The strategic line of play in one version.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct LineOut {
    /// The decisions taken along the line, in order.
    pub path: Vec<LineStepOut>,
    /// The outcome the line ends in.
    pub outcome: Option<String>,
}

/// A decision on the line of play.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct LineStepOut {
    /// The decision's id.
    pub decision: String,
    /// Who decides (`nature` for chance).
    pub actor: String,
    /// The option taken.
    pub option: String,
}

/// A key assumption that appeared, disappeared or changed.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct KeyAssumptionChangeOut {
    /// The decision's id.
    pub decision: String,
    /// The old state; `null` when it was no key assumption.
    pub old: Option<KeyAssumptionStateOut>,
    /// The new state; `null` when it is no key assumption any more.
    pub new: Option<KeyAssumptionStateOut>,
}

/// A key assumption in one version.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct KeyAssumptionStateOut {
    /// The option the likelihoods make most likely.
    pub forecast: String,
    /// Its probability.
    pub probability: f64,
    /// The options the actor's payoffs make optimal.
    pub strategic: Vec<String>,
}

/// The comparison of paths, matched by their choices on the decisions both versions share, or
/// why it was skipped.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "status", rename_all = "lowercase")]
#[schemars(deny_unknown_fields)]
pub enum PathDiffOut {
    /// Every path was compared.
    Compared {
        /// The decisions both versions have, in the new order.
        decisions: Vec<String>,
        /// Matched paths.
        matched: u64,
        /// Matched paths whose outcome changed.
        changed: u64,
        /// Paths only the old version has (a guard or an option changed).
        only_old: u64,
        /// Paths only the new version has.
        only_new: u64,
        /// Every changed, vanished and new path, grouped by where they end, most probable
        /// group first.
        groups: Vec<PathGroupOut>,
        /// The most likely changed paths, most likely first.
        examples: Vec<PathChangeOut>,
    },
    /// Too many paths, or a walk failed.
    Skipped {
        /// Why, as a sentence.
        reason: String,
    },
}

/// Paths that share what happened to them: "N paths now end in X instead of Y".
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PathGroupOut {
    /// What happened to them.
    pub kind: PathGroupKindOut,
    /// How many paths.
    pub paths: u64,
    /// Where they ended in the old version (empty for new paths).
    pub old_outcomes: Vec<String>,
    /// Where they end in the new version (empty for gone paths).
    pub new_outcomes: Vec<String>,
    /// Their total probability in the old version.
    pub old_probability: f64,
    /// Their total probability in the new version.
    pub new_probability: f64,
    /// The most likely of them, by its choices on the shared decisions.
    pub witness: Vec<ChoiceOut>,
}

/// What happened to a group of paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PathGroupKindOut {
    /// In both versions, ending elsewhere now.
    Moved,
    /// Only in the new version.
    New,
    /// Only in the old version.
    Gone,
}

/// A path whose outcome changed.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct PathChangeOut {
    /// Its choices on the shared decisions.
    pub choices: Vec<ChoiceOut>,
    /// The outcomes the old version reaches on it (more than one when the old version has a
    /// decision the new one lacks).
    pub old_outcomes: Vec<String>,
    /// The outcomes the new version reaches on it.
    pub new_outcomes: Vec<String>,
    /// Its probability in the old version.
    pub old_probability: f64,
    /// Its probability in the new version.
    pub new_probability: f64,
}

/// A test whose result changed.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TestChangeOut {
    /// The test's id.
    pub id: String,
    /// The old verdict; `null` for an added test.
    pub old: Option<TestVerdict>,
    /// The new verdict; `null` for a removed test.
    pub new: Option<TestVerdict>,
}

impl DiffOutput {
    /// The output of one `casus diff` over `files`.
    pub fn build(files: &[FileDiff<'_>]) -> Self {
        let statuses: Vec<FileStatus> = files.iter().map(FileDiff::status).collect();
        let count = |s: FileStatus| statuses.iter().filter(|&&t| t == s).count();
        DiffOutput {
            changed: count(FileStatus::Changed),
            added: count(FileStatus::Added),
            removed: count(FileStatus::Removed),
            unchanged: count(FileStatus::Unchanged),
            unreadable: count(FileStatus::Unreadable),
            files: files.iter().map(DiffFileOut::build).collect(),
        }
    }
}

impl DiffFileOut {
    fn build(file: &FileDiff<'_>) -> Self {
        let mut out = DiffFileOut {
            file: file.name.to_owned(),
            title: file.title.map(str::to_owned),
            status: file.status(),
            reason: None,
            changes: None,
            results: None,
            unavailable: None,
        };
        match file.change {
            FileChange::Unreadable(why) => out.reason = Some(why.to_owned()),
            FileChange::Compared(diff) => {
                out.changes = Some(diff.changes.iter().map(ItemChangeOut::build).collect());
                out.results = Some(diff.results.as_ref().map(ResultsOut::build));
                out.unavailable = Some(diff.unavailable.clone());
            }
            FileChange::Added | FileChange::Removed => {}
        }
        out
    }
}

impl ItemChangeOut {
    fn build(item: &ItemChange) -> Self {
        ItemChangeOut {
            kind: match item.kind {
                ItemKind::Scenario => ItemKindOut::Scenario,
                ItemKind::Actor => ItemKindOut::Actor,
                ItemKind::Fact => ItemKindOut::Fact,
                ItemKind::Decision => ItemKindOut::Decision,
                ItemKind::Rule => ItemKindOut::Rule,
                ItemKind::Outcome => ItemKindOut::Outcome,
                ItemKind::Variant => ItemKindOut::Variant,
                ItemKind::Signpost => ItemKindOut::Signpost,
                ItemKind::Test => ItemKindOut::Test,
            },
            id: item.id.clone(),
            change: match item.change {
                ChangeKind::Added => ChangeKindOut::Added,
                ChangeKind::Removed => ChangeKindOut::Removed,
                ChangeKind::Changed => ChangeKindOut::Changed,
            },
            fields: item
                .fields
                .iter()
                .map(|f| FieldChangeOut {
                    field: f.field.clone(),
                    old: f.old.clone(),
                    new: f.new.clone(),
                })
                .collect(),
        }
    }
}

impl ResultsOut {
    fn build(r: &ResultsDiff) -> Self {
        let state = |s: Option<OutcomeState>| {
            s.map(|s| OutcomeStateOut {
                probability: round(s.probability),
                reachable: s.reachable,
            })
        };
        let line = |steps: &[LineStep], outcome: &Option<String>| LineOut {
            path: steps
                .iter()
                .map(|s| LineStepOut {
                    decision: s.decision.clone(),
                    actor: s.actor.clone(),
                    option: s.option.clone(),
                })
                .collect(),
            outcome: outcome.clone(),
        };
        let key = |k: &KeyAssumptionState| KeyAssumptionStateOut {
            forecast: k.forecast.clone(),
            probability: round(k.probability),
            strategic: k.strategic.clone(),
        };
        ResultsOut {
            paths: PathCountsOut {
                old: PathCount(r.paths.0),
                new: PathCount(r.paths.1),
            },
            outcomes: r
                .outcomes
                .iter()
                .map(|o| OutcomeChangeOut {
                    id: o.id.clone(),
                    title: o.title.clone(),
                    old: state(o.old),
                    new: state(o.new),
                    delta: round(o.delta),
                })
                .collect(),
            strategy: r.strategy.as_ref().map(|s| StrategyChangeOut {
                old: line(&s.old, &s.old_outcome),
                new: line(&s.new, &s.new_outcome),
            }),
            key_assumptions: r
                .key_assumptions
                .iter()
                .map(|k| KeyAssumptionChangeOut {
                    decision: k.decision.clone(),
                    old: k.old.as_ref().map(key),
                    new: k.new.as_ref().map(key),
                })
                .collect(),
            paths_changed: PathDiffOut::build(&r.paths_changed),
            tests: r
                .tests
                .iter()
                .map(|t| TestChangeOut {
                    id: t.id.clone(),
                    old: t.old.map(TestVerdict::from),
                    new: t.new.map(TestVerdict::from),
                })
                .collect(),
        }
    }
}

impl PathDiffOut {
    fn build(p: &PathDiff) -> Self {
        let choices = |cs: &[(String, Option<String>)]| {
            cs.iter()
                .map(|(d, o)| ChoiceOut {
                    decision: d.clone(),
                    option: o.clone(),
                })
                .collect()
        };
        match p {
            PathDiff::Skipped { reason } => PathDiffOut::Skipped {
                reason: reason.clone(),
            },
            PathDiff::Compared(p) => PathDiffOut::Compared {
                decisions: p.decisions.clone(),
                matched: p.matched,
                changed: p.changed,
                only_old: p.only_old,
                only_new: p.only_new,
                groups: p
                    .groups
                    .iter()
                    .map(|g| PathGroupOut {
                        kind: match g.kind {
                            PathGroupKind::Moved => PathGroupKindOut::Moved,
                            PathGroupKind::New => PathGroupKindOut::New,
                            PathGroupKind::Gone => PathGroupKindOut::Gone,
                        },
                        paths: g.paths,
                        old_outcomes: g.old_outcomes.clone(),
                        new_outcomes: g.new_outcomes.clone(),
                        old_probability: round(g.old_probability),
                        new_probability: round(g.new_probability),
                        witness: choices(&g.witness),
                    })
                    .collect(),
                examples: p
                    .examples
                    .iter()
                    .map(|e| PathChangeOut {
                        choices: choices(&e.choices),
                        old_outcomes: e.old_outcomes.clone(),
                        new_outcomes: e.new_outcomes.clone(),
                        old_probability: round(e.old_probability),
                        new_probability: round(e.new_probability),
                    })
                    .collect(),
            },
        }
    }
}
