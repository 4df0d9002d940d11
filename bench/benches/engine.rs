//! Criterion benches of casus's stages, timed separately: load + check, compile, and
//! evaluation (forecast and strategy in one search), for each generator family.
//!
//! `cargo bench -p casus-bench` times them; `cargo bench -p casus-bench -- --test` (CI) runs
//! each once. The table in `bench/RESULTS.md`, with peak memory and the peers, comes from
//! `bench/run`.

use std::hint::black_box;

use casus_bench::generate::{Family, Size, generate};
use casus_bench::stages;
use criterion::{Criterion, criterion_group, criterion_main};

fn size(decisions: usize, rules: usize) -> Size {
    Size { decisions, rules }
}

const CASES: [(Family, usize, usize); 4] = [
    (Family::Rules, 14, 500),
    (Family::Rules, 20, 2000),
    (Family::Window, 40, 120),
    (Family::Mix, 12, 60),
];

fn stages_bench(c: &mut Criterion) {
    for (family, decisions, rules) in CASES {
        let text = generate(family, size(decisions, rules), 1).to_toml();
        let name = format!("{}-{decisions}x{rules}", family.name());
        let Ok(scenario) = stages::load_check(&name, &text) else {
            continue;
        };
        let Ok(program) = stages::compile(&scenario) else {
            continue;
        };
        let mut group = c.benchmark_group(name.as_str());
        group.sample_size(10);
        group.bench_function("load+check", |b| {
            b.iter(|| black_box(stages::load_check("bench.toml", &text).is_ok()));
        });
        group.bench_function("compile", |b| {
            b.iter(|| black_box(stages::compile(&scenario).is_ok()));
        });
        if family == Family::Rules && decisions == 20 {
            // 2^20 paths: the load+check case; the search is timed by `bench/run`.
            group.finish();
            continue;
        }
        for threads in [1, 2] {
            group.bench_function(format!("evaluate/{threads}t"), |b| {
                b.iter(|| black_box(stages::eval(&scenario, &program, threads).is_ok()));
            });
        }
        group.finish();
    }
}

criterion_group!(benches, stages_bench);
criterion_main!(benches);
