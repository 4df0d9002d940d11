//! `casus score` on a library built here: a temporary git repository holds 30 generated
//! scenarios and 3 written by hand (tests/fixtures/score/NAME/N.toml, committed in order), each
//! with at least two forecasts of record in its history before a `[resolution]`.
//!
//! The oracle is independent of casus's evaluation: the test knows the probabilities it wrote
//! into each version and the outcome it resolved, so it computes every expected score itself
//! (a naive reference); scikit-learn's `brier_score_loss` and `calibration_curve`, and SciPy's
//! Wilson interval, check the binary Brier score and the calibration curve (in
//! target/score-venv, which `.ci/run` creates; with `CASUS_REQUIRE_SKLEARN` a missing
//! environment fails the test instead of skipping that half).
//!
//! The hand-written scenarios, by hand:
//! - ceasefire: v1 (0.2, 0.5, 0.3), deal happened: Brier 0.8² + 0.5² + 0.3² = 0.98. v2 observes
//!   `energy_pause` (ratios 3, 0.5, 1) on 0.3, 0.4, 0.3: weights 0.9, 0.2, 0.3 of 1.4, so
//!   (9/14, 2/14, 3/14) and Brier (25 + 4 + 9)/196. v3 only adds the outcome: same date, same
//!   forecast, so it restates v2 and is left out.
//! - runoff: two analysts, pooled; the run-off was cancelled, so none of the outcomes happened
//!   and each Brier is Σ p². v1 pool (0.7, 0.3): 0.58; desk (0.6, 0.4): 0.52; polling team
//!   (0.8, 0.2): 0.68. v2 pool (0.65, 0.35): 0.545; desk (0.5, 0.5): 0.5; polling team 0.68.
//! - sanctions: v1 base (0.4, 0.6), sanctions passed: 0.72. v2 names the variant `hawkish`,
//!   whose input fact turns on the `likelihood_if` (0.7, 0.3): 0.18. v3 resolves (restates
//!   v2); v4 edits the likelihoods after the resolution: W0801, left out.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::print_stderr,
    reason = "test helpers outside #[test] functions unwrap file, process and fixture operations that must succeed, fail on output that is not a number, and say on stderr what the peer computed or why it was skipped"
)]

use std::path::{Path, PathBuf};

#[path = "support/chromium.rs"]
mod chromium;
use chromium::{console_problems, pixels_like, run_chromium};
use std::process::Command;

use casus_report::output::Contract;
use insta_cmd::get_cargo_bin;
use serde_json::{Value as Json, json};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn git(dir: &Path, args: &[&str], day: &str) {
    let stamp = format!("{day}T12:00:00+00:00");
    let output = Command::new("git")
        .args([
            "-c",
            "user.name=casus test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_DATE", &stamp)
        .env("GIT_COMMITTER_DATE", &stamp)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {output:?}");
}

fn casus(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(get_cargo_bin("casus"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// One forecast the test wrote: its probabilities and the index of what happened.
#[derive(Clone, Debug)]
struct Expected {
    file: String,
    probabilities: Vec<f64>,
    happened: Option<usize>,
}

impl Expected {
    fn brier(&self) -> f64 {
        self.probabilities
            .iter()
            .enumerate()
            .map(|(k, p)| {
                let o = if self.happened == Some(k) { 1.0 } else { 0.0 };
                (p - o) * (p - o)
            })
            .sum()
    }
}

/// A generated scenario: one chance event with `k` options, an outcome per option.
fn generated(
    index: usize,
    day: &str,
    probabilities: &[f64],
    resolution: Option<(usize, &str)>,
) -> String {
    let options: Vec<String> = (0..probabilities.len()).map(|i| format!("o{i}")).collect();
    let mut text = format!(
        "[scenario]\ntitle = \"Generated question {index}\"\nas_of = {day}\ntags = [\"generated\", \"{}\"]\n\n[decisions.event]\nactor = \"nature\"\noptions = [{}]\n[decisions.event.likelihood]\n",
        if index.is_multiple_of(2) {
            "even"
        } else {
            "odd"
        },
        options
            .iter()
            .map(|o| format!("\"{o}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (o, p) in options.iter().zip(probabilities) {
        text.push_str(&format!("{o} = {p}\n"));
    }
    for o in &options {
        text.push_str(&format!("\n[outcomes.{o}]\nwhen = \"event == '{o}'\"\n"));
    }
    if let Some((happened, date)) = resolution {
        text.push_str(&format!(
            "\n[resolution]\noutcome = \"o{happened}\"\ndate = {date}\nsource = \"generated\"\n"
        ));
    }
    text
}

/// Probabilities in hundredths that sum to exactly 100.
fn hundredths(rng: &mut fastrand::Rng, k: usize) -> Vec<f64> {
    let mut cuts: Vec<u32> = (0..k - 1).map(|_| rng.u32(1..100)).collect();
    cuts.sort_unstable();
    cuts.dedup();
    while cuts.len() < k - 1 {
        let c = rng.u32(1..100);
        if !cuts.contains(&c) {
            cuts.push(c);
            cuts.sort_unstable();
        }
    }
    let mut edges = vec![0];
    edges.extend(&cuts);
    edges.push(100);
    edges
        .windows(2)
        .map(|w| f64::from(w[1] - w[0]) / 100.0)
        .collect()
}

/// The library: a repository with 33 scenario files and their histories, and the forecasts
/// of record the test expects (file forecasts only, in the order of the files).
fn library(name: &str) -> (PathBuf, Vec<Expected>) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("library")).unwrap();
    git(&dir, &["init", "-q"], "2024-01-01");
    let mut expected = Vec::new();
    let mut rng = fastrand::Rng::with_seed(22);
    // Generated: v1 in January, v2 in March, v3 adds the resolution in June. The outcome is
    // drawn from v2's forecast made sharper (each probability squared, renormalised), and v1
    // is vaguer still, so the forecasts are underconfident on purpose and recalibration has
    // something to find.
    let mut plans = Vec::new();
    for i in 0..30 {
        let k = 2 + i % 3;
        let second = hundredths(&mut rng, k);
        // v1 is v2 halfway to uniform, in hundredths: the earlier, vaguer view.
        let mut first: Vec<f64> = second
            .iter()
            .map(|p| ((p * 100.0 + 100.0 / k as f64) / 2.0).round() / 100.0)
            .collect();
        let rest: f64 = first[..k - 1].iter().sum();
        first[k - 1] = ((1.0 - rest) * 100.0).round() / 100.0;
        let sharp: Vec<f64> = second.iter().map(|p| p * p).collect();
        let total: f64 = sharp.iter().sum();
        let mut draw = rng.f64() * total;
        let mut happened = k - 1;
        for (o, w) in sharp.iter().enumerate() {
            if draw < *w {
                happened = o;
                break;
            }
            draw -= w;
        }
        plans.push((i, first, second, happened));
    }
    let file = |i: usize| format!("library/q{i:02}.toml");
    for (i, first, _, _) in &plans {
        std::fs::write(dir.join(file(*i)), generated(*i, "2024-01-15", first, None)).unwrap();
        git(&dir, &["add", "."], "2024-01-15");
        git(&dir, &["commit", "-q", "-m", "v1"], "2024-01-15");
    }
    for (i, _, second, _) in &plans {
        std::fs::write(
            dir.join(file(*i)),
            generated(*i, "2024-03-01", second, None),
        )
        .unwrap();
        git(&dir, &["commit", "-q", "-am", "v2"], "2024-03-01");
    }
    for (i, first, second, happened) in &plans {
        let text = generated(*i, "2024-03-01", second, Some((*happened, "2024-06-01")));
        std::fs::write(dir.join(file(*i)), text).unwrap();
        git(&dir, &["commit", "-q", "-am", "resolved"], "2024-06-01");
        for p in [first, second] {
            expected.push(Expected {
                file: file(*i),
                probabilities: p.clone(),
                happened: Some(*happened),
            });
        }
    }
    // The hand-written three, each version committed in turn.
    for (name, days) in [
        ("ceasefire", &["2025-01-15", "2025-03-01", "2025-04-30"][..]),
        ("runoff", &["2025-02-01", "2025-03-01", "2025-03-21"][..]),
        (
            "sanctions",
            &["2025-01-10", "2025-02-10", "2025-07-01", "2025-07-02"][..],
        ),
    ] {
        for (v, day) in days.iter().enumerate() {
            let text = std::fs::read_to_string(
                root().join(format!("tests/fixtures/score/{name}/{}.toml", v + 1)),
            )
            .unwrap();
            std::fs::write(dir.join(format!("library/{name}.toml")), text).unwrap();
            git(&dir, &["add", "."], day);
            git(
                &dir,
                &["commit", "-q", "-m", &format!("{name} {}", v + 1)],
                day,
            );
        }
    }
    let hand = |file: &str, probabilities: Vec<f64>, happened: Option<usize>| Expected {
        file: format!("library/{file}.toml"),
        probabilities,
        happened,
    };
    expected.push(hand("ceasefire", vec![0.2, 0.5, 0.3], Some(0)));
    expected.push(hand(
        "ceasefire",
        vec![9.0 / 14.0, 2.0 / 14.0, 3.0 / 14.0],
        Some(0),
    ));
    expected.push(hand("runoff", vec![0.7, 0.3], None));
    expected.push(hand("runoff", vec![0.65, 0.35], None));
    expected.push(hand("sanctions", vec![0.4, 0.6], Some(0)));
    expected.push(hand("sanctions", vec![0.7, 0.3], Some(0)));
    // `casus score library` takes the folder's files in name order; each file's forecasts
    // stay oldest first.
    expected.sort_by(|a, b| a.file.cmp(&b.file));
    (dir, expected)
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < 1e-9, "{what}: casus {a}, expected {b}");
}

fn f(v: &Json) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The events of the expected forecasts: (p, happened).
fn events(expected: &[Expected]) -> Vec<(f64, bool)> {
    expected
        .iter()
        .flat_map(|e| {
            e.probabilities
                .iter()
                .enumerate()
                .map(move |(k, p)| (*p, e.happened == Some(k)))
        })
        .collect()
}

fn score_json(dir: &Path) -> (Json, String) {
    let (code, stdout, stderr) = casus(dir, &["score", "library", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    (serde_json::from_str(&stdout).unwrap(), stderr)
}

#[test]
fn the_record_and_every_score_agree_with_a_naive_reference() {
    let (dir, expected) = library("score-library");
    let (out, stderr) = score_json(&dir);
    let files = out["files"].as_array().unwrap();
    assert_eq!(files.len(), 33);
    assert!(files.iter().all(|f| f["state"] == "scored"), "{out:#}");

    // The forecasts of record are exactly the ones the test wrote, in order.
    let mut own = Vec::new();
    for file in files {
        for forecast in file["forecasts"].as_array().unwrap() {
            if forecast["analyst"].is_null() {
                own.push((file["file"].as_str().unwrap().to_owned(), forecast.clone()));
            }
        }
    }
    assert_eq!(own.len(), expected.len());
    for ((file, got), want) in own.iter().zip(&expected) {
        assert_eq!(file, &want.file);
        let probabilities: Vec<f64> = got["forecast"]
            .as_object()
            .unwrap()
            .values()
            .map(f)
            .collect();
        assert_eq!(probabilities.len(), want.probabilities.len(), "{file}");
        for (a, b) in probabilities.iter().zip(&want.probabilities) {
            close(*a, *b, file);
        }
        close(f(&got["brier"]), want.brier(), file);
    }
    // Every file has at least two forecasts of record.
    for file in files {
        let n = file["forecasts"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["analyst"].is_null())
            .count();
        assert!(n >= 2, "{}", file["file"]);
    }

    // The library's scores, recomputed naively from the test's own numbers.
    let lib = &out["library"];
    let n = expected.len() as f64;
    close(
        f(&lib["brier"]),
        expected.iter().map(Expected::brier).sum::<f64>() / n,
        "brier",
    );
    let ev = events(&expected);
    let m = ev.len() as f64;
    let binary: f64 = ev
        .iter()
        .map(|(p, o)| (p - f64::from(u8::from(*o))).powi(2))
        .sum::<f64>()
        / m;
    close(f(&lib["binary_brier"]), binary, "binary brier");
    let logs: Vec<f64> = expected
        .iter()
        .filter_map(|e| Some(-e.probabilities[e.happened?].max(f64::EPSILON).ln()))
        .collect();
    close(
        f(&lib["log_score"]),
        logs.iter().sum::<f64>() / logs.len() as f64,
        "log score",
    );
    assert_eq!(lib["log_scored"], json!(logs.len()));

    // The decomposition over forecasts rounded to tenths, the slow way: category by category.
    let base = ev.iter().filter(|e| e.1).count() as f64 / m;
    let (mut ci, mut di, mut binned) = (0.0, 0.0, 0.0);
    for j in 0..=10 {
        let in_bin: Vec<&(f64, bool)> = ev
            .iter()
            .filter(|(p, _)| (p * 10.0).round() as usize == j)
            .collect();
        if in_bin.is_empty() {
            continue;
        }
        let c = in_bin.iter().filter(|e| e.1).count() as f64 / in_bin.len() as f64;
        let fj = j as f64 / 10.0;
        ci += in_bin.len() as f64 * (fj - c).powi(2);
        di += in_bin.len() as f64 * (c - base).powi(2);
        binned += in_bin
            .iter()
            .map(|(_, o)| (fj - f64::from(u8::from(*o))).powi(2))
            .sum::<f64>();
    }
    close(f(&lib["calibration_index"]), ci / m, "CI");
    close(f(&lib["discrimination_index"]), di / m, "DI");
    close(f(&lib["uncertainty"]), base * (1.0 - base), "VI");
    close(f(&lib["binned_brier"]), binned / m, "binned Brier");
    close(
        f(&lib["binned_brier"]),
        f(&lib["calibration_index"]) - f(&lib["discrimination_index"]) + f(&lib["uncertainty"]),
        "Murphy identity",
    );
    // Over/underconfidence, folded.
    let folded: Vec<(f64, f64)> = ev
        .iter()
        .filter(|(p, _)| *p != 0.5)
        .map(|(p, o)| {
            let hit = if *p > 0.5 { *o } else { !*o };
            (p.max(1.0 - p), f64::from(u8::from(hit)))
        })
        .collect();
    let ou = folded.iter().map(|x| x.0).sum::<f64>() / folded.len() as f64
        - folded.iter().map(|x| x.1).sum::<f64>() / folded.len() as f64;
    close(f(&lib["overconfidence"]), ou, "over/underconfidence");

    // Per file, per analyst, per tag.
    let by_file = |name: &str| files.iter().find(|x| x["file"] == name).unwrap();
    close(
        f(&by_file("library/ceasefire.toml")["scores"]["brier"]),
        (0.98 + 38.0 / 196.0) / 2.0,
        "ceasefire",
    );
    close(
        f(&by_file("library/runoff.toml")["scores"]["brier"]),
        (0.58 + 0.545) / 2.0,
        "runoff",
    );
    assert_eq!(by_file("library/runoff.toml")["happened"], Json::Null);
    assert_eq!(
        by_file("library/runoff.toml")["scores"]["log_score"],
        Json::Null
    );
    close(
        f(&by_file("library/sanctions.toml")["scores"]["brier"]),
        (0.72 + 0.18) / 2.0,
        "sanctions",
    );
    close(
        f(&out["analysts"]["desk"]["brier"]),
        (0.52 + 0.5) / 2.0,
        "desk",
    );
    close(
        f(&out["analysts"]["polling_team"]["brier"]),
        0.68,
        "polling team",
    );
    let tagged = |tag: &str| {
        expected
            .iter()
            .filter(|e| {
                let i: usize = e
                    .file
                    .trim_start_matches("library/q")
                    .trim_end_matches(".toml")
                    .parse()
                    .unwrap_or(99);
                match tag {
                    "even" => i < 30 && i.is_multiple_of(2),
                    "ukraine" => {
                        e.file.ends_with("ceasefire.toml") || e.file.ends_with("sanctions.toml")
                    }
                    _ => false,
                }
            })
            .map(Expected::brier)
            .collect::<Vec<f64>>()
    };
    for tag in ["even", "ukraine"] {
        let list = tagged(tag);
        close(
            f(&out["tags"][tag]["brier"]),
            list.iter().sum::<f64>() / list.len() as f64,
            tag,
        );
        assert_eq!(out["tags"][tag]["forecasts"], json!(list.len()));
    }

    // What was left out, and why.
    let reasons = |name: &str| -> Vec<String> {
        by_file(name)["left_out"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["reason"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(reasons("library/ceasefire.toml").len(), 1);
    assert!(reasons("library/ceasefire.toml")[0].starts_with("restates the forecast of "));
    assert!(
        reasons("library/sanctions.toml")[1].contains("changes the model after the resolution")
    );
    assert!(stderr.contains("warning[W0801]: commit `"), "{stderr}");
    assert!(stderr.contains("library/sanctions.toml"), "{stderr}");

    // The worst miss is the worst Brier of the record.
    let worst = expected.iter().map(Expected::brier).fold(0.0, f64::max);
    close(f(&out["worst_misses"][0]["brier"]), worst, "worst miss");
    assert_eq!(out["worst_misses"].as_array().unwrap().len(), 10);

    // The outcomes were drawn from sharpened forecasts: underconfident, so the fit sharpens,
    // and out of sample it still improves on the forecasts as made.
    let r = &out["recalibration"];
    assert!(f(&r["a"]) > 1.0, "{r:#}");
    assert!(f(&r["brier_in_sample"]) <= f(&r["brier_before"]));
    assert!(f(&r["log_out_of_sample"]) < f(&r["log_before"]), "{r:#}");

    // The output is what its schema says.
    let schema: Json = serde_json::from_str(&Contract::Score.schema()).unwrap();
    let validator = jsonschema::draft202012::options().build(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&out)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));

    // Twice the same bytes.
    let (_, again, _) = casus(&dir, &["score", "library", "--format", "json"]);
    assert_eq!(serde_json::to_string_pretty(&out).unwrap() + "\n", again);

    sklearn(&ev, &out);
}

/// The scikit-learn half: `brier_score_loss` and `calibration_curve(n_bins=10)` of the same
/// events must be casus's binary Brier score and curve.
fn sklearn(ev: &[(f64, bool)], out: &Json) {
    let python = std::env::var_os("CASUS_SKLEARN_PYTHON")
        .map(PathBuf::from)
        .or_else(|| Some(root().join("target/score-venv/bin/python")).filter(|p| p.exists()));
    let Some(python) = python else {
        assert!(
            std::env::var_os("CASUS_REQUIRE_SKLEARN").is_none(),
            "CASUS_REQUIRE_SKLEARN is set but there is no scikit-learn environment in target/score-venv"
        );
        eprintln!(
            "note: skipping the scikit-learn half: create it with \
             `python3 -m venv target/score-venv && target/score-venv/bin/pip install scikit-learn==1.9.1`"
        );
        return;
    };
    let manifest = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("score-events.json");
    let y: Vec<u8> = ev.iter().map(|e| u8::from(e.1)).collect();
    let p: Vec<f64> = ev.iter().map(|e| e.0).collect();
    std::fs::write(&manifest, json!({ "y": y, "p": p }).to_string()).unwrap();
    let output = Command::new(&python)
        .arg(root().join("tests/score/sklearn_check.py"))
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let peer: Json = serde_json::from_slice(&output.stdout).unwrap();
    eprintln!("scikit-learn: {peer}");
    assert_eq!(peer["events"], out["library"]["events"]);
    close(
        f(&out["library"]["binary_brier"]),
        f(&peer["brier"]),
        "brier_score_loss",
    );
    let bins = out["calibration"]["bins"].as_array().unwrap();
    let true_ = peer["prob_true"].as_array().unwrap();
    let pred = peer["prob_pred"].as_array().unwrap();
    assert_eq!(bins.len(), true_.len(), "{bins:?} against {true_:?}");
    let wilson = peer["wilson"].as_array().unwrap();
    assert_eq!(bins.len(), wilson.len());
    for (((bin, t), p), w) in bins.iter().zip(true_).zip(pred).zip(wilson) {
        close(f(&bin["observed"]), f(t), "calibration_curve prob_true");
        close(
            f(&bin["mean_forecast"]),
            f(p),
            "calibration_curve prob_pred",
        );
        close(f(&bin["low"]), f(&w[0]), "SciPy's Wilson interval, low");
        close(f(&bin["high"]), f(&w[1]), "SciPy's Wilson interval, high");
    }
}

/// Outside git, a file's current forecast is its only one; an open file is listed, not scored.
#[test]
fn without_git_the_current_forecast_is_the_only_one() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("score-no-git");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // GIT_CEILING_DIRECTORIES keeps git from finding the repository casus is built in.
    let ceiling = dir.parent().unwrap().to_string_lossy().into_owned();
    let resolved =
        std::fs::read_to_string(root().join("tests/fixtures/score/ceasefire/3.toml")).unwrap();
    std::fs::write(dir.join("ceasefire.toml"), resolved).unwrap();
    let open =
        std::fs::read_to_string(root().join("tests/fixtures/score/ceasefire/1.toml")).unwrap();
    std::fs::write(dir.join("open.toml"), open).unwrap();
    let output = Command::new(get_cargo_bin("casus"))
        .args(["score", ".", "--format", "json"])
        .current_dir(&dir)
        .env("GIT_CEILING_DIRECTORIES", &ceiling)
        .output()
        .unwrap();
    assert!(output.status.success());
    let out: Json = serde_json::from_slice(&output.stdout).unwrap();
    let files = out["files"].as_array().unwrap();
    assert_eq!(files[0]["state"], "scored");
    assert_eq!(files[1]["state"], "open");
    let forecasts = files[0]["forecasts"].as_array().unwrap();
    assert_eq!(forecasts.len(), 1);
    assert_eq!(forecasts[0]["commit"], Json::Null);
    assert_eq!(forecasts[0]["date"], "2025-03-01");
    close(f(&forecasts[0]["brier"]), 38.0 / 196.0, "ceasefire on disk");
}

#[test]
fn a_bad_since_is_a_usage_error() {
    let (code, _, stderr) = casus(
        root(),
        &[
            "score",
            "tests/fixtures/score/ceasefire/3.toml",
            "--since",
            "2025-13-01",
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is not a day"), "{stderr}");
}

/// The HTML page in a real browser: it loads without a console error, the chart and its
/// tables are in the DOM, and the screenshot shows the chart's points (their colour, from the
/// page's style sheet, is on screen). The PNG is kept under `target/report-screenshots/`.
#[test]
fn the_calibration_chart_renders_in_headless_chromium() {
    let (dir, _) = library("score-chromium");
    let (code, html, stderr) = casus(&dir, &["score", "library", "--format", "html"]);
    assert_eq!(code, 0, "{stderr}");
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let out = tmp.parent().unwrap_or(tmp).join("report-screenshots");
    std::fs::create_dir_all(&out).unwrap();
    let page = out.join("score.html");
    std::fs::write(&page, &html).unwrap();
    let png = out.join("score.png");
    let _ = std::fs::remove_file(&png);
    let log = chromium(
        &page,
        &tmp.join("chromium-profile-score-shot"),
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1200,1400".to_owned(),
        ],
    );
    let problems = console_problems(&log);
    assert!(
        problems.is_empty(),
        "console errors:\n{}",
        problems.join("\n")
    );
    let dom = chromium(
        &page,
        &tmp.join("chromium-profile-score-dom"),
        &["--dump-dom".to_owned()],
    );
    assert!(
        dom.contains("<svg class=\"calibration-chart\""),
        "no chart in the DOM"
    );
    assert!(
        dom.contains("<table class=\"calibration\">"),
        "no calibration table in the DOM"
    );
    assert!(
        dom.contains("<table class=\"misses\">"),
        "no table of misses in the DOM"
    );
    let points = dom.matches("<circle class=\"point\"").count();
    assert!(points >= 5, "{points} points");
    // #5b7fc0, the points' and bars' colour.
    let blue = pixels_like(&png, [0x5b, 0x7f, 0xc0]);
    assert!(
        blue > 300,
        "the chart's points are not visible ({blue} pixels)"
    );
}

/// Runs headless Chromium on `page`; its stdout, and stderr appended (the console log).
fn chromium(page: &Path, profile: &Path, extra: &[String]) -> String {
    let (stdout, stderr) = run_chromium(page, profile, extra);
    format!("{stdout}\n{stderr}")
}

/// A file name is user text: the Markdown table and the HTML page show it escaped.
#[test]
fn file_names_are_escaped_in_every_format() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("score-hostile");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let name = "a|<img src=x onerror=alert(1)>*b*.toml";
    let resolved =
        std::fs::read_to_string(root().join("tests/fixtures/score/ceasefire/3.toml")).unwrap();
    std::fs::write(dir.join(name), resolved).unwrap();
    let ceiling = dir.parent().unwrap().to_string_lossy().into_owned();
    let run = |format: &str| {
        let output = Command::new(get_cargo_bin("casus"))
            .args(["score", name, "--format", format])
            .current_dir(&dir)
            .env("GIT_CEILING_DIRECTORIES", &ceiling)
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let html = run("html");
    assert!(!html.contains("<img"), "{html}");
    assert!(
        html.contains("a|&lt;img src=x onerror=alert(1)&gt;*b*.toml"),
        "{html}"
    );
    let md = run("md");
    assert!(!md.contains("<img"), "{md}");
    assert!(
        md.contains("| a\\|&lt;img src=x onerror=alert(1)&gt;\\*b\\*.toml |"),
        "{md}"
    );
}

/// `--since` leaves out older forecasts; `-o` writes the file; `[lints]` can silence W0801
/// (the version that changed the model stays out of the record).
#[test]
fn since_output_and_the_level_of_w0801() {
    let (dir, _) = library("score-since");
    let (code, _, stderr) = casus(
        &dir,
        &[
            "score",
            "library",
            "--since",
            "2024-02-01",
            "--format",
            "json",
            "-o",
            "record.json",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let out: Json =
        serde_json::from_str(&std::fs::read_to_string(dir.join("record.json")).unwrap()).unwrap();
    let q00 = out["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["file"] == "library/q00.toml")
        .unwrap();
    assert_eq!(q00["forecasts"].as_array().unwrap().len(), 1);
    assert_eq!(q00["forecasts"][0]["date"], "2024-03-01");
    assert!(
        q00["left_out"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("before `--since`")
    );

    // Silence the warning in the newest version; the record is unchanged.
    let sanctions = dir.join("library/sanctions.toml");
    let text = std::fs::read_to_string(&sanctions).unwrap();
    std::fs::write(
        &sanctions,
        format!("{text}\n[lints]\nchanged_after_resolution = \"allow\"\n"),
    )
    .unwrap();
    git(&dir, &["commit", "-q", "-am", "allow"], "2025-07-03");
    let (code, stdout, stderr) = casus(
        &dir,
        &["score", "library/sanctions.toml", "--format", "json"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("W0801"), "{stderr}");
    let out: Json = serde_json::from_str(&stdout).unwrap();
    assert_eq!(out["files"][0]["forecasts"].as_array().unwrap().len(), 2);
    let reasons: Vec<&str> = out["files"][0]["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(reasons[1].contains("changes the model after the resolution"));
}
