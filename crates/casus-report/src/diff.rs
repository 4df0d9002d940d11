//! `casus diff`: the semantic diff of scenario files as text for people, as Markdown ready to
//! post as a pull-request comment, and as JSON.
//!
//! Every renderer reads the same [`FileDiff`] list. Probabilities are shown as percentages
//! with one decimal and changes in percentage points (`+13.1 pts`); JSON carries the numbers
//! rounded to 12 decimals.

use std::fmt::Write as _;

use casus_rules::workflow::diff::{
    ChangeKind, ItemChange, LineStep, OutcomeChange, OutcomeState, PathChange, PathDiff,
    ScenarioDiff, StrategyChange, TestChange,
};
use casus_rules::workflow::testing::TestStatus;
use serde_json::{Value as Json, json};

use crate::text::{clip, pad, percent, round};

/// How many model changes Markdown shows before folding the rest away.
const MD_MAX_ITEMS: usize = 50;

/// One file of a diff.
#[derive(Clone, Copy, Debug)]
pub struct FileDiff<'a> {
    /// The path as the user knows it.
    pub name: &'a str,
    /// The scenario's title (new version, else old), if it could be read.
    pub title: Option<&'a str>,
    /// What happened to it.
    pub change: FileChange<'a>,
}

/// What happened to one file.
#[derive(Clone, Copy, Debug)]
pub enum FileChange<'a> {
    /// Only the new side has it.
    Added,
    /// Only the old side has it.
    Removed,
    /// A version could not be loaded at all (a syntax error, not UTF-8); the sentence says
    /// which.
    Unreadable(&'a str),
    /// Both versions loaded and were compared.
    Compared(&'a ScenarioDiff),
}

impl FileDiff<'_> {
    fn status(&self) -> &'static str {
        match self.change {
            FileChange::Added => "added",
            FileChange::Removed => "removed",
            FileChange::Unreadable(_) => "unreadable",
            FileChange::Compared(d) if d.is_empty() => "unchanged",
            FileChange::Compared(_) => "changed",
        }
    }
}

/// Whether any file changed (the exit status of `--fail-on-change`).
#[must_use]
pub fn any_change(files: &[FileDiff<'_>]) -> bool {
    files.iter().any(|f| f.status() != "unchanged")
}

fn summary(files: &[FileDiff<'_>]) -> String {
    let count = |s: &str| files.iter().filter(|f| f.status() == s).count();
    let mut parts = vec![
        format!("{} changed", count("changed")),
        format!("{} added", count("added")),
        format!("{} removed", count("removed")),
        format!("{} unchanged", count("unchanged")),
    ];
    let unreadable = count("unreadable");
    if unreadable > 0 {
        parts.push(format!("{unreadable} unreadable"));
    }
    format!(
        "{} {}: {}",
        files.len(),
        if files.len() == 1 {
            "scenario"
        } else {
            "scenarios"
        },
        parts.join(", ")
    )
}

/// `+13.1 pts`: a change of probability in percentage points, never `-0.0`.
fn points(delta: f64) -> String {
    let tenths = (delta * 1000.0).round() / 10.0 + 0.0;
    format!("{tenths:+.1} pts")
}

/// `30.0 %`, with the sensitivity range when the likelihoods' bands give one:
/// `30.0 % (22.5–41.0 %)`.
fn state_text(state: Option<OutcomeState>) -> String {
    match state {
        None => "absent".to_owned(),
        Some(s) if !s.reachable => "unreachable".to_owned(),
        Some(s) => match s.range {
            Some((lo, hi)) if hi - lo > 5e-4 => format!(
                "{} ({:.1}–{:.1} %)",
                percent(s.probability),
                lo * 100.0,
                hi * 100.0
            ),
            _ => percent(s.probability),
        },
    }
}

fn status_text(status: Option<TestStatus>) -> &'static str {
    status.map_or("absent", TestStatus::as_str)
}

fn line_text(steps: &[LineStep], outcome: Option<&String>) -> String {
    let mut parts: Vec<String> = steps
        .iter()
        .map(|s| format!("{}={} ({})", s.decision, s.option, s.actor))
        .collect();
    if parts.is_empty() {
        parts.push("(no decisions)".to_owned());
    }
    format!(
        "{} → {}",
        parts.join(", "),
        outcome.map_or("no outcome", String::as_str)
    )
}

fn choices_text(path: &PathChange) -> String {
    if path.choices.is_empty() {
        return "(no shared decisions)".to_owned();
    }
    path.choices
        .iter()
        .map(|(d, o)| match o {
            Some(o) => format!("{d}={o}"),
            None => format!("{d} skipped"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn change_word(c: ChangeKind) -> &'static str {
    match c {
        ChangeKind::Added => "added",
        ChangeKind::Removed => "removed",
        ChangeKind::Changed => "changed",
    }
}

// ---------------------------------------------------------------------------------------------
// Human

/// The diff as an analyst reads it in a terminal.
#[must_use]
pub fn render_human(files: &[FileDiff<'_>]) -> String {
    let mut out = String::new();
    for file in files {
        let title = file
            .title
            .map(|t| format!(" — {}", clip(t, 80)))
            .unwrap_or_default();
        let _ = writeln!(out, "{}{title}", clip(file.name, 200));
        match file.change {
            FileChange::Added => {
                let _ = writeln!(out, "  added scenario");
            }
            FileChange::Removed => {
                let _ = writeln!(out, "  removed scenario");
            }
            FileChange::Unreadable(why) => {
                let _ = writeln!(out, "  not compared: {}", clip(why, 300));
            }
            FileChange::Compared(diff) if diff.is_empty() => {
                let _ = writeln!(out, "  no semantic change");
            }
            FileChange::Compared(diff) => human_diff(&mut out, diff),
        }
        out.push('\n');
    }
    out.push_str(&summary(files));
    out.push('\n');
    out
}

fn human_diff(out: &mut String, diff: &ScenarioDiff) {
    if !diff.changes.is_empty() {
        let _ = writeln!(out, "  model");
        for item in &diff.changes {
            let _ = writeln!(
                out,
                "    {} {} `{}`",
                change_word(item.change),
                item.kind.as_str(),
                item.id
            );
            for f in &item.fields {
                let _ = writeln!(
                    out,
                    "      {}: {} → {}",
                    f.field,
                    f.old
                        .as_deref()
                        .map_or("(none)".to_owned(), |v| clip(v, 80)),
                    f.new
                        .as_deref()
                        .map_or("(none)".to_owned(), |v| clip(v, 80)),
                );
            }
        }
    }
    if let Some(why) = &diff.unavailable {
        let _ = writeln!(out, "  results not compared: {why}");
    }
    let Some(results) = &diff.results else {
        return;
    };
    if results.paths.0 != results.paths.1 {
        let _ = writeln!(out, "  paths: {} → {}", results.paths.0, results.paths.1);
    }
    if !results.outcomes.is_empty() {
        let _ = writeln!(out, "  forecast (old → new, change)");
        let width = results
            .outcomes
            .iter()
            .map(|o| o.id.chars().count())
            .max()
            .unwrap_or(0);
        let rows: Vec<(String, String)> = results
            .outcomes
            .iter()
            .map(|o| (state_text(o.old), state_text(o.new)))
            .collect();
        let old_width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
        let new_width = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
        for (o, (old, new)) in results.outcomes.iter().zip(&rows) {
            let old_pad = " ".repeat(old_width.saturating_sub(old.chars().count()));
            let _ = writeln!(
                out,
                "    {}  {old_pad}{old} → {}  {:>9}{}",
                pad(&o.id, width),
                pad(new, new_width),
                points(o.delta),
                reachability_note(o)
            );
        }
    }
    if let Some(s) = &results.strategy {
        let _ = writeln!(out, "  line of play changed");
        let _ = writeln!(
            out,
            "    old: {}",
            line_text(&s.old, s.old_outcome.as_ref())
        );
        let _ = writeln!(
            out,
            "    new: {}",
            line_text(&s.new, s.new_outcome.as_ref())
        );
    }
    match &results.paths_changed {
        PathDiff::Compared(p) => {
            if p.changed > 0 || p.only_old > 0 || p.only_new > 0 {
                let _ = writeln!(
                    out,
                    "  paths: {} of {} matched {} changed outcome{}",
                    p.changed,
                    p.matched,
                    if p.matched == 1 { "path" } else { "paths" },
                    only_text(p.only_old, p.only_new)
                );
                for e in &p.examples {
                    let _ = writeln!(
                        out,
                        "    {} → {}  {}: {} → {}",
                        percent(e.old_probability),
                        percent(e.new_probability),
                        choices_text(e),
                        e.old_outcomes.join(" or "),
                        e.new_outcomes.join(" or ")
                    );
                }
            }
        }
        PathDiff::Skipped { reason } => {
            let _ = writeln!(out, "  paths not compared: {reason}");
        }
    }
    if !results.tests.is_empty() {
        let _ = writeln!(out, "  tests");
        for t in &results.tests {
            let _ = writeln!(
                out,
                "    {}: {} → {}",
                t.id,
                status_text(t.old),
                status_text(t.new)
            );
        }
    }
}

fn reachability_note(o: &OutcomeChange) -> &'static str {
    match (o.old, o.new) {
        (Some(a), Some(b)) if a.reachable && !b.reachable => "  (now unreachable)",
        (Some(a), Some(b)) if !a.reachable && b.reachable => "  (now reachable)",
        (None, Some(_)) => "  (new outcome)",
        (Some(_), None) => "  (removed outcome)",
        _ => "",
    }
}

fn only_text(only_old: u64, only_new: u64) -> String {
    let mut parts = Vec::new();
    if only_old > 0 {
        parts.push(format!("{only_old} only in the old version"));
    }
    if only_new > 0 {
        parts.push(format!("{only_new} only in the new version"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("; {}", parts.join(", "))
    }
}

// ---------------------------------------------------------------------------------------------
// Markdown

/// The diff as GitHub-flavoured Markdown, ready to post as a pull-request comment. All scenario
/// text is escaped, so a title or a `because` cannot inject markup or links.
#[must_use]
pub fn render_markdown(files: &[FileDiff<'_>]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### casus diff\n");
    let _ = writeln!(out, "{}\n", summary(files));
    for file in files {
        let title = file
            .title
            .map(|t| format!(" — {}", md_text(&clip(t, 120))))
            .unwrap_or_default();
        let _ = writeln!(out, "#### {}{title}\n", code(file.name));
        match file.change {
            FileChange::Added => {
                let _ = writeln!(out, "Added scenario.\n");
            }
            FileChange::Removed => {
                let _ = writeln!(out, "Removed scenario.\n");
            }
            FileChange::Unreadable(why) => {
                let _ = writeln!(out, "Not compared: {}\n", md_text(&clip(why, 300)));
            }
            FileChange::Compared(diff) if diff.is_empty() => {
                let _ = writeln!(out, "No semantic change.\n");
            }
            FileChange::Compared(diff) => md_diff(&mut out, diff),
        }
    }
    out
}

fn md_diff(out: &mut String, diff: &ScenarioDiff) {
    if let Some(why) = &diff.unavailable {
        let _ = writeln!(out, "> Results not compared: {}\n", md_text(why));
    }
    if let Some(results) = &diff.results {
        if !results.outcomes.is_empty() {
            let _ = writeln!(out, "| outcome | old | new | change |");
            let _ = writeln!(out, "|---|---:|---:|---:|");
            for o in &results.outcomes {
                let note = reachability_note(o).trim();
                let _ = writeln!(
                    out,
                    "| {} — {} | {} | {} | {} |",
                    cell(&code(&o.id)),
                    cell(&md_text(&clip(&o.title, 80))),
                    state_text(o.old),
                    state_text(o.new),
                    if note.is_empty() {
                        points(o.delta)
                    } else {
                        format!("{} {}", points(o.delta), note)
                    }
                );
            }
            out.push('\n');
        }
        if results.paths.0 != results.paths.1 {
            let _ = writeln!(out, "Paths: {} → {}.\n", results.paths.0, results.paths.1);
        }
        if let Some(s) = &results.strategy {
            md_strategy(out, s);
        }
        match &results.paths_changed {
            PathDiff::Compared(p) if p.changed > 0 || p.only_old > 0 || p.only_new > 0 => {
                let _ = writeln!(
                    out,
                    "**Paths:** {} of {} matched {} changed outcome{}.\n",
                    p.changed,
                    p.matched,
                    if p.matched == 1 { "path" } else { "paths" },
                    only_text(p.only_old, p.only_new)
                );
                if !p.examples.is_empty() {
                    let _ = writeln!(out, "| path | old | new |");
                    let _ = writeln!(out, "|---|---|---|");
                    for e in &p.examples {
                        let _ = writeln!(
                            out,
                            "| {} | {} {} | {} {} |",
                            cell(&code(&choices_text(e))),
                            cell(&code(&e.old_outcomes.join(" or "))),
                            percent(e.old_probability),
                            cell(&code(&e.new_outcomes.join(" or "))),
                            percent(e.new_probability),
                        );
                    }
                    out.push('\n');
                }
            }
            PathDiff::Compared(_) => {}
            PathDiff::Skipped { reason } => {
                let _ = writeln!(out, "Paths not compared: {}\n", md_text(reason));
            }
        }
        if !results.tests.is_empty() {
            let _ = writeln!(out, "**Tests whose result changed:**\n");
            for t in &results.tests {
                let _ = writeln!(out, "{}", md_test(t));
            }
            out.push('\n');
        }
    }
    if !diff.changes.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Model changes ({})</summary>\n",
            diff.changes.len()
        );
        for item in diff.changes.iter().take(MD_MAX_ITEMS) {
            md_item(out, item);
        }
        if diff.changes.len() > MD_MAX_ITEMS {
            let _ = writeln!(out, "- … and {} more", diff.changes.len() - MD_MAX_ITEMS);
        }
        let _ = writeln!(out, "\n</details>\n");
    }
}

fn md_strategy(out: &mut String, s: &StrategyChange) {
    let _ = writeln!(out, "**Line of play changed:**\n");
    let _ = writeln!(
        out,
        "- old: {}",
        code(&line_text(&s.old, s.old_outcome.as_ref()))
    );
    let _ = writeln!(
        out,
        "- new: {}\n",
        code(&line_text(&s.new, s.new_outcome.as_ref()))
    );
}

fn md_test(t: &TestChange) -> String {
    format!(
        "- {}: {} → **{}**",
        code(&t.id),
        status_text(t.old),
        status_text(t.new)
    )
}

fn md_item(out: &mut String, item: &ItemChange) {
    let _ = writeln!(
        out,
        "- {} {} {}",
        change_word(item.change),
        item.kind.as_str(),
        code(&item.id)
    );
    for f in &item.fields {
        let side = |v: &Option<String>| {
            v.as_deref()
                .map_or("(none)".to_owned(), |v| code(&clip(v, 120)))
        };
        let _ = writeln!(
            out,
            "  - {}: {} → {}",
            code(&f.field),
            side(&f.old),
            side(&f.new)
        );
    }
}

/// A Markdown code span that holds any text: the fence is longer than any run of backticks
/// inside, and line breaks become spaces.
fn code(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in one_line.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if one_line.starts_with('`') || one_line.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{one_line}{pad}{fence}")
}

/// Plain text safe in Markdown: punctuation with a meaning is backslash-escaped, `<` and `>`
/// become entities (no HTML, no autolinks), line breaks become spaces.
fn md_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '-' | '.'
            | '!' | '|' | '~' | ':' | '@' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text inside a table cell: a `|` would end the cell even inside a code span.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

// ---------------------------------------------------------------------------------------------
// JSON

/// The diff as one JSON document.
#[must_use]
pub fn to_json(files: &[FileDiff<'_>]) -> Json {
    let count = |s: &str| files.iter().filter(|f| f.status() == s).count();
    let entries: Vec<Json> = files
        .iter()
        .map(|file| {
            let mut entry = json!({
                "file": file.name,
                "title": file.title,
                "status": file.status(),
            });
            if let Json::Object(map) = &mut entry {
                match file.change {
                    FileChange::Unreadable(why) => {
                        map.insert("reason".into(), json!(why));
                    }
                    FileChange::Compared(diff) => {
                        map.insert(
                            "changes".into(),
                            serde_json::to_value(&diff.changes).unwrap_or(Json::Null),
                        );
                        map.insert(
                            "results".into(),
                            diff.results.as_ref().map_or(Json::Null, |r| {
                                json!({
                                    "paths": {
                                        "old": crate::eval::paths_json(r.paths.0),
                                        "new": crate::eval::paths_json(r.paths.1),
                                    },
                                    "outcomes": r.outcomes.iter().map(outcome_json).collect::<Vec<_>>(),
                                    "strategy": r.strategy.as_ref().map(strategy_json),
                                    "paths_changed": paths_json(&r.paths_changed),
                                    "tests": serde_json::to_value(&r.tests).unwrap_or(Json::Null),
                                })
                            }),
                        );
                        map.insert("unavailable".into(), json!(diff.unavailable));
                    }
                    FileChange::Added | FileChange::Removed => {}
                }
            }
            entry
        })
        .collect();
    json!({
        "changed": count("changed"),
        "added": count("added"),
        "removed": count("removed"),
        "unchanged": count("unchanged"),
        "unreadable": count("unreadable"),
        "files": entries,
    })
}

fn state_json(state: Option<OutcomeState>) -> Json {
    state.map_or(
        Json::Null,
        |s| json!({ "probability": round(s.probability), "reachable": s.reachable }),
    )
}

fn outcome_json(o: &OutcomeChange) -> Json {
    json!({
        "id": o.id,
        "title": o.title,
        "old": state_json(o.old),
        "new": state_json(o.new),
        "delta": round(o.delta),
    })
}

fn strategy_json(s: &StrategyChange) -> Json {
    json!({
        "old": { "path": s.old, "outcome": s.old_outcome },
        "new": { "path": s.new, "outcome": s.new_outcome },
    })
}

fn paths_json(p: &PathDiff) -> Json {
    match p {
        PathDiff::Skipped { reason } => json!({ "status": "skipped", "reason": reason }),
        PathDiff::Compared(p) => json!({
            "status": "compared",
            "decisions": p.decisions,
            "matched": p.matched,
            "changed": p.changed,
            "only_old": p.only_old,
            "only_new": p.only_new,
            "examples": p.examples.iter().map(|e| json!({
                "choices": e.choices.iter().map(|(d, o)| json!({ "decision": d, "option": o })).collect::<Vec<_>>(),
                "old_outcomes": e.old_outcomes,
                "new_outcomes": e.new_outcomes,
                "old_probability": round(e.old_probability),
                "new_probability": round(e.new_probability),
            })).collect::<Vec<_>>(),
        }),
    }
}
