//! `casus check` on arbitrary bytes under small limits, with every diagnostics renderer, and
//! the eval renderers when the bytes happen to make a valid scenario.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (file, decode_error) = casus_core::SourceFile::from_bytes("fuzz.toml", data);
    let (limits, eval) = casus_fuzz::small_limits();
    let checked = casus_rules::check_source(&file, &limits, &eval);
    let mut diagnostics = checked.diagnostics.clone();
    diagnostics.extend(decode_error);
    casus_fuzz::render_diagnostics(&file, &diagnostics);
    if let (Some(scenario), Some(evaluation)) = (&checked.scenario, &checked.evaluation) {
        let _ = casus_report::eval::render_human(scenario, evaluation, None);
        let _ = serde_json::to_string(&casus_report::output::eval::EvalOutput::of_evaluation(
            scenario, evaluation, None,
        ));
    }
});
