//! Determinism: the same input gives the same bytes, whatever the number of threads.
//!
//! Every scenario in `scenarios/` goes through check, eval, explain, test and every report
//! format twice, with the binary run under `RAYON_NUM_THREADS=1` and `RAYON_NUM_THREADS=2`,
//! and the exit code, standard output and standard error must be identical. The search is
//! also run in-process with `EvalLimits::threads` 1 and 2 and compared field by field.
//!
//! Needs `target/debug/casus` (`cargo build -p casus-cli`; `cargo test --workspace` builds it).
#![expect(
    clippy::unwrap_used,
    reason = "helpers of a test fail the test on any error, as the tests themselves do"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use casus_core::SourceFile;
use casus_core::limits::Limits;
use casus_rules::{EvalLimits, Given, check_source, evaluate};
use insta_cmd::get_cargo_bin;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every scenario in `scenarios/`, relative to the repository root, sorted.
fn scenarios() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| format!("scenarios/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    files
}

/// Exit code, standard output and standard error of `casus ARGS` on `threads` threads.
fn run(args: &[&str], threads: usize) -> (Option<i32>, Vec<u8>, Vec<u8>) {
    let output = Command::new(get_cargo_bin("casus"))
        .current_dir(root())
        .env("NO_COLOR", "1")
        // JUnit's durations are measured; the rest of the output must not vary.
        .env("CASUS_TEST_TIME", "fixed")
        .env("RAYON_NUM_THREADS", threads.to_string())
        .args(args)
        .output()
        .unwrap();
    (output.status.code(), output.stdout, output.stderr)
}

/// The commands run on each scenario.
fn commands(file: &str) -> Vec<Vec<&str>> {
    let mut commands = vec![
        vec!["check", file],
        vec!["check", file, "--format", "json"],
        vec!["eval", file],
        vec!["eval", file, "--format", "json"],
        vec!["explain", file],
        vec!["explain", file, "--format", "json"],
        vec!["test", file],
        vec!["test", file, "--format", "json"],
        vec!["test", file, "--format", "junit"],
        vec!["test", file, "--coverage"],
    ];
    for format in ["md", "json", "dot", "mermaid", "html"] {
        commands.push(vec!["report", file, "--format", format]);
    }
    for format in ["dot", "mermaid"] {
        commands.push(vec!["report", file, "--format", format, "--graph", "rules"]);
    }
    commands
}

#[test]
fn every_command_gives_the_same_bytes_on_one_thread_and_on_two() {
    let mut compared = 0;
    for file in scenarios() {
        for args in commands(&file) {
            let one = run(&args, 1);
            let two = run(&args, 2);
            let what = format!("casus {}", args.join(" "));
            assert_eq!(one.0, two.0, "{what}: exit codes differ");
            assert!(
                one.1 == two.1,
                "{what}: standard output differs:\n--- 1 thread\n{}\n--- 2 threads\n{}",
                String::from_utf8_lossy(&one.1),
                String::from_utf8_lossy(&two.1)
            );
            assert!(
                one.2 == two.2,
                "{what}: standard error differs:\n--- 1 thread\n{}\n--- 2 threads\n{}",
                String::from_utf8_lossy(&one.2),
                String::from_utf8_lossy(&two.2)
            );
            // A command that printed nothing would compare equal without proving anything.
            assert!(
                !one.1.is_empty() || !one.2.is_empty(),
                "{what}: printed nothing"
            );
            compared += 1;
        }
    }
    assert!(compared >= 5 * 17, "only {compared} runs compared");
}

/// The same runs twice on the same thread count agree too: no time, no hash order, no address
/// in the output.
#[test]
fn two_runs_on_two_threads_agree() {
    for file in scenarios() {
        for args in [
            vec!["eval", file.as_str(), "--format", "json"],
            vec!["report", file.as_str(), "--format", "html"],
        ] {
            assert!(
                run(&args, 2) == run(&args, 2),
                "casus {}: two runs differ",
                args.join(" ")
            );
        }
    }
}

/// In-process: the search on one worker thread and on two gives the same evaluation.
#[test]
fn the_search_agrees_on_one_and_two_worker_threads() {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    for file in scenarios() {
        let text = std::fs::read_to_string(root().join(&file)).unwrap();
        let source = SourceFile::new(Path::new(&file).to_string_lossy(), text);
        let checked = check_source(&source, &Limits::default(), &EvalLimits::default());
        let (Some(scenario), Some(program)) = (&checked.scenario, &checked.program) else {
            panic!("{file} does not check: {:?}", checked.diagnostics);
        };
        let given = Given::none(program.decisions.len());
        let with = |threads| {
            let limits = EvalLimits {
                threads,
                ..EvalLimits::default()
            };
            pool.install(|| evaluate(scenario, program, &given, &limits))
                .unwrap()
        };
        let (one, two, pool_default) = (with(1), with(2), with(0));
        assert_eq!(one, two, "{file}: one worker and two disagree");
        assert_eq!(
            one, pool_default,
            "{file}: one worker and the pool disagree"
        );
        assert_eq!(
            serde_json::to_string(&one).unwrap(),
            serde_json::to_string(&two).unwrap(),
            "{file}"
        );
    }
}
