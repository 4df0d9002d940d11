//! `casus diff`: the semantic diff of scenario files as text for people, as Markdown ready to
//! post as a pull-request comment; the JSON is [`crate::output::diff::DiffOutput`].
//!
//! Every renderer reads the same [`FileDiff`] list. Probabilities are shown as percentages
//! with one decimal and changes in percentage points (`+13.1 pts`); JSON carries the numbers
//! rounded to 12 decimals.
//!
//! Text and Markdown list only the files that changed (the summary line counts the rest) and
//! lead with what a reviewer decides on: the outcomes that moved, the line of play, the key
//! assumptions and the tests that flipped; then the model changes that caused it; then the
//! paths, grouped as "N paths now end in X instead of Y", each group with one concrete path.

use std::fmt::Write as _;

use casus_rules::workflow::diff::{
    ChangeKind, ItemChange, KeyAssumptionChange, KeyAssumptionState, LineStep, OutcomeChange,
    OutcomeState, PathDiff, PathGroup, PathGroupKind, ResultsDiff, ScenarioDiff, StrategyChange,
    TestChange,
};
use casus_rules::workflow::testing::TestStatus;

use crate::output::diff::FileStatus;
use crate::text::{clip, pad, percent};

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
    /// What happened to the file, in a word.
    pub(crate) fn status(&self) -> FileStatus {
        match self.change {
            FileChange::Added => FileStatus::Added,
            FileChange::Removed => FileStatus::Removed,
            FileChange::Unreadable(_) => FileStatus::Unreadable,
            FileChange::Compared(d) if d.is_empty() => FileStatus::Unchanged,
            FileChange::Compared(_) => FileStatus::Changed,
        }
    }
}

/// Whether any file changed (the exit status of `--fail-on-change`).
#[must_use]
pub fn any_change(files: &[FileDiff<'_>]) -> bool {
    files.iter().any(|f| f.status() != FileStatus::Unchanged)
}

/// What makes `casus diff` fail (`--fail-on`): the changes a reviewer gates a merge on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FailOn {
    /// An outcome's probability moved by more than this many percentage points (an added or
    /// removed outcome moves from or to 0).
    OutcomeMove(f64),
    /// The strategic line of play changed.
    LineOfPlay,
    /// A test that exists in both versions changed its result.
    TestFlip,
    /// A key assumption appeared, disappeared or changed.
    KeyAssumption,
    /// Anything changed (what `--fail-on-change` means).
    Any,
}

impl FailOn {
    /// The spellings `--fail-on` accepts, for help and suggestions.
    pub const NAMES: [&'static str; 5] = [
        "outcome-move=PTS",
        "line-of-play",
        "test-flip",
        "key-assumption",
        "any",
    ];

    /// Reads one rule: `outcome-move=5pts` (or `=5`), `line-of-play`, `test-flip`,
    /// `key-assumption`, `any`. The error is a sentence for the user.
    pub fn parse(text: &str) -> Result<FailOn, String> {
        let text = text.trim();
        if let Some(amount) = text.strip_prefix("outcome-move=") {
            let number = amount
                .trim()
                .trim_end_matches("pts")
                .trim_end_matches("pt")
                .trim();
            return match number.parse::<f64>() {
                Ok(p) if p.is_finite() && (0.0..=100.0).contains(&p) => Ok(FailOn::OutcomeMove(p)),
                _ => Err(format!(
                    "`{amount}` is not a number of percentage points between 0 and 100, such as `outcome-move=5pts`"
                )),
            };
        }
        match text {
            "line-of-play" => Ok(FailOn::LineOfPlay),
            "test-flip" => Ok(FailOn::TestFlip),
            "key-assumption" => Ok(FailOn::KeyAssumption),
            "any" => Ok(FailOn::Any),
            _ => {
                let names = [
                    "outcome-move",
                    "line-of-play",
                    "test-flip",
                    "key-assumption",
                    "any",
                ];
                let hint = casus_core::diagnostic::did_you_mean(
                    text.split('=').next().unwrap_or(text),
                    names,
                )
                .map_or_else(String::new, |h| format!("; {h}"));
                Err(format!(
                    "`{}` is not a `--fail-on` rule (give {}){hint}",
                    clip(text, 60),
                    Self::NAMES
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        }
    }
}

/// Each change past a `--fail-on` rule, as a sentence naming the file, what moved and the
/// rule; empty when the diff passes.
#[must_use]
pub fn breaches(files: &[FileDiff<'_>], rules: &[FailOn]) -> Vec<String> {
    let mut out = Vec::new();
    for file in files {
        let name = clip(file.name, 200);
        let mut unjudged = false;
        for rule in rules {
            match (rule, file.change) {
                (FailOn::Any, _) if file.status() != FileStatus::Unchanged => {
                    out.push(format!("`{name}` changed (`--fail-on any`)"));
                }
                (_, FileChange::Compared(diff)) => {
                    let Some(results) = &diff.results else {
                        // A gate on results must not pass because the results could not be
                        // compared (a version with errors, or past `--timeout`).
                        if !matches!(rule, FailOn::Any) && !std::mem::replace(&mut unjudged, true) {
                            let why = diff
                                .unavailable
                                .as_deref()
                                .unwrap_or("the results could not be compared");
                            out.push(format!(
                                "`{name}`: results not compared, so `--fail-on` cannot judge them: {why}"
                            ));
                        }
                        continue;
                    };
                    match rule {
                        FailOn::OutcomeMove(limit) => {
                            for o in &results.outcomes {
                                // A hair above the limit counts; sums of products are not exact.
                                if o.delta.abs() * 100.0 > limit + 1e-9 {
                                    out.push(format!(
                                        "`{name}`: outcome `{}` moved {}, more than {limit} pts (`--fail-on outcome-move={limit}pts`)",
                                        o.id,
                                        points(o.delta),
                                    ));
                                }
                            }
                        }
                        FailOn::LineOfPlay if results.strategy.is_some() => {
                            out.push(format!(
                                "`{name}`: the line of play changed (`--fail-on line-of-play`)"
                            ));
                        }
                        FailOn::TestFlip => {
                            for t in &results.tests {
                                if let (Some(old), Some(new)) = (t.old, t.new) {
                                    out.push(format!(
                                        "`{name}`: test `{}` went from {} to {} (`--fail-on test-flip`)",
                                        t.id,
                                        old.as_str(),
                                        new.as_str()
                                    ));
                                }
                            }
                        }
                        FailOn::KeyAssumption if !results.key_assumptions.is_empty() => {
                            out.push(format!(
                                "`{name}`: key assumptions changed (`--fail-on key-assumption`)"
                            ));
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn summary(files: &[FileDiff<'_>]) -> String {
    let count = |s: FileStatus| files.iter().filter(|f| f.status() == s).count();
    let mut parts = vec![
        format!("{} changed", count(FileStatus::Changed)),
        format!("{} added", count(FileStatus::Added)),
        format!("{} removed", count(FileStatus::Removed)),
        format!("{} unchanged", count(FileStatus::Unchanged)),
    ];
    let unreadable = count(FileStatus::Unreadable);
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

fn choices_text(choices: &[(String, Option<String>)]) -> String {
    if choices.is_empty() {
        return "(no shared decisions)".to_owned();
    }
    choices
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
    for file in files.iter().filter(|f| f.status() != FileStatus::Unchanged) {
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
            FileChange::Compared(diff) => human_diff(&mut out, diff),
        }
        out.push('\n');
    }
    if !any_change(files) {
        out.push_str("no semantic change\n");
    }
    out.push_str(&summary(files));
    out.push('\n');
    out
}

fn human_diff(out: &mut String, diff: &ScenarioDiff) {
    if let Some(why) = &diff.unavailable {
        let _ = writeln!(out, "  results not compared: {why}");
    }
    if let Some(results) = &diff.results {
        human_moved(out, results);
    }
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
                if item.change == ChangeKind::Added {
                    let _ = writeln!(
                        out,
                        "      {}: {}",
                        f.field,
                        clip(f.new.as_deref().unwrap_or(""), 80)
                    );
                    continue;
                }
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
    if let Some(results) = &diff.results {
        if results.paths.0 != results.paths.1 {
            let _ = writeln!(out, "  paths: {} → {}", results.paths.0, results.paths.1);
        }
        match &results.paths_changed {
            PathDiff::Compared(p) => {
                for g in &p.groups {
                    let _ = writeln!(out, "  {}", group_sentence(g, &|s| format!("`{s}`")));
                    let _ = writeln!(out, "    e.g. {}", choices_text(&g.witness));
                }
            }
            PathDiff::Skipped { reason } => {
                let _ = writeln!(out, "  paths not compared: {reason}");
            }
        }
    }
}

/// What moved, for people: outcomes, line of play, key assumptions, tests.
fn human_moved(out: &mut String, results: &ResultsDiff) {
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
    if !results.key_assumptions.is_empty() {
        let _ = writeln!(out, "  key assumptions");
        for k in &results.key_assumptions {
            let _ = writeln!(
                out,
                "    {}: {} → {}",
                k.decision,
                key_text(k.old.as_ref()),
                key_text(k.new.as_ref())
            );
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

/// `likeliest `accept` (80.0 %), strategic `refuse``, or `none` when it is no key assumption.
fn key_text(state: Option<&KeyAssumptionState>) -> String {
    match state {
        None => "likelihoods and payoffs agree".to_owned(),
        Some(k) => format!(
            "likeliest {} ({}), strategic {}",
            k.forecast,
            percent(k.probability),
            if k.strategic.is_empty() {
                "none".to_owned()
            } else {
                k.strategic.join(" or ")
            }
        ),
    }
}

/// "3 paths now end in `x` instead of `y` (12.0 % now, 30.0 % before)", with outcome names
/// quoted by `quote` (a code span in Markdown).
fn group_sentence(g: &PathGroup, quote: &dyn Fn(&str) -> String) -> String {
    let names = |ids: &[String]| {
        if ids.is_empty() {
            "no outcome".to_owned()
        } else {
            ids.iter()
                .map(|i| quote(i))
                .collect::<Vec<_>>()
                .join(" or ")
        }
    };
    let paths = if g.paths == 1 {
        "1 path".to_owned()
    } else {
        format!("{} paths", g.paths)
    };
    let new_paths = if g.paths == 1 {
        "1 new path".to_owned()
    } else {
        format!("{} new paths", g.paths)
    };
    match g.kind {
        PathGroupKind::Moved => format!(
            "{paths} now {} in {} instead of {} ({})",
            if g.paths == 1 { "ends" } else { "end" },
            names(&g.new_outcomes),
            names(&g.old_outcomes),
            if percent(g.new_probability) == percent(g.old_probability) {
                percent(g.new_probability)
            } else {
                format!(
                    "{} now, {} before",
                    percent(g.new_probability),
                    percent(g.old_probability)
                )
            },
        ),
        PathGroupKind::New => format!(
            "{new_paths} {} in {} ({})",
            if g.paths == 1 { "ends" } else { "end" },
            names(&g.new_outcomes),
            percent(g.new_probability),
        ),
        PathGroupKind::Gone => format!(
            "{paths} that ended in {} {} gone ({} before)",
            names(&g.old_outcomes),
            if g.paths == 1 { "is" } else { "are" },
            percent(g.old_probability),
        ),
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

// ---------------------------------------------------------------------------------------------
// Markdown

/// The diff as GitHub-flavoured Markdown, ready to post as a pull-request comment. All scenario
/// text is escaped, so a title or a `because` cannot inject markup or links.
#[must_use]
pub fn render_markdown(files: &[FileDiff<'_>]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### casus diff\n");
    let _ = writeln!(out, "{}\n", summary(files));
    if !any_change(files) {
        let _ = writeln!(out, "No semantic change.\n");
    }
    for file in files.iter().filter(|f| f.status() != FileStatus::Unchanged) {
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
        md_moved(out, results);
    }
    if !diff.changes.is_empty() {
        let _ = writeln!(out, "**Model changes ({}):**\n", diff.changes.len());
        for item in diff.changes.iter().take(MD_MAX_ITEMS) {
            md_item(out, item);
        }
        if diff.changes.len() > MD_MAX_ITEMS {
            let _ = writeln!(out, "- … and {} more", diff.changes.len() - MD_MAX_ITEMS);
        }
        out.push('\n');
    }
    if let Some(results) = &diff.results {
        md_paths(out, results);
    }
}

/// What moved: outcomes, the line of play, key assumptions, tests that flipped.
fn md_moved(out: &mut String, results: &ResultsDiff) {
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
    if let Some(s) = &results.strategy {
        md_strategy(out, s);
    }
    if !results.key_assumptions.is_empty() {
        let _ = writeln!(
            out,
            "**Key assumptions** (the likelihoods favour one option, the actor's payoffs another):\n"
        );
        for k in &results.key_assumptions {
            md_key_assumption(out, k);
        }
        out.push('\n');
    }
    if !results.tests.is_empty() {
        let _ = writeln!(out, "**Tests flipped:**\n");
        for t in &results.tests {
            let _ = writeln!(out, "{}", md_test(t));
        }
        out.push('\n');
    }
}

fn md_key_assumption(out: &mut String, k: &KeyAssumptionChange) {
    let side = |s: Option<&KeyAssumptionState>| match s {
        None => key_text(s),
        Some(_) => code(&key_text(s)),
    };
    let _ = writeln!(
        out,
        "- {}: {} → {}",
        code(&k.decision),
        side(k.old.as_ref()),
        side(k.new.as_ref())
    );
}

fn md_paths(out: &mut String, results: &ResultsDiff) {
    match &results.paths_changed {
        PathDiff::Compared(p) if !p.groups.is_empty() => {
            let _ = writeln!(out, "**Paths:**\n");
            for g in p.groups.iter().take(MD_MAX_ITEMS) {
                let _ = writeln!(
                    out,
                    "- {}; for example {}",
                    group_sentence(g, &|s| code(s)),
                    code(&choices_text(&g.witness))
                );
            }
            if p.groups.len() > MD_MAX_ITEMS {
                let _ = writeln!(out, "- … and {} more groups", p.groups.len() - MD_MAX_ITEMS);
            }
            out.push('\n');
        }
        PathDiff::Compared(_) => {}
        PathDiff::Skipped { reason } => {
            let _ = writeln!(out, "Paths not compared: {}\n", md_text(reason));
        }
    }
    if results.paths.0 != results.paths.1 {
        let _ = writeln!(
            out,
            "Complete paths: {} → {}.\n",
            results.paths.0, results.paths.1
        );
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
        if item.change == ChangeKind::Added {
            let _ = writeln!(out, "  - {}: {}", code(&f.field), side(&f.new));
            continue;
        }
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
