//! The results: forecast, decision graph, strategy and paths.

use super::super::doc::{
    Block, Inline, Kind, ListItem, Row, Table, Tone, col, item, joined, legend, num, para, section,
    text, warn,
};
use super::super::model::{OptionValue, ReportModel};
use super::super::{charts, fit, mermaid, svg};
use crate::text::{count, payoff, percent, percent_range};

/// Mermaid's default `maxTextSize` (GitHub keeps it): a larger diagram shows only an error.
const MERMAID_MAX_TEXT: usize = 50_000;

/// The forecast: a chart of every outcome with its range, and the table.
pub(super) fn forecast(model: &ReportModel) -> Block {
    let f = &model.forecast;
    let mut blocks = vec![legend(format!(
        "{}. Probabilities under the point estimates; the range spans the likelihood bands.",
        count(f.paths, "path", "paths")
    ))];
    blocks.push(Block::Figure {
        class: "chart forecast",
        svg: charts::forecast(&f.outcomes),
        caption: vec![text(
            "Each outcome's probability (bar) with its range over the likelihood bands (whisker), on a 0–100 % axis.",
        )],
        markdown: Vec::new(),
    });
    let rows = f
        .outcomes
        .iter()
        .map(|o| {
            Row::new(vec![
                vec![item(Kind::Outcome, &o.id)],
                vec![text(o.title.clone())],
                vec![text(percent(o.probability))],
                vec![text(range(o.range))],
                vec![text(o.words)],
            ])
        })
        .collect();
    blocks.push(Block::Table(Table {
        class: "outcomes",
        columns: vec![
            col("Outcome"),
            col("Title"),
            num("Probability"),
            num("Range"),
            col("In words"),
        ],
        rows,
    }));
    for d in &f.uniform_decisions {
        blocks.push(Block::Note(
            Tone::Warn,
            vec![
                item(Kind::Decision, d),
                text(" has no likelihoods, so its options count as equally likely."),
            ],
        ));
    }
    section("forecast", 2, "Forecast", blocks)
}

/// A range of probabilities, or a dash when the bands do not move it.
fn range(r: [f64; 2]) -> String {
    if r[0] == r[1] {
        "—".to_owned()
    } else {
        percent_range(r[0], r[1])
    }
}

/// The decision graph: the part that fits the page, and all of it on request.
pub(super) fn graph(model: &ReportModel) -> Block {
    let g = &model.decision_graph;
    let mut blocks = vec![legend(
        "Decisions follow each other in the order they happen. Blue boxes are an actor's decision, dashed brown boxes chance events, green boxes outcomes; situations with the same future are merged, so each outcome appears once. Arrows carry the option, its likelihood there, and the rules that start (+) or stop (−) firing.",
    )];
    if g.truncated {
        blocks.push(warn(format!(
            "The graph has more than {} situations; only the first {} are drawn.",
            g.max_nodes, g.max_nodes
        )));
    }
    if !g.initial.is_empty() {
        let rules = g
            .initial
            .iter()
            .map(|r| vec![item(Kind::Rule, r)])
            .collect();
        let mut line = vec![text("Rules firing before any decision: ")];
        line.extend(joined(rules, ", "));
        line.push(text("."));
        blocks.push(Block::Para(line));
    }
    let line = fit::line(g, &model.strategy);
    let fitted = fit::fit(g, &line);
    let diagram = mermaid::decisions(g);
    let markdown = if diagram.len() > MERMAID_MAX_TEXT {
        vec![para(format!(
            "The diagram is too large for Mermaid as GitHub renders it ({} characters); see the HTML or DOT report.",
            diagram.len()
        ))]
    } else {
        vec![Block::Code {
            lang: "mermaid",
            text: diagram,
        }]
    };
    let how = "Top to bottom; thicker arrows carry more probability, the strategy's line of play is drawn in orange, and each box links to its row in the model's tables.";
    let caption = if fitted.folded == 0 {
        vec![text(format!(
            "{how} Every situation of the scenario is drawn."
        ))]
    } else {
        let drawn = match fitted.paths {
            0 => "The line of play is drawn".to_owned(),
            1 => "The line of play and the most likely path are drawn".to_owned(),
            k => format!("The line of play and the {k} most likely paths are drawn"),
        };
        let folded = if fitted.folded == 1 {
            "1 more branch is folded into the grey stub".to_owned()
        } else {
            format!(
                "{} more branches are folded into the grey stubs",
                fitted.folded
            )
        };
        vec![text(format!(
            "{how} {drawn}; {folded}. The paths not drawn whole carry {} of the probability.",
            percent(fitted.folded_probability)
        ))]
    };
    let fitted_line = fit::line(&fitted.graph, &model.strategy);
    blocks.push(Block::Figure {
        class: "graph",
        svg: format!(
            "<div class=\"graph-scroll\">\n{}\n</div>",
            svg::render(&fitted.graph, &fitted_line, svg::Direction::TopDown)
        ),
        caption,
        markdown,
    });
    if fitted.folded > 0 {
        blocks.push(Block::Details {
            class: "all-branches",
            summary: vec![text(format!(
                "Show all {}",
                count(g.nodes.len() as u128, "situation", "situations")
            ))],
            blocks: vec![Block::Figure {
                class: "graph",
                svg: format!(
                    "<div class=\"graph-scroll\">\n{}\n</div>",
                    svg::render(g, &line, svg::Direction::LeftRight)
                ),
                caption: vec![text(
                    "Every situation, left to right; the DOT and Mermaid reports (`--format dot`, `--format mermaid`) hold the same graph.",
                )],
                markdown: Vec::new(),
            }],
        });
    }
    section("graph", 2, "Decision graph", blocks)
}

fn option_values(values: &[OptionValue], as_percent: bool) -> Vec<Inline> {
    let parts = values
        .iter()
        .map(|v| {
            let value = if as_percent {
                percent(v.value)
            } else {
                payoff(v.value)
            };
            vec![Inline::Code(v.option.clone()), text(format!(" {value}"))]
        })
        .collect();
    joined(parts, ", ")
}

/// The strategic line of play.
pub(super) fn strategy(model: &ReportModel) -> Block {
    let st = &model.strategy;
    let mut blocks = vec![legend(
        "Each actor picks the option with the highest expected payoff for itself, given optimal play afterwards; chance events follow their likelihoods.",
    )];
    if !st.line.is_empty() {
        let rows = st
            .line
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut choice = vec![Inline::Code(p.choice.clone())];
                if p.chance {
                    choice.push(text(" (most likely)"));
                } else if p.optimal.len() > 1 {
                    choice.push(text(" (tie: "));
                    choice.extend(joined(
                        p.optimal
                            .iter()
                            .map(|o| vec![Inline::Code(o.clone())])
                            .collect(),
                        ", ",
                    ));
                    choice.push(text(")"));
                }
                let actor = if p.chance {
                    vec![text("chance")]
                } else {
                    vec![item(Kind::Actor, &p.actor)]
                };
                Row::new(vec![
                    vec![text((i + 1).to_string())],
                    vec![item(Kind::Decision, &p.decision)],
                    actor,
                    choice,
                    option_values(&p.values, p.chance),
                ])
            })
            .collect();
        blocks.push(Block::Table(Table {
            class: "strategy",
            columns: vec![
                num("#"),
                col("Decision"),
                col("Actor"),
                col("Choice"),
                col("Expected payoffs or probabilities"),
            ],
            rows,
        }));
    }
    if let Some(o) = &st.outcome {
        blocks.push(Block::Para(vec![
            text("The line of play ends in "),
            item(Kind::Outcome, o),
            text("."),
        ]));
    }
    if !st.payoffs.is_empty() {
        let parts = st
            .payoffs
            .iter()
            .map(|v| {
                vec![
                    item(Kind::Actor, &v.actor),
                    text(format!(" {}", payoff(v.value))),
                ]
            })
            .collect();
        let mut line = vec![text("Expected payoffs: ")];
        line.extend(joined(parts, ", "));
        line.push(text("."));
        blocks.push(Block::Para(line));
    }
    if let (Some(forecast), Some(strategic)) = (&st.forecast_disagrees, &st.outcome) {
        blocks.push(Block::Note(
            Tone::Disagree,
            vec![
                Inline::Strong(vec![text("Forecast and strategy disagree:")]),
                text(" the most likely outcome is "),
                item(Kind::Outcome, forecast),
                text(", but rational play leads to "),
                item(Kind::Outcome, strategic),
                text("."),
            ],
        ));
    }
    if !st.key_assumptions.is_empty() {
        let items = st
            .key_assumptions
            .iter()
            .map(|k| {
                let mut line = vec![
                    item(Kind::Decision, &k.decision),
                    text(": judged most likely "),
                    Inline::Code(k.forecast.clone()),
                    text(format!(" ({}), yet ", percent(k.forecast_probability))),
                    item(Kind::Actor, &k.actor),
                    text("'s payoffs favour "),
                ];
                line.extend(joined(
                    k.strategic
                        .iter()
                        .map(|o| vec![Inline::Code(o.clone())])
                        .collect(),
                    ", ",
                ));
                line.push(text(" ("));
                line.extend(option_values(&k.values, false));
                line.push(text(")."));
                ListItem::new(line)
            })
            .collect();
        blocks.push(section(
            "key-assumptions",
            3,
            "Key assumptions",
            vec![
                legend("Where the likelihoods say one thing and the actor's payoffs another."),
                Block::List {
                    ordered: false,
                    items,
                },
            ],
        ));
    }
    section("strategy", 2, "Strategy", blocks)
}

/// The most likely paths to each outcome, each outcome in a `<details>`.
pub(super) fn paths(model: &ReportModel) -> Block {
    let mut blocks = vec![legend(
        "The most likely paths to each outcome, with the rules that fire on them and why. Open an outcome to see them.",
    )];
    if !model.paths.complete {
        blocks.push(warn(format!(
            "The scenario has more than {}: the lists below come from the first {} in file order and may miss more likely ones.",
            count(model.paths.walked, "path", "paths"),
            model.paths.walked
        )));
    }
    for paths in &model.paths.outcomes {
        let outcome = model
            .forecast
            .outcomes
            .iter()
            .find(|o| o.id == paths.outcome);
        let (title, p) = outcome.map_or((String::new(), 0.0), |o| (o.title.clone(), o.probability));
        let summary = vec![
            Inline::Code(paths.outcome.clone()),
            text(format!(" {title} ")),
            Inline::Muted(vec![text(format!(
                "{} · {}",
                percent(p),
                count(paths.count, "path", "paths")
            ))]),
        ];
        let content = if paths.top.is_empty() {
            vec![para("No path reaches this outcome.")]
        } else {
            let items = paths
                .top
                .iter()
                .map(|path| {
                    let steps: Vec<Vec<Inline>> = path
                        .steps
                        .iter()
                        .map(|s| {
                            vec![
                                item(Kind::Decision, &s.decision),
                                text(" = "),
                                Inline::Code(s.option.clone()),
                                Inline::Muted(vec![text(format!(" ({})", percent(s.probability)))]),
                            ]
                        })
                        .collect();
                    let mut line = vec![
                        Inline::Strong(vec![text(percent(path.probability))]),
                        Inline::Muted(vec![text(format!(
                            " ({} of this outcome)",
                            percent(path.share)
                        ))]),
                        text(": "),
                    ];
                    if steps.is_empty() {
                        line.push(text("no decision taken"));
                    } else {
                        line.extend(joined(steps, " → "));
                    }
                    let children = path
                        .fired
                        .iter()
                        .map(|rule| {
                            let mut line = vec![item(Kind::Rule, &rule.id)];
                            if let Some(b) = &rule.because {
                                line.push(text(": "));
                                line.push(Inline::Quote(b.clone()));
                            }
                            if let Some(s) = &rule.source {
                                line.push(Inline::Muted(vec![text(format!(" (source: {s})"))]));
                            }
                            ListItem::new(line)
                        })
                        .collect();
                    ListItem {
                        content: line,
                        children,
                    }
                })
                .collect();
            vec![Block::List {
                ordered: true,
                items,
            }]
        };
        blocks.push(Block::Details {
            class: "paths",
            summary,
            blocks: content,
        });
    }
    section("paths", 2, "Paths", blocks)
}
