"""Long calls release the GIL, end at their deadline, and stop on Ctrl-C."""

import subprocess
import sys
import threading
import time

import pytest

import casus
from conftest import UKRAINE, cli_json, rules_scenario, wide_scenario

# A million draws of a scenario whose merged graph has 2^14 nodes take minutes: far past every
# bound below. (Draws of the bundled scenarios re-weight a graph of a few dozen nodes, a
# million of them in about a second.)
LONG = 1_000_000


@pytest.fixture(scope="module")
def wide():
    return casus.loads(wide_scenario(14))


def ticks_during(call):
    """How often a Python thread that sleeps 1 ms at a time woke up while `call` ran, and how
    long the call took. With the GIL held for the whole call the thread cannot wake at all."""
    ticks = 0
    stop = threading.Event()

    def tick():
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0.001)

    thread = threading.Thread(target=tick)
    thread.start()
    time.sleep(0.05)
    before = ticks
    start = time.monotonic()
    try:
        call()
    finally:
        elapsed = time.monotonic() - start
        during = ticks - before
        stop.set()
        thread.join()
    return during, elapsed


def test_a_thread_keeps_running_during_a_long_sample(wide):
    def call():
        with pytest.raises(TimeoutError, match="deadline of 1 s"):
            wide.sample(LONG, deadline=1.0)

    during, elapsed = ticks_during(call)
    assert elapsed >= 1.0
    # About a thousand wake-ups a second when the GIL is free; none while it is held.
    assert during >= 100, f"the thread woke {during} times in {elapsed:.2f} s"


def test_a_thread_keeps_running_during_a_sweep(ukraine):
    points = [{"kyiv_buy_in": v} for v in range(0, 101)] * 20
    results = []
    during, elapsed = ticks_during(lambda: results.extend(ukraine.sweep(points)))
    assert len(results) == len(points)
    assert during >= elapsed * 100 - 20, f"the thread woke {during} times in {elapsed:.2f} s"


def test_the_deadline_ends_a_long_sample_on_time(wide):
    start = time.monotonic()
    with pytest.raises(TimeoutError):
        wide.sample(LONG, deadline=0.5)
    # Past the deadline every draw still queued is refused one by one, which takes a fraction
    # of a second on a busy two-core machine (`casus eval --samples --timeout` does the same).
    assert time.monotonic() - start < 0.5 + 1.0


def test_past_the_deadline_unfinished_analyses_are_left_out(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text(rules_scenario(2000))
    scenario = casus.load(path)
    start = time.monotonic()
    result = scenario.evaluate(deadline=0.5)
    elapsed = time.monotonic() - start
    assert elapsed < 0.5 * 1.1 + 0.5
    # The forecast finished: it is the CLI's, which also leaves analyses out at its limit.
    cli = cli_json("eval", path, "--timeout", "1")
    assert result.forecast == {o["id"]: o["probability"] for o in cli["outcomes"]}
    left_out = {o["analysis"] for o in result.omitted}
    assert left_out, "the analyses of 2000 rules should not finish in half a second"
    assert all(o["reason"] for o in result.omitted)
    # What was left out is absent, not empty: the result never claims an analysis found nothing.
    if "ranking" in left_out:
        assert result.ranking is None


def test_the_scenario_is_usable_after_a_deadline(wide):
    with pytest.raises(TimeoutError):
        wide.sample(LONG, deadline=0.2)
    assert len(wide.sample(10)) == 10


INTERRUPT = """
import os, signal, sys, threading, time
import casus
from conftest import rules_scenario, wide_scenario, UKRAINE
scenario = {
    "sample": lambda: casus.loads(wide_scenario(14)),
    "sweep": lambda: casus.load(UKRAINE),
    "evaluate": lambda: casus.loads(rules_scenario(4000)),
}[sys.argv[1]]()
points = [{"kyiv_buy_in": v % 100} for v in range(200_000)]
calls = {
    "sample": lambda: scenario.sample(1_000_000),
    "sweep": lambda: scenario.sweep(points),
    "evaluate": lambda: scenario.evaluate(),
}
fired = []

def interrupt():
    # A real SIGINT, as Ctrl-C sends.
    fired.append(time.monotonic())
    os.kill(os.getpid(), signal.SIGINT)

threading.Timer(0.5, interrupt).start()
try:
    calls[sys.argv[1]]()
except KeyboardInterrupt:
    print(f"interrupted after {time.monotonic() - fired[0]:.3f} s")
else:
    print("finished")
# The scenario still works after the interruption.
print(len(casus.load(UKRAINE).sample(10)))
"""


@pytest.mark.parametrize("call", ["sample", "sweep", "evaluate"])
def test_ctrl_c_stops_a_long_call_with_keyboard_interrupt(call, tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", INTERRUPT, call],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(UKRAINE.parents[1] / "crates" / "casus-py" / "tests"),
    )
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first.startswith("interrupted after"), done.stdout
    assert float(first.split()[2]) < 2.0, first
    assert second == "10"


def test_one_scenario_serves_several_threads_at_once(ukraine):
    points = [{"kyiv_buy_in": v} for v in range(0, 101, 10)]
    expected = [ukraine.evaluate(given=p).to_json() for p in points]
    found: dict[int, list[str]] = {}

    def work(k):
        found[k] = [ukraine.evaluate(given=p).to_json() for p in points]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(found[k] == expected for k in range(4))
