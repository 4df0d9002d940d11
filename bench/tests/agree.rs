//! Every generator family, at tiny sizes, agrees with the naive reference evaluator, and the
//! search gives the same `Evaluation`, byte for byte, on one thread and on many.
//!
//! This is what CI runs of the benchmarks: the generators keep compiling and producing valid
//! scenarios, and what the results table times is the right answer. No timing here.

use casus_bench::generate::{Family, Size, generate};
use casus_bench::{reference_answer, stages};

fn sizes(family: Family) -> Vec<Size> {
    match family {
        Family::Rules => vec![
            Size {
                decisions: 6,
                rules: 40,
            },
            Size {
                decisions: 9,
                rules: 120,
            },
        ],
        Family::Window => vec![
            Size {
                decisions: 8,
                rules: 16,
            },
            Size {
                decisions: 11,
                rules: 30,
            },
        ],
        Family::Mix => vec![
            Size {
                decisions: 6,
                rules: 20,
            },
            Size {
                decisions: 8,
                rules: 40,
            },
        ],
        Family::Scores => vec![
            Size {
                decisions: 6,
                rules: 12,
            },
            Size {
                decisions: 9,
                rules: 40,
            },
        ],
    }
}

#[test]
fn every_family_agrees_with_the_reference() {
    for family in Family::ALL {
        for size in sizes(family) {
            for seed in 1..=4 {
                let text = generate(family, size, seed).to_toml();
                let what = format!("{} {size:?} seed {seed}", family.name());
                let scenario = stages::load_check(&what, &text)
                    .unwrap_or_else(|e| panic!("{what}: {e}\n{text}"));
                let program = stages::compile(&scenario).unwrap();
                let evaluation = stages::eval(&scenario, &program, 1)
                    .unwrap_or_else(|e| panic!("{what}: {e}\n{text}"));
                let reference = reference_answer(&scenario);
                assert_eq!(evaluation.paths, reference.paths as u128, "{what}");
                for (o, expected) in evaluation.outcomes.iter().zip(&reference.forecast) {
                    assert!(
                        (o.probability - expected).abs() < 1e-9,
                        "{what}: outcome {} {} vs {expected}",
                        o.index,
                        o.probability
                    );
                }
                for (a, b) in evaluation.strategy.payoffs.iter().zip(&reference.payoffs) {
                    assert!((a - b).abs() < 1e-9, "{what}: payoff {a} vs {b}");
                }
            }
        }
    }
}

#[test]
fn one_thread_and_many_give_the_same_evaluation() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .unwrap();
    for family in Family::ALL {
        for size in sizes(family) {
            for seed in 1..=3 {
                let text = generate(family, size, seed).to_toml();
                let scenario = stages::load_check("generated", &text).unwrap();
                let program = stages::compile(&scenario).unwrap();
                let serial = stages::eval(&scenario, &program, 1).unwrap();
                let parallel = pool.install(|| stages::eval(&scenario, &program, 0).unwrap());
                let two = stages::eval(&scenario, &program, 2).unwrap();
                assert_eq!(serial, parallel, "{} {size:?} seed {seed}", family.name());
                assert_eq!(serial, two, "{} {size:?} seed {seed}", family.name());
            }
        }
    }
}

#[test]
fn generated_files_are_deterministic() {
    for family in Family::ALL {
        let size = sizes(family)[0];
        assert_eq!(
            generate(family, size, 7).to_toml(),
            generate(family, size, 7).to_toml()
        );
        assert_ne!(
            generate(family, size, 7).to_toml(),
            generate(family, size, 8).to_toml()
        );
    }
}
