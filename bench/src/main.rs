//! `casus-bench`: generate scenarios for the peers, measure cases, write `bench/RESULTS.md`.
//!
//! ```text
//! casus-bench gen FAMILY DECISIONS RULES DIR   scenario.toml + spec.json (with casus's answers),
//!                                              and the ZEN rule sets when the family has them
//! casus-bench native FAMILY DECISIONS RULES OUT.json [RUNS]
//!                                              zen-engine (Rust) and casus per combination
//! casus-bench case ID                          run one case here, print its measurements (JSON)
//! casus-bench report [PEERS.json]              run every case in its own process, print Markdown
//! casus-bench time FAMILY DECISIONS RULES      one quick load/compile/eval timing
//! ```

use std::io::Write as _;
use std::ops::ControlFlow;
use std::process::{Command, ExitCode};
use std::time::Instant;

use casus_bench::cases::{self, Measured};
use casus_bench::generate::{Family, Size, generate};
use casus_bench::{report, stages};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("gen") => gen_command(&args[1..]),
        Some("case") => case_command(&args[1..]),
        Some("report") => report_command(&args[1..]),
        Some("time") => time_command(&args[1..]),
        Some("native") => native_command(&args[1..]),
        _ => Err(
            "usage: casus-bench gen|case|report|time|native … (see the source's header)".to_owned(),
        ),
    };
    match result {
        Ok(text) => {
            let _ = std::io::stdout().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "casus-bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn family_size(args: &[String]) -> Result<(Family, Size), String> {
    let [family, decisions, rules, ..] = args else {
        return Err("expected FAMILY DECISIONS RULES".to_owned());
    };
    let family = Family::parse(family).ok_or_else(|| format!("unknown family `{family}`"))?;
    let number = |s: &String| s.parse::<usize>().map_err(|e| format!("`{s}`: {e}"));
    Ok((
        family,
        Size {
            decisions: number(decisions)?,
            rules: number(rules)?,
        },
    ))
}

/// Writes the scenario, and a JSON spec with casus's answers that the peer scripts check
/// themselves against: the forecast, the strategy's payoffs, every path's outcome (in the
/// walker's order: decisions in file order, options in file order) and casus's own time.
fn gen_command(args: &[String]) -> Result<String, String> {
    let (family, size) = family_size(args)?;
    let dir = args.get(3).ok_or("expected an output directory")?;
    let spec = generate(family, size, cases::SEED);
    let text = spec.to_toml();
    // Written first, so that a family too large to walk path by path still gets its file.
    std::fs::create_dir_all(dir).map_err(|e| format!("{dir}: {e}"))?;
    std::fs::write(format!("{dir}/scenario.toml"), &text).map_err(|e| e.to_string())?;
    let scenario = stages::load_check("scenario.toml", &text)?;
    let program = stages::compile(&scenario)?;
    let mut seconds = Vec::new();
    let mut evaluation = None;
    for _ in 0..7 {
        let start = Instant::now();
        evaluation = Some(stages::eval(&scenario, &program, 1)?);
        seconds.push(start.elapsed().as_secs_f64());
    }
    seconds.sort_by(f64::total_cmp);
    let evaluation = evaluation.ok_or("no evaluation")?;
    // Each path's outcome, for the peers that evaluate path by path; a family with more paths
    // than can be listed (the window family merges 2^60) gets none, and no peer takes it.
    let mut outcomes = Vec::new();
    let listed = casus_rules::search::paths::walk(
        &program,
        &casus_rules::Given::none(program.decisions.len()),
        1 << 22,
        |path| {
            outcomes.push(path.outcome.unwrap_or(usize::MAX));
            ControlFlow::Continue(())
        },
    );
    let (outcomes, unlisted) = match listed {
        Ok(_) => (Some(outcomes), String::new()),
        Err(e) => (None, format!("; each path's outcome not listed: {e}")),
    };
    let json = serde_json::json!({
        "spec": spec,
        "probabilities": program.decisions.iter().map(|d| d.probabilities.clone()).collect::<Vec<_>>(),
        "casus": {
            "paths": evaluation.paths as f64,
            "forecast": evaluation.outcomes.iter().map(|o| o.probability).collect::<Vec<_>>(),
            "payoffs": evaluation.strategy.payoffs,
            "path_outcomes": outcomes,
            "eval_seconds": seconds,
        },
    });
    std::fs::write(
        format!("{dir}/spec.json"),
        serde_json::to_string(&json).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    write_zen(&spec, dir)?;
    Ok(format!(
        "{dir}: {} paths, casus {:.3} ms (median of 7, one thread){unlisted}\n",
        evaluation.paths,
        seconds[seconds.len() / 2] * 1e3
    ))
}

/// The ZEN rule sets the Python peer reads: `zen-graph.json` (the decision graph) and
/// `zen-expressions.json` (`[key, expression]` pairs with plain names). Families ZEN cannot
/// take (guarded decisions) get none.
fn write_zen(spec: &casus_bench::generate::Spec, dir: &str) -> Result<(), String> {
    use casus_bench::zen;
    // The one refusal is a guarded family, which gets no ZEN files.
    let (Ok(graph), Ok(expressions)) = (zen::graph(spec), zen::plain_expressions(spec)) else {
        return Ok(());
    };
    for (name, value) in [
        ("zen-graph.json", graph),
        ("zen-expressions.json", serde_json::json!(expressions)),
    ] {
        let text = serde_json::to_string(&value).map_err(|e| e.to_string())?;
        std::fs::write(format!("{dir}/{name}"), text).map_err(|e| format!("{dir}/{name}: {e}"))?;
    }
    Ok(())
}

#[cfg(not(feature = "native-zen"))]
fn native_command(_: &[String]) -> Result<String, String> {
    Err("this casus-bench was built without the native ZEN peer: build it with `--features native-zen`".to_owned())
}

/// Times zen-engine's Rust crate and casus per combination (see `casus_bench::native`) and
/// writes `{"zen_native": …}` for `bench/peers/run.sh` to merge into the peers' results. Fails,
/// writing nothing, when any engine disagrees with casus on any combination.
#[cfg(feature = "native-zen")]
fn native_command(args: &[String]) -> Result<String, String> {
    let (family, size) = family_size(args)?;
    let out = args.get(3).ok_or("expected an output file")?;
    let runs = match args.get(4) {
        Some(r) => r.parse::<usize>().map_err(|e| format!("`{r}`: {e}"))?,
        None => 3,
    };
    let spec = generate(family, size, cases::SEED);
    let comparison = casus_bench::native::compare(&spec, runs).map_err(|e| e.to_string())?;
    let json = serde_json::json!({ "zen_native": comparison });
    let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
    std::fs::write(out, text).map_err(|e| format!("{out}: {e}"))?;
    Ok(format!(
        "{}: zen-engine {:.2} µs, casus given every decision {:.2} µs, through the session {:.2} µs per combination; casus walk {:.3} µs per path (medians of {runs}); every combination agrees\n",
        comparison.scenario,
        comparison.zen_us.median,
        comparison.casus_given_us.median,
        comparison.casus_session_us.median,
        comparison.casus_walk_per_path_us.median,
    ))
}

fn case_command(args: &[String]) -> Result<String, String> {
    let id = args.first().ok_or("expected a case id")?;
    let case = cases::all()
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| format!("unknown case `{id}`"))?;
    let measured = cases::run(&case)?;
    serde_json::to_string(&measured)
        .map(|s| s + "\n")
        .map_err(|e| e.to_string())
}

fn report_command(args: &[String]) -> Result<String, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut measured = Vec::new();
    for case in cases::all() {
        let _ = writeln!(std::io::stderr(), "running {}", case.id);
        let output = Command::new(&exe)
            .args(["case", case.id])
            .output()
            .map_err(|e| e.to_string())?;
        if !output.status.success() {
            return Err(format!(
                "case {} failed: {}",
                case.id,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let value: serde_json::Value =
            serde_json::from_slice(&output.stdout).map_err(|e| e.to_string())?;
        measured.push((case, measured_from(&value)?));
    }
    let peers = match args.first() {
        Some(path) => std::fs::read_to_string(path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok()),
        None => None,
    };
    Ok(report::markdown(&measured, peers.as_ref()))
}

fn measured_from(value: &serde_json::Value) -> Result<Measured, String> {
    let seconds = value["seconds"]
        .as_array()
        .ok_or("no seconds")?
        .iter()
        .filter_map(serde_json::Value::as_f64)
        .collect();
    let cpu_seconds = value["cpu_seconds"]
        .as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_f64).collect())
        .unwrap_or_default();
    Ok(Measured {
        id: value["id"].as_str().unwrap_or_default().to_owned(),
        seconds,
        cpu_seconds,
        peak_rss: value["peak_rss"].as_u64(),
        paths: value["paths"].as_f64().map(|p| p as u128),
        nodes: value["nodes"].as_u64(),
        rules: value["rules"].as_u64().unwrap_or_default() as usize,
        decisions: value["decisions"].as_u64().unwrap_or_default() as usize,
        bytes: value["bytes"].as_u64().unwrap_or_default() as usize,
    })
}

fn time_command(args: &[String]) -> Result<String, String> {
    let (family, size) = family_size(args)?;
    let threads = args.get(3).and_then(|t| t.parse().ok()).unwrap_or(1usize);
    let text = generate(family, size, cases::SEED).to_toml();
    let start = Instant::now();
    let scenario = stages::load_check("generated.toml", &text)?;
    let loaded = start.elapsed();
    let program = stages::compile(&scenario)?;
    let compiled = start.elapsed();
    let evaluation = stages::eval(&scenario, &program, threads)?;
    let evaluated = start.elapsed();
    Ok(format!(
        "load+check {:.2} ms, compile {:.2} ms, eval {:.2} ms ({threads} threads), {} paths, {} nodes, peak {:.1} MB\nforecast {:?}\n",
        loaded.as_secs_f64() * 1e3,
        (compiled - loaded).as_secs_f64() * 1e3,
        (evaluated - compiled).as_secs_f64() * 1e3,
        evaluation.paths,
        evaluation.nodes,
        stages::peak_rss().unwrap_or(0) as f64 / 1e6,
        evaluation
            .outcomes
            .iter()
            .map(|o| o.probability)
            .collect::<Vec<_>>()
    ))
}
