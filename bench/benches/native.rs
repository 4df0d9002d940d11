//! Criterion benches of the native ZEN peer: GoRules ZEN's Rust crate and casus given every
//! decision, each over every combination of a small `rules` scenario, with every outcome
//! checked against casus's path walker before timing.
//!
//! `cargo bench -p casus-bench --bench native` times them; CI runs each once
//! (`cargo bench -p casus-bench -- --test`). The figures in `bench/RESULTS.md` come from
//! `casus-bench native`, run by `bench/run`.

use std::hint::black_box;

use casus_bench::generate::{Family, Size, generate};
use casus_bench::{native, zen};
use criterion::{Criterion, criterion_group, criterion_main};

fn native_bench(c: &mut Criterion) {
    let spec = generate(
        Family::Rules,
        Size {
            decisions: 8,
            rules: 200,
        },
        1,
    );
    let combinations = zen::combinations(&spec);
    let checked = (|| {
        let expected = native::walker_outcomes(&spec)?;
        let decision = native::zen_decision(&spec)?;
        let session = native::session(&spec)?;
        let got = native::zen_outcomes(&decision, &spec, &combinations)?;
        native::agree("zen-engine", &spec, &combinations, &got, &expected)?;
        let got = native::casus_given(&session, &spec, &combinations)?;
        native::agree("casus given", &spec, &combinations, &got, &expected)?;
        Ok::<_, native::NativeError>((decision, session))
    })();
    let (decision, session) = match checked {
        Ok(both) => both,
        Err(e) => {
            // A disagreement is a failure of the bench run, not a number to report.
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                format!("native peer: {e}\n").as_bytes(),
            );
            std::process::exit(1);
        }
    };
    let mut group = c.benchmark_group("native-rules-8x200");
    group.sample_size(10);
    group.bench_function("zen-engine/every combination", |b| {
        b.iter(|| black_box(native::zen_outcomes(&decision, &spec, &combinations).is_ok()));
    });
    group.bench_function("casus given/every combination", |b| {
        b.iter(|| black_box(native::casus_given(&session, &spec, &combinations).is_ok()));
    });
    group.finish();
}

criterion_group!(benches, native_bench);
criterion_main!(benches);
