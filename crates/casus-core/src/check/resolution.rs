//! `[resolution]`: the names it gives resolve, and its date is not before the scenario's
//! `as_of`. Whether the model changed after the resolution needs the file's history, so
//! `casus score` checks that (`W0801`).

use crate::codes::Code;
use crate::diagnostic::{Diagnostic, did_you_mean, did_you_mean_or_list};
use crate::model::{Ident, NONE_OF_THESE, Scenario, list};

/// Reports the resolution's unknown names and a date before `as_of`.
pub(super) fn check(scenario: &Scenario, diagnostics: &mut Vec<Diagnostic>) {
    let Some(resolution) = &scenario.resolution else {
        return;
    };
    if let Some(outcome) = &resolution.outcome {
        let names: Vec<String> = scenario
            .outcomes
            .iter()
            .map(|o| o.id.name.clone())
            .collect();
        if outcome.name != NONE_OF_THESE && !names.contains(&outcome.name) {
            let none =
                format!("write `outcome = \"{NONE_OF_THESE}\"` if none of the outcomes happened");
            let help = match did_you_mean(&outcome.name, names.iter().map(String::as_str)) {
                Some(guess) => format!("{guess} Or {none}"),
                None => format!("the outcomes are {}; {none}", list(&names)),
            };
            diagnostics.push(unknown(outcome, "an outcome", help));
        }
    }
    if let Some(variant) = &resolution.variant {
        let names: Vec<String> = scenario
            .variants
            .iter()
            .map(|v| v.id.name.clone())
            .collect();
        if !names.contains(&variant.name) {
            let help = did_you_mean_or_list(
                &variant.name,
                &names,
                "the scenario declares no `[variants.*]`",
                "the variants are",
            );
            diagnostics.push(unknown(variant, "a variant", help));
        }
    }
    let signposts: Vec<String> = scenario
        .signposts
        .iter()
        .map(|s| s.id.name.clone())
        .collect();
    for (id, _) in &resolution.observed {
        if !signposts.contains(&id.name) {
            let help = did_you_mean_or_list(
                &id.name,
                &signposts,
                "the scenario declares no `[signposts.*]`",
                "the signposts are",
            );
            diagnostics.push(unknown(id, "a signpost", help));
        }
    }
    if let (Some(date), Some(as_of)) = (&resolution.date, &scenario.meta.as_of)
        && date.value.as_str() < as_of.as_str()
    {
        diagnostics.push(
            Diagnostic::new(
                Code::ResolutionDate,
                format!(
                    "the resolution is dated `{}`, before the scenario's `as_of` of `{as_of}`",
                    date.value
                ),
            )
            .primary(date.span, "before `as_of`")
            .help("a forecast as of a date after the question was settled scores nothing: correct the resolution's `date` or the scenario's `as_of`"),
        );
    }
}

fn unknown(id: &Ident, what: &str, help: String) -> Diagnostic {
    Diagnostic::new(
        Code::ResolutionName,
        format!("the resolution names `{}`, which is not {what}", id.name),
    )
    .primary(id.span, "not declared in this file")
    .help(help)
}
