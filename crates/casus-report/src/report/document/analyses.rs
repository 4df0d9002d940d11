//! The analyses: sensitivity, uncertainty, variants, signposts, analysts, value of
//! information and what the forecast hangs on.

use super::super::charts;
use super::super::doc::{
    Block, Inline, Kind, Row, Table, col, item, joined, legend, num, para, section, text,
};
use super::super::model::{ReportModel, SignpostShift, TORNADO_ROWS, TornadoInfo};
use super::{cell, not_computed};
use crate::analysis::differs;
use crate::text::{count, payoff, percent, points};

/// How many assumptions the ranking shows before the rest fold away.
const ASSUMPTION_ROWS: usize = 10;

fn tornado_table(rows: &[TornadoInfo]) -> Block {
    Block::Table(Table {
        class: "tornado",
        columns: vec![
            col("Decision"),
            col("Outcome"),
            num("Low"),
            num("High"),
            num("Swing"),
        ],
        rows: rows
            .iter()
            .map(|row| {
                Row::new(vec![
                    vec![item(Kind::Decision, &row.decision)],
                    vec![item(Kind::Outcome, &row.outcome)],
                    vec![text(percent(row.low))],
                    vec![text(percent(row.high))],
                    vec![text(points(row.swing).trim_start_matches('+').to_owned())],
                ])
            })
            .collect(),
    })
}

/// The tornado: per outcome, each decision's swing around the point estimate.
pub(super) fn sensitivity(model: &ReportModel) -> Block {
    let sens = &model.sensitivity;
    let blocks = if let Some(error) = &sens.error {
        vec![not_computed(error)]
    } else if sens.tornado.is_empty() {
        vec![para("No likelihood band moves any outcome.")]
    } else {
        let mut blocks = vec![legend(
            "Which decision's likelihood bands move which outcome most, each decision swept alone across its bands.",
        )];
        blocks.push(Block::Figure {
            class: "chart tornado",
            svg: charts::tornado(&model.forecast.outcomes, &sens.tornado),
            caption: vec![text(
                "One tornado per outcome, centred on its point estimate (the vertical line): each bar runs from the probability at the decision's low band to the one at its high band, largest swing on top.",
            )],
            markdown: Vec::new(),
        });
        let shown = sens.tornado.len().min(TORNADO_ROWS);
        blocks.push(tornado_table(&sens.tornado[..shown]));
        if sens.tornado.len() > shown {
            blocks.push(Block::Details {
                class: "more",
                summary: vec![text(count(
                    (sens.tornado.len() - shown) as u128,
                    "smaller effect",
                    "smaller effects",
                ))],
                blocks: vec![tornado_table(&sens.tornado[shown..])],
            });
        }
        blocks
    };
    section("sensitivity", 2, "Sensitivity", blocks)
}

/// The text chart of the sampled spread, for Markdown: `·` outside the 5th–95th percentile,
/// `━` inside, `┃` at the median, on a 0–100 % scale.
fn text_bands(model: &ReportModel) -> String {
    const WIDTH: usize = 40;
    let at = |x: f64| ((x * WIDTH as f64).round().clamp(0.0, WIDTH as f64)) as usize;
    let name_width = model
        .sampling
        .outcomes
        .iter()
        .map(|o| o.outcome.chars().count())
        .max()
        .unwrap_or(0);
    let mut out = format!(
        "{}  0 %{}100 %\n",
        " ".repeat(name_width),
        " ".repeat(WIDTH - 7)
    );
    for o in &model.sampling.outcomes {
        let (lo, mid, hi) = (at(o.p5), at(o.p50).min(WIDTH - 1), at(o.p95));
        let bar: String = (0..WIDTH)
            .map(|i| {
                if i == mid {
                    '┃'
                } else if i >= lo && i < hi.max(lo + 1) {
                    '━'
                } else {
                    '·'
                }
            })
            .collect();
        out.push_str(&format!(
            "{}  {bar}\n",
            crate::text::pad(&crate::text::visible(&o.outcome), name_width)
        ));
    }
    out
}

/// The sampled distribution of each outcome.
pub(super) fn uncertainty(model: &ReportModel) -> Block {
    let s = &model.sampling;
    let blocks = match &s.error {
        Some(error) => vec![not_computed(error)],
        None => {
            let rows = s
                .outcomes
                .iter()
                .map(|o| {
                    Row::new(vec![
                        vec![item(Kind::Outcome, &o.outcome)],
                        vec![text(percent(o.probability))],
                        vec![text(percent(o.mean))],
                        vec![text(percent(o.p5))],
                        vec![text(percent(o.p50))],
                        vec![text(percent(o.p95))],
                    ])
                })
                .collect();
            vec![
                legend(format!(
                    "Each outcome's probability when every likelihood is drawn within its band at once ({} samples, seed {}).",
                    s.samples, s.seed
                )),
                Block::Figure {
                    class: "chart spread",
                    svg: charts::spread(s),
                    caption: vec![text(
                        "On a 0–100 % axis: the box spans the 5th to the 95th percentile, the dark line is the median and the dot the point estimate.",
                    )],
                    markdown: vec![Block::Code {
                        lang: "text",
                        text: text_bands(model),
                    }],
                },
                Block::Table(Table {
                    class: "spread",
                    columns: vec![
                        col("Outcome"),
                        num("Point estimate"),
                        num("Mean"),
                        num("5th"),
                        num("Median"),
                        num("95th"),
                    ],
                    rows,
                }),
                para(format!(
                    "The strategic line of play changed in {} of {} samples.",
                    s.line_changes, s.samples
                )),
            ]
        }
    };
    section("uncertainty", 2, "Uncertainty", blocks)
}

/// The base scenario and each variant side by side.
pub(super) fn variants(model: &ReportModel) -> Option<Block> {
    let v = &model.variants;
    if v.error.is_none() && v.columns.is_empty() {
        return None;
    }
    if let Some(error) = &v.error {
        return Some(section(
            "variants",
            2,
            "Variants",
            vec![not_computed(error)],
        ));
    }
    let mut columns = vec![col("Outcome")];
    for c in &v.columns {
        columns.push(super::super::doc::Column {
            head: vec![
                c.id.as_ref()
                    .map_or_else(|| text("base"), |id| Inline::Code(id.clone())),
            ],
            numeric: true,
        });
    }
    let count_rows = v.columns.first().map_or(0, |c| c.outcomes.len());
    let mut rows: Vec<Row> = (0..count_rows)
        .map(|row| {
            let mut cells = vec![vec![item(
                Kind::Outcome,
                &v.columns[0].outcomes[row].outcome,
            )]];
            cells.extend(v.columns.iter().map(|c| match c.outcomes.get(row) {
                Some(o) if o.differs => vec![
                    Inline::Strong(vec![text(percent(o.probability))]),
                    Inline::Muted(vec![text(format!(" ({})", points(o.delta)))]),
                ],
                Some(o) => vec![text(percent(o.probability))],
                None => vec![text("—")],
            }));
            Row::new(cells)
        })
        .collect();
    let mut ends = vec![vec![text("Line of play ends in")]];
    ends.extend(v.columns.iter().map(|c| {
        c.strategic_outcome
            .as_ref()
            .map_or_else(|| vec![text("—")], |o| vec![item(Kind::Outcome, o)])
    }));
    rows.push(Row::new(ends));
    let items = v
        .columns
        .iter()
        .skip(1)
        .filter_map(|c| {
            let id = c.id.as_ref()?;
            let mut line = vec![Inline::Code(id.clone())];
            if let Some(title) = &c.title {
                line.push(text(format!(": {title}")));
            }
            if let Some(doc) = &c.doc {
                line.push(text(" — "));
                line.push(Inline::Quote(doc.clone()));
            }
            if let Some(source) = &c.source {
                line.push(Inline::Muted(vec![text(format!(" (source: {source})"))]));
            }
            if let Some(error) = &c.error {
                line.push(text(format!(" — not evaluated: {error}")));
            }
            Some(super::super::doc::ListItem::new(line))
        })
        .collect();
    Some(section(
        "variants",
        2,
        "Variants",
        vec![
            legend(
                "The base scenario and each variant side by side; bold marks a probability that differs from the base, with the change in points.",
            ),
            Block::Table(Table {
                class: "variants",
                columns,
                rows,
            }),
            Block::List {
                ordered: false,
                items,
            },
        ],
    ))
}

fn shift(s: Option<&SignpostShift>) -> Vec<Inline> {
    s.map_or_else(
        || vec![text("—")],
        |s| {
            vec![
                item(Kind::Signpost, &s.signpost),
                text(format!(" {}", points(s.shift))),
            ]
        },
    )
}

/// The signposts to watch.
pub(super) fn signposts(model: &ReportModel) -> Option<Block> {
    let sp = &model.signposts;
    if sp.error.is_none() && sp.signposts.is_empty() {
        return None;
    }
    if let Some(error) = &sp.error {
        return Some(section(
            "signposts",
            2,
            "Signposts",
            vec![not_computed(error)],
        ));
    }
    let watch = sp
        .watch
        .iter()
        .map(|w| {
            Row::new(vec![
                vec![item(Kind::Outcome, &w.outcome)],
                vec![text(percent(w.probability))],
                shift(w.raised_by.as_ref()),
                shift(w.lowered_by.as_ref()),
            ])
        })
        .collect();
    let list = sp
        .signposts
        .iter()
        .map(|s| {
            let moves = match &s.error {
                Some(error) => error.clone(),
                None => percent(s.distance),
            };
            Row::of(
                Kind::Signpost,
                &s.id,
                vec![
                    vec![Inline::Code(s.id.clone())],
                    cell(s.title.as_ref()),
                    vec![text(s.evidence.clone())],
                    vec![text(moves)],
                    cell(s.source.as_ref()),
                ],
            )
        })
        .collect();
    Some(section(
        "signposts",
        2,
        "Signposts",
        vec![
            legend(
                "What to watch for: how each outcome's probability would move if a signpost were seen (each alone, by Bayes' rule).",
            ),
            Block::Table(Table {
                class: "watch",
                columns: vec![
                    col("Outcome"),
                    num("Now"),
                    col("Raised most by"),
                    col("Lowered most by"),
                ],
                rows: watch,
            }),
            Block::Table(Table {
                class: "signposts",
                columns: vec![
                    col("Signpost"),
                    col("What is seen"),
                    col("What it says"),
                    num("Moves"),
                    col("Source"),
                ],
                rows: list,
            }),
            legend("“Moves” is the share of probability that would move to other outcomes."),
        ],
    ))
}

/// Where the analysts disagree.
pub(super) fn analysts(model: &ReportModel) -> Option<Block> {
    let a = &model.analysts;
    if a.error.is_none() && a.decisions.is_empty() {
        return None;
    }
    let mut blocks = vec![legend(format!("Estimates are pooled by a {}.", a.pooling))];
    if let Some(error) = &a.error {
        blocks.push(not_computed(error));
    }
    for d in &a.decisions {
        let mut columns = vec![col("Analyst")];
        if let Some(first) = d.analysts.first() {
            columns.extend(first.estimate.iter().map(|o| super::super::doc::Column {
                head: vec![Inline::Code(o.option.clone())],
                numeric: true,
            }));
        }
        columns.push(col("As of"));
        columns.push(col("Source"));
        let rows = d
            .analysts
            .iter()
            .map(|analyst| {
                let mut cells = vec![vec![Inline::Code(analyst.analyst.clone())]];
                cells.extend(
                    analyst
                        .estimate
                        .iter()
                        .map(|o| vec![text(percent(o.value))]),
                );
                cells.push(cell(analyst.as_of.as_ref()));
                cells.push(cell(analyst.source.as_ref()));
                Row::new(cells)
            })
            .collect();
        let mut moves: Vec<_> = d.moves.iter().filter(|m| differs(m.value, 0.0)).collect();
        moves.sort_by(|x, y| y.value.total_cmp(&x.value));
        let closing = if moves.is_empty() {
            para("The disagreement moves no outcome.")
        } else {
            let parts = moves
                .iter()
                .map(|m| {
                    vec![
                        item(Kind::Outcome, &m.outcome),
                        text(format!(" {}", points(m.value).trim_start_matches('+'))),
                    ]
                })
                .collect();
            let mut line = vec![text(
                "With each analyst's table alone, the forecasts lie this far apart: ",
            )];
            line.extend(joined(parts, ", "));
            line.push(text("."));
            Block::Para(line)
        };
        blocks.push(Block::Section {
            id: format!("analysts-{}", d.decision),
            level: 3,
            title: vec![
                Inline::Code(d.decision.clone()),
                text(" — the analysts disagree most on "),
                Inline::Code(d.option.clone()),
                text(format!(
                    " ({} apart)",
                    points(d.spread).trim_start_matches('+')
                )),
            ],
            blocks: vec![
                Block::Table(Table {
                    class: "analysts",
                    columns,
                    rows,
                }),
                closing,
            ],
        });
    }
    Some(section("analysts", 2, "Analysts", blocks))
}

/// What learning each chance event first is worth to each actor.
pub(super) fn information(model: &ReportModel) -> Block {
    let i = &model.value_of_information;
    let blocks = if let Some(error) = &i.error {
        vec![not_computed(error)]
    } else if i.events.is_empty() {
        vec![para("The scenario has no chance events.")]
    } else if model.actors.is_empty() {
        vec![para(
            "The scenario has no actors, so knowing a chance event first helps no one.",
        )]
    } else {
        let mut columns = vec![col("Chance event")];
        columns.extend(model.actors.iter().map(|a| super::super::doc::Column {
            head: vec![Inline::Code(a.id.clone())],
            numeric: true,
        }));
        let rows = i
            .events
            .iter()
            .map(|e| {
                let mut cells = vec![vec![item(Kind::Decision, &e.decision)]];
                match &e.evpi {
                    Some(values) => {
                        cells.extend(values.iter().map(|v| vec![text(payoff(v.value))]));
                    }
                    None => {
                        cells.push(vec![text(
                            "not defined: the event depends on earlier decisions",
                        )]);
                        cells.extend(std::iter::repeat_n(
                            Vec::new(),
                            model.actors.len().saturating_sub(1),
                        ));
                    }
                }
                Row::new(cells)
            })
            .collect();
        let mut blocks = vec![legend(
            "What each actor would gain in expected payoff if a chance event were known before anyone chooses (negative: the knowledge helps others more).",
        )];
        // A chart only when there is a value to draw.
        if i.events.iter().any(|e| e.evpi.is_some()) {
            blocks.push(Block::Figure {
                class: "chart information",
                svg: charts::information(i, &model.actors),
                caption: vec![text(
                    "One bar per actor and chance event, from zero: green a gain, red a loss.",
                )],
                markdown: Vec::new(),
            });
        }
        blocks.push(Block::Table(Table {
            class: "information",
            columns,
            rows,
        }));
        blocks
    };
    section("value-of-information", 2, "Value of information", blocks)
}

/// The assumptions the forecast hangs on.
pub(super) fn assumptions(model: &ReportModel) -> Block {
    let r = &model.assumptions;
    let blocks = if let Some(error) = &r.error {
        vec![not_computed(error)]
    } else {
        // A bound is below every distance ranked above it (that is why it was not computed):
        // never a row, only counted in a note.
        let moving: Vec<_> = r
            .ranked
            .iter()
            .filter(|a| a.measure != "bound" && differs(a.distance, 0.0))
            .collect();
        let bounded: Vec<_> = r.ranked.iter().filter(|a| a.measure == "bound").collect();
        if moving.is_empty() {
            vec![para(
                "No likelihood reversed and no rule dropped moves the forecast.",
            )]
        } else {
            let table = |list: &[&super::super::model::AssumptionInfo]| {
                Block::Table(Table {
                    class: "assumptions",
                    columns: vec![col("Assumption"), num("Moves"), col("Most of all")],
                    rows: list
                        .iter()
                        .map(|a| {
                            let what = if a.kind == "rule" {
                                vec![text("rule "), item(Kind::Rule, &a.id), text(", dropped")]
                            } else {
                                vec![
                                    text("the likelihoods of "),
                                    item(Kind::Decision, &a.id),
                                    text(", reversed"),
                                ]
                            };
                            if a.measure == "no_outcome" {
                                return Row::new(vec![
                                    what,
                                    vec![text("–")],
                                    vec![text("some path would reach no outcome")],
                                ]);
                            }
                            Row::new(vec![
                                what,
                                vec![text(percent(a.distance))],
                                vec![
                                    item(Kind::Outcome, &a.outcome),
                                    text(format!(" {}", points(a.delta))),
                                ],
                            ])
                        })
                        .collect(),
                })
            };
            let shown = moving.len().min(ASSUMPTION_ROWS);
            let mut blocks = vec![
                legend(
                    "Each likelihood judgement reversed and each rule dropped, ranked by the share of probability that moves to another outcome.",
                ),
                table(&moving[..shown]),
            ];
            if moving.len() > shown {
                blocks.push(Block::Details {
                    class: "more",
                    summary: vec![text(count(
                        (moving.len() - shown) as u128,
                        "more assumption",
                        "more assumptions",
                    ))],
                    blocks: vec![table(&moving[shown..])],
                });
            }
            if let Some(largest) = bounded.iter().map(|a| a.distance).reduce(f64::max) {
                blocks.push(para(format!(
                    "{} not evaluated: each can move at most {} of the probability (the share of paths on which it fires), less than every row above.",
                    count(bounded.len() as u128, "rule was", "rules were"),
                    percent(largest)
                )));
            }
            blocks
        }
    };
    section("assumptions", 2, "What the forecast hangs on", blocks)
}
