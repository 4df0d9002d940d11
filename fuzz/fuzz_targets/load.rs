//! Loading arbitrary bytes as a scenario file: decoding, TOML parsing, the model.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (file, _) = casus_core::SourceFile::from_bytes("fuzz.toml", data);
    let (limits, _) = casus_fuzz::small_limits();
    let loaded = casus_core::load::load(&file, &limits);
    if let Some(scenario) = &loaded.scenario {
        let _ = casus_core::check::check(scenario);
    }
});
