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

#[cfg(test)]
mod tests {
    use crate::limits::Limits;
    use crate::source::SourceFile;

    const BASE: &str = "[scenario]\ntitle = \"T\"\nas_of = 2025-01-10\n\n[decisions.event]\nactor = \"nature\"\noptions = [\"yes\", \"no\"]\nlikelihood = { yes = 0.5, no = 0.5 }\n\n[outcomes.yes]\nwhen = \"event == 'yes'\"\n\n[outcomes.no]\nwhen = \"event == 'no'\"\n\n[signposts.talks]\ndecision = \"event\"\nratio = { yes = 2 }\n\n[variants.hawks]\nlikelihood.event = { yes = 0.7, no = 0.3 }\n\n";

    /// The messages of every diagnostic of `BASE` followed by `resolution`.
    fn messages(resolution: &str) -> Vec<String> {
        let file = SourceFile::new("t.toml", format!("{BASE}{resolution}"));
        let loaded = crate::load::load(&file, &Limits::default());
        let mut out: Vec<String> = loaded
            .diagnostics
            .iter()
            .map(|d| d.message.clone())
            .collect();
        if let Some(s) = loaded.scenario {
            out.extend(
                crate::check::check(&s)
                    .into_iter()
                    .map(|d| format!("{} {} / {}", d.code, d.message, d.help.unwrap_or_default())),
            );
        }
        out
    }

    #[test]
    fn a_resolution_naming_what_the_file_declares_is_clean() {
        let clean = "[resolution]\noutcome = \"none\"\ndate = 2025-01-10\nvariant = \"hawks\"\nobserved = { talks = 2025-01-05 }\n";
        assert_eq!(messages(clean), Vec::<String>::new());
        // Open: observations only.
        assert_eq!(
            messages("[resolution]\nobserved = { talks = 2025-01-05 }\n"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn unknown_variants_and_signposts_are_named_with_a_hint() {
        let found = messages(
            "[resolution]\nvariant = \"hawk\"\nobserved = { talk = 2025-01-05, strike = 2025-01-06 }\n",
        );
        assert_eq!(
            found,
            [
                "E0801 the resolution names `hawk`, which is not a variant / did you mean `hawks`?",
                "E0801 the resolution names `talk`, which is not a signpost / did you mean `talks`?",
                "E0801 the resolution names `strike`, which is not a signpost / the signposts are `talks`",
            ]
        );
    }
}
