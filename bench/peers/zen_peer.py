"""GoRules ZEN on the same rules: one expression node (derived facts in dependency order, then
the outcome) compiled once, evaluated for every combination of decisions. Also the same
expressions compiled with `zen.compile_expression` and evaluated one after another. Both
check that every combination reaches casus's outcome before reporting a time.

The rule sets are the ones `casus-bench gen` writes beside spec.json (`zen-graph.json`,
`zen-expressions.json`, from bench/src/zen.rs), which the native peer (`casus-bench native`)
evaluates too."""

import json
import os
import sys
import time
from importlib.metadata import version

import zen

import common


def main():
    data = common.load(sys.argv[1])
    spec = data["spec"]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    ids = [d["id"] for d in spec["decisions"]]
    combos = [dict(zip(ids, c)) for c in common.combinations(spec)]
    expected = [spec["outcomes"][o]["id"] for o in data["casus"]["path_outcomes"]]
    assert len(combos) == len(expected), (len(combos), len(expected))
    results = {}

    folder = os.path.dirname(sys.argv[1])
    with open(os.path.join(folder, "zen-graph.json")) as f:
        graph = f.read()
    expressions = common.load(os.path.join(folder, "zen-expressions.json"))

    engine = zen.ZenEngine()
    decision = engine.create_decision(graph)
    got = [decision.evaluate(c)["result"]["outcome"] for c in combos]
    agree = got == expected
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for c in combos:
            decision.evaluate(c)
        times.append((time.perf_counter() - start) / len(combos) * 1e6)
    results["zen"] = {
        "package": "zen-engine", "version": version("zen-engine"),
        "scenario": "%s %dx%d" % (spec["family"].lower(), spec["size"]["decisions"], spec["size"]["rules"]),
        "combinations": len(combos), "agree": agree,
        "disagreements": sum(a != b for a, b in zip(got, expected)),
        "per_combination_us": common.stats(times), "casus_per_path_us": common.casus_per_path_us(data),
    }

    compiled = [(k, zen.compile_expression(v)) for k, v in expressions]

    def run(c):
        ctx = dict(c)
        for k, e in compiled:
            ctx[k] = e.evaluate(ctx)
        return ctx["outcome"]

    got = [run(c) for c in combos]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for c in combos:
            run(c)
        times.append((time.perf_counter() - start) / len(combos) * 1e6)
    results["zen_expression"] = dict(results["zen"], agree=got == expected,
                                     disagreements=sum(a != b for a, b in zip(got, expected)),
                                     per_combination_us=common.stats(times))
    with open(sys.argv[2], "w") as f:
        json.dump(results, f, indent=1)
    print("zen:", json.dumps({k: (v["agree"], v["per_combination_us"]["median"]) for k, v in results.items()}))


main()
