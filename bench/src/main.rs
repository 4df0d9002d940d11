//! `casus-bench`: generate scenarios, time cases, write `bench/RESULTS.md`.

use std::time::Instant;

use casus_bench::generate::{Family, Size, generate};
use casus_bench::stages;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let family = Family::parse(&args[2]).unwrap_or(Family::Rules);
    let size = Size {
        decisions: args[3].parse().unwrap_or(10),
        rules: args[4].parse().unwrap_or(10),
    };
    let spec = generate(family, size, 1);
    let text = spec.to_toml();
    if args[1] == "gen" {
        print!("{text}");
        return;
    }
    let t = Instant::now();
    let scenario = stages::load_check("x", &text).unwrap();
    let t1 = t.elapsed();
    let program = stages::compile(&scenario).unwrap();
    let t2 = t.elapsed();
    let e = stages::eval(&scenario, &program, 1).unwrap();
    let t3 = t.elapsed();
    eprintln!(
        "load {:?} compile {:?} eval {:?} paths {} nodes {} rss {:?}",
        t1,
        t2 - t1,
        t3 - t2,
        e.paths,
        e.nodes,
        stages::peak_rss()
    );
    eprintln!(
        "{:?}",
        e.outcomes.iter().map(|o| o.probability).collect::<Vec<_>>()
    );
}
