//! The model as written: actors, facts, decisions with their likelihood tables, rules,
//! outcomes with their payoffs, then the tests, warnings and sources. Every item's row is its
//! anchor, which the graph, the paths and the other tables link to.

use super::super::doc::{
    Block, Column, Inline, Kind, ListItem, Row, Table, col, joined, legend, num, para, section,
    text,
};
use super::super::model::{DecisionInfo, OptionInfo, ReportModel};
use super::cell;
use crate::text::{and_list, payoff, percent};

/// The model section: everything the scenario states.
pub(super) fn model(model: &ReportModel) -> Block {
    let mut blocks = vec![legend(
        "The scenario as written: who decides, what is known, what can happen and with which likelihood, the rules with their reasons, and what each outcome is worth to each actor.",
    )];
    if !model.actors.is_empty() {
        blocks.push(section("actors", 3, "Actors", vec![actors(model)]));
    }
    if !model.facts.is_empty() {
        blocks.push(section("facts", 3, "Facts", vec![facts(model)]));
    }
    if !model.decisions.is_empty() {
        blocks.push(section("decisions", 3, "Decisions", decisions(model)));
    }
    if !model.rules.is_empty() {
        blocks.push(section("rules", 3, "Rules", vec![rules(model)]));
    }
    blocks.push(section("outcomes", 3, "Outcomes", outcomes(model)));
    if !model.scenario.sources.is_empty() {
        blocks.push(section(
            "sources",
            3,
            "Sources",
            vec![Block::List {
                ordered: false,
                items: model
                    .scenario
                    .sources
                    .iter()
                    .map(|s| ListItem::new(vec![text(s.clone())]))
                    .collect(),
            }],
        ));
    }
    section("model", 2, "The model", blocks)
}

fn actors(model: &ReportModel) -> Block {
    Block::Table(Table {
        class: "actors",
        columns: vec![col("Actor"), col("Name"), col("Notes")],
        rows: model
            .actors
            .iter()
            .map(|a| {
                Row::of(
                    Kind::Actor,
                    &a.id,
                    vec![
                        vec![Inline::Code(a.id.clone())],
                        vec![text(a.name.clone())],
                        cell(a.doc.as_ref()),
                    ],
                )
            })
            .collect(),
    })
}

fn facts(model: &ReportModel) -> Block {
    Block::Table(Table {
        class: "facts",
        columns: vec![
            col("Fact"),
            col("Kind"),
            col("Value"),
            col("Type"),
            col("Unit"),
            col("Source"),
            col("Notes"),
        ],
        rows: model
            .facts
            .iter()
            .map(|f| {
                let value = if f.kind == "derived" {
                    format!("default {}", f.value)
                } else {
                    f.value.clone()
                };
                Row::of(
                    Kind::Fact,
                    &f.id,
                    vec![
                        vec![Inline::Code(f.id.clone())],
                        vec![text(f.kind)],
                        vec![text(value)],
                        vec![text(f.ty.clone())],
                        cell(f.unit.as_ref()),
                        cell(f.source.as_ref()),
                        cell(f.doc.as_ref()),
                    ],
                )
            })
            .collect(),
    })
}

/// `likely (62.5 %)`: the likelihood in words (or as written) and the normalised number.
fn likelihood(o: &OptionInfo) -> Vec<Inline> {
    match &o.likelihood {
        Some(written) => vec![text(format!("{written} ({})", percent(o.probability)))],
        None => vec![text(percent(o.probability))],
    }
}

fn decisions(model: &ReportModel) -> Vec<Block> {
    let rows = model
        .decisions
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let options = d
                .options
                .iter()
                .map(|o| {
                    let mut part = vec![Inline::Code(o.id.clone()), text(" ")];
                    part.extend(likelihood(o));
                    part
                })
                .collect();
            let mut notes = joined(options, ", ");
            if d.uniform {
                notes.push(text(" — no likelihoods: equally likely"));
            }
            if !d.likelihood_if.is_empty() {
                notes.push(text(format!(
                    " — {} below",
                    crate::text::count(
                        d.likelihood_if.len() as u128,
                        "conditional table",
                        "conditional tables"
                    )
                )));
            }
            let actor = if d.chance {
                vec![text("chance")]
            } else {
                vec![
                    Inline::Ref(Kind::Actor, d.actor.clone()),
                    text(format!(" {}", d.actor_name)),
                ]
            };
            Row::of(
                Kind::Decision,
                &d.id,
                vec![
                    vec![text((i + 1).to_string())],
                    vec![Inline::Code(d.id.clone())],
                    actor,
                    cell(d.ask.as_ref()),
                    notes,
                    d.when
                        .as_ref()
                        .map_or_else(Vec::new, |w| vec![Inline::Code(w.clone())]),
                ],
            )
        })
        .collect();
    let mut blocks = vec![
        legend(
            "Decisions happen in this order; a decision with a condition is skipped when it is false. Likelihoods read as written, with the normalised probability in brackets.",
        ),
        Block::Table(Table {
            class: "decisions",
            columns: vec![
                num("#"),
                col("Decision"),
                col("Actor"),
                col("Question"),
                col("Options and likelihoods"),
                col("Asked when"),
            ],
            rows,
        }),
    ];
    for d in model
        .decisions
        .iter()
        .filter(|d| !d.likelihood_if.is_empty())
    {
        blocks.push(conditional(d));
    }
    blocks
}

/// A decision's likelihood tables: each `likelihood_if` with its condition, then the
/// unconditional table that holds when none of them does.
fn conditional(d: &DecisionInfo) -> Block {
    let mut columns = vec![col("When")];
    columns.extend(d.options.iter().map(|o| Column {
        head: vec![Inline::Code(o.id.clone())],
        numeric: true,
    }));
    let mut rows: Vec<Row> = d
        .likelihood_if
        .iter()
        .map(|c| {
            let mut cells = vec![vec![Inline::Code(c.when.clone())]];
            cells.extend(c.options.iter().map(likelihood));
            Row::new(cells)
        })
        .collect();
    let mut otherwise = vec![vec![text("otherwise")]];
    otherwise.extend(d.options.iter().map(likelihood));
    rows.push(Row::new(otherwise));
    Block::Section {
        id: format!("likelihoods-{}", d.id),
        level: 4,
        title: vec![
            text("Likelihoods of "),
            Inline::Ref(Kind::Decision, d.id.clone()),
        ],
        blocks: vec![
            legend(
                "The first condition that holds gives the likelihoods; otherwise the unconditional table does.",
            ),
            Block::Table(Table {
                class: "likelihoods",
                columns,
                rows,
            }),
        ],
    }
}

fn rules(model: &ReportModel) -> Block {
    Block::Table(Table {
        class: "rules",
        columns: vec![
            col("Rule"),
            col("When"),
            col("Then"),
            col("Because"),
            col("Source"),
        ],
        rows: model
            .rules
            .iter()
            .map(|r| {
                Row::of(
                    Kind::Rule,
                    &r.id,
                    vec![
                        vec![Inline::Code(r.id.clone())],
                        vec![Inline::Code(r.when.clone())],
                        vec![text(and_list(&r.then))],
                        r.because
                            .as_ref()
                            .map_or_else(Vec::new, |b| vec![Inline::Quote(b.clone())]),
                        cell(r.source.as_ref()),
                    ],
                )
            })
            .collect(),
    })
}

fn outcomes(model: &ReportModel) -> Vec<Block> {
    let list = &model.forecast.outcomes;
    let rows = list
        .iter()
        .map(|o| {
            let mut title = vec![text(o.title.clone())];
            if let Some(doc) = &o.doc {
                title.push(Inline::Break);
                title.push(Inline::Muted(vec![text(doc.clone())]));
            }
            Row::of(
                Kind::Outcome,
                &o.id,
                vec![
                    vec![Inline::Code(o.id.clone())],
                    title,
                    o.when.as_ref().map_or_else(
                        || vec![text("when no other outcome's condition holds")],
                        |w| vec![Inline::Code(w.clone())],
                    ),
                    vec![text(percent(o.probability))],
                ],
            )
        })
        .collect();
    let mut blocks = vec![
        legend("Most likely first. An outcome's condition is read at the end of a path."),
        Block::Table(Table {
            class: "outcome-conditions",
            columns: vec![
                col("Outcome"),
                col("Title"),
                col("When"),
                num("Probability"),
            ],
            rows,
        }),
    ];
    if !model.actors.is_empty() {
        let mut columns = vec![col("Outcome")];
        columns.extend(model.actors.iter().map(|a| Column {
            head: vec![Inline::Code(a.id.clone())],
            numeric: true,
        }));
        let rows = list
            .iter()
            .map(|o| {
                let mut cells = vec![vec![Inline::Ref(Kind::Outcome, o.id.clone())]];
                cells.extend(o.payoffs.iter().map(|v| vec![text(payoff(v.value))]));
                Row::new(cells)
            })
            .collect();
        blocks.push(Block::Section {
            id: "payoffs".to_owned(),
            level: 4,
            title: vec![text("Payoffs (outcomes × actors)")],
            blocks: vec![Block::Table(Table {
                class: "payoffs",
                columns,
                rows,
            })],
        });
    }
    blocks
}

/// The scenario's tests.
pub(super) fn tests(model: &ReportModel) -> Block {
    let t = &model.tests;
    let blocks = if t.results.is_empty() {
        vec![para("The scenario has no tests.")]
    } else {
        let rows = t
            .results
            .iter()
            .map(|r| {
                let mut notes: Vec<Vec<Inline>> =
                    r.doc.iter().map(|d| vec![text(d.clone())]).collect();
                notes.extend(r.failures.iter().map(|f| vec![text(f.clone())]));
                let mut cell = Vec::new();
                for (i, note) in notes.into_iter().enumerate() {
                    if i > 0 {
                        cell.push(Inline::Break);
                    }
                    cell.extend(note);
                }
                Row::of(
                    Kind::Test,
                    &r.id,
                    vec![vec![Inline::Code(r.id.clone())], vec![text(r.status)], cell],
                )
            })
            .collect();
        vec![
            para(format!("{} passed, {} failed.", t.passed, t.failed)),
            Block::Table(Table {
                class: "tests",
                columns: vec![col("Test"), col("Result"), col("Notes")],
                rows,
            }),
        ]
    };
    section("tests", 2, "Tests", blocks)
}

/// Warnings and notes from checking the scenario.
pub(super) fn warnings(model: &ReportModel) -> Block {
    let blocks = if model.diagnostics.is_empty() {
        vec![para("None.")]
    } else {
        vec![Block::List {
            ordered: false,
            items: model
                .diagnostics
                .iter()
                .map(|d| {
                    let at = match (d.line, d.column) {
                        (Some(l), Some(c)) => format!(" (line {l}, column {c})"),
                        _ => String::new(),
                    };
                    let help = d
                        .help
                        .as_ref()
                        .map_or_else(String::new, |h| format!(" — help: {h}"));
                    ListItem::new(vec![text(format!(
                        "{}[{}]{at}: {}{help}",
                        d.severity, d.code, d.message
                    ))])
                })
                .collect(),
        }]
    };
    section("warnings", 2, "Warnings", blocks)
}
