#!/usr/bin/env python3
"""The Python package's sweep against the same sweep through the `casus` command.

A sweep over `kyiv_buy_in` = 0, 1, ..., 100 on scenarios/ukraine-peace-framework.toml, timed
three ways and checked to give the same numbers:

- the CLI: one `casus eval --given kyiv_buy_in=V --format json` process per point, its JSON
  parsed, one after the other and with one process per core at a time;
- `casus.load(...)` then `scenario.sweep(points)`: the same analyses as the command (load and
  check included in the time);
- `scenario.sweep(points, analyses=[])`: the forecast and strategy only, which the command
  cannot be asked for.

Each is run REPEATS times; the medians are written into bench/RESULTS.md between the markers
below (bench/run keeps that section when it rewrites the rest). Needs the release CLI
(`cargo build --release -p casus-cli`) and the package installed in the running Python
(`pip install ./crates/casus-py`).

    python3 bench/python_sweep.py [--write]
"""

import concurrent.futures
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

import casus

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "ukraine-peace-framework.toml"
CLI = pathlib.Path(os.environ.get("CASUS_BIN", ROOT / "target" / "release" / "casus"))
RESULTS = ROOT / "bench" / "RESULTS.md"
START = "<!-- python-sweep: start (written by bench/python_sweep.py; bench/run keeps it) -->"
END = "<!-- python-sweep: end -->"
VALUES = list(range(0, 101))
REPEATS = 5


def cli_point(value: int, extra: tuple[str, ...] = ()) -> dict:
    done = subprocess.run(
        [str(CLI), "eval", str(SCENARIO), "--given", f"kyiv_buy_in={value}", "--format", "json", *extra],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def cli_serial(extra: tuple[str, ...] = ()) -> list[dict]:
    return [cli_point(v, extra) for v in VALUES]


def cli_parallel(extra: tuple[str, ...] = ()) -> list[dict]:
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        return list(pool.map(lambda v: cli_point(v, extra), VALUES))


def py_full() -> list:
    scenario = casus.load(SCENARIO)
    results = scenario.sweep([{"kyiv_buy_in": v} for v in VALUES])
    # Every point's forecast read, as the docs example does: the numbers in Python's hands.
    for r in results:
        r.forecast
    return results


def py_forecast() -> list:
    scenario = casus.load(SCENARIO)
    results = scenario.sweep([{"kyiv_buy_in": v} for v in VALUES], analyses=[])
    for r in results:
        r.forecast
    return results


def timed(run) -> tuple[float, list]:
    """The median time of REPEATS runs, and the last run's results."""
    times = []
    out: list = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    py_full()  # warm-up: the thread pool, the page cache
    serial, from_cli = timed(cli_serial)
    parallel, from_cli_parallel = timed(cli_parallel)
    full, results = timed(py_full)
    none = ("--analyses", "none")
    serial_forecast, from_cli_forecast = timed(lambda: cli_serial(none))
    parallel_forecast, _ = timed(lambda: cli_parallel(none))
    forecast, forecast_results = timed(py_forecast)
    # Outside the timed runs: the results as dicts, to compare with the command's JSON.
    from_py = [r.to_dict() for r in results]
    from_forecast = [r.to_dict() for r in forecast_results]
    # The same sweep: every point's JSON is the command's, and the forecast-only points have
    # the command's forecast and strategy.
    assert from_py == from_cli == from_cli_parallel, "the sweep differs from the CLI's"
    for a, b, c in zip(from_forecast, from_cli, from_cli_forecast):
        assert a["outcomes"] == [{**o, "range": None} for o in b["outcomes"]]
        assert a["strategy"] == b["strategy"] == c["strategy"]
        assert [o["probability"] for o in a["outcomes"]] == [o["probability"] for o in c["outcomes"]]
    n = len(VALUES)
    load = os.getloadavg()
    ms = lambda t: f"{t * 1000:.0f} ms"
    per = lambda t: f"{t / n * 1000:.2f} ms"
    # Each package row against the same sweep through the command: every analysis, or the
    # forecast and strategy alone (`--analyses none`).
    rows = [
        ("CLI, one process per point, one at a time", serial, serial, parallel, "`casus eval --given kyiv_buy_in=V --format json`, JSON parsed"),
        (f"CLI, one process per point, {os.cpu_count()} at a time", parallel, serial, parallel, "the same, from a thread pool"),
        ("`scenario.sweep(points)`", full, serial, parallel, "every analysis `casus eval` computes; load and check included"),
        ("CLI `--analyses none`, one at a time", serial_forecast, serial_forecast, parallel_forecast, "the forecast and strategy only, JSON parsed"),
        (f"CLI `--analyses none`, {os.cpu_count()} at a time", parallel_forecast, serial_forecast, parallel_forecast, "the same, from a thread pool"),
        ("`scenario.sweep(points, analyses=[])`", forecast, serial_forecast, parallel_forecast, "forecast and strategy only; load and check included"),
    ]
    lines = [
        START,
        "## Python sweep against the CLI",
        "",
        f"A sweep over `kyiv_buy_in` = 0…100 ({n} points) on `scenarios/ukraine-peace-framework.toml`, "
        f"median of {REPEATS} runs; each way gives the same numbers as the CLI (checked by the script). "
        f"Written by `bench/python_sweep.py --write` on {os.cpu_count()} cores, load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, with the release CLI and the package built by "
        "`pip install ./crates/casus-py` (release profile).",
        "",
        "| how | total | per point | speedup over the same sweep, serial CLI | over the parallel CLI | what runs |",
        "|---|---|---|---|---|---|",
    ]
    for name, t, one, many, what in rows:
        lines.append(f"| {name} | {ms(t)} | {per(t)} | {one / t:.1f}× | {many / t:.1f}× | {what} |")
    lines += [
        "",
        "Each way ends with every point's numbers in the caller's hands: the CLI rows include parsing its "
        "JSON, the package rows return result objects and read every point's forecast (`to_dict()`, "
        "which makes a point's whole JSON, is not timed). "
        "Each package row is compared with the same sweep through the command: every analysis, or the "
        "forecast and strategy alone (`casus eval --analyses none`). "
        "The command pays a process start, a read and a check of the file for every point (`eval` skips "
        "the lints, which could only warn), which the package pays once. With every analysis asked for, "
        "the analyses themselves (the rule drops of the ranking above all) are a large share of each "
        "point and cost the same through both.",
        END,
    ]
    section = "\n".join(lines) + "\n"
    print(section)
    if "--write" in sys.argv:
        text = RESULTS.read_text()
        if START in text and END in text:
            before, rest = text.split(START, 1)
            after = rest.split(END, 1)[1].lstrip("\n")
            text = before + section + ("\n" + after if after else "")
        else:
            text = text.rstrip("\n") + "\n\n" + section
        # Written whole, then renamed over the old file, so no reader sees half of it.
        partial = RESULTS.with_suffix(".md.partial")
        partial.write_text(text)
        os.replace(partial, RESULTS)
        print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
