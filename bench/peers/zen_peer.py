"""GoRules ZEN on the same rules: one expression node (derived facts in dependency order, then
the outcome) compiled once, evaluated for every combination of decisions. Also the same
expressions compiled with `zen.compile_expression` and evaluated one after another. Both
check that every combination reaches casus's outcome before reporting a time."""

import json
import sys
import time
from importlib.metadata import version

import zen

import common


def lit(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value + "'"
    return repr(float(value))


def expr(cond, derived, ref):
    op = cond["op"]
    if op in ("and", "or"):
        return "(" + (" " + op + " ").join(expr(a, derived, ref) for a in cond["args"]) + ")"
    if op == "not":
        return "not(" + expr(cond["arg"], derived, ref) + ")"
    name = cond["name"]
    name = ref(name) if name in derived else name
    sym = {"eq": "==", "ne": "!=", "ge": ">=", "lt": "<"}[op]
    return "(" + name + " " + sym + " " + lit(cond["value"]) + ")"


def fact_expressions(spec, ref):
    """(key, expression) for every derived fact in dependency order, then the outcome."""
    derived = {d["id"]: d for d in spec["derived"]}
    ids = [d["id"] for d in spec["derived"]]
    layer = common.fact_layers(spec)
    out = []
    for f in sorted(ids, key=lambda f: (layer[f], ids.index(f))):
        i = ids.index(f)
        d = derived[f]
        default = {"number": 0, "bool": False}.get(d["type"], (d.get("values") or [""])[0])
        adds = [(r, a) for r in spec["rules"] for t, a in r["add"] if t == i]
        sets = [(r, v) for r in spec["rules"] for t, v in r["then"] if t == i]
        if d["type"] == "number":
            parts = [lit(default)] + [
                "(" + expr(r["when"], derived, ref) + " ? " + lit(a) + " : 0)" for r, a in adds
            ]
            out.append((f, " + ".join(parts)))
        else:
            # Highest priority first; the file never has two writers of one priority that
            # disagree, so the first that fires wins.
            sets.sort(key=lambda rv: -rv[0]["priority"])
            text = lit(default)
            for r, v in reversed(sets):
                text = "(" + expr(r["when"], derived, ref) + " ? " + lit(v) + " : " + text + ")"
            out.append((f, text))
    text = "'" + next(o["id"] for o in spec["outcomes"] if o["when"] is None) + "'" if any(
        o["when"] is None for o in spec["outcomes"]) else "null"
    for o in reversed([o for o in spec["outcomes"] if o["when"] is not None]):
        text = "(" + expr(o["when"], derived, ref) + " ? '" + o["id"] + "' : " + text + ")"
    out.append(("outcome", text))
    return out


def graph(spec):
    exprs = fact_expressions(spec, lambda f: "$." + f)
    node = lambda id, type, content=None: dict(
        {"id": id, "type": type, "name": id, "position": {"x": 0, "y": 0}},
        **({"content": content} if content is not None else {}))
    return {
        "nodes": [
            node("request", "inputNode"),
            node("rules", "expressionNode", {
                "expressions": [{"id": "e%d" % i, "key": k, "value": v} for i, (k, v) in enumerate(exprs)],
                "passThrough": False, "inputField": None, "outputPath": None, "executionMode": "single"}),
            node("response", "outputNode"),
        ],
        "edges": [
            {"id": "a", "sourceId": "request", "targetId": "rules", "type": "edge"},
            {"id": "b", "sourceId": "rules", "targetId": "response", "type": "edge"},
        ],
    }


def main():
    data = common.load(sys.argv[1])
    spec = data["spec"]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    ids = [d["id"] for d in spec["decisions"]]
    combos = [dict(zip(ids, c)) for c in common.combinations(spec)]
    expected = [spec["outcomes"][o]["id"] for o in data["casus"]["path_outcomes"]]
    assert len(combos) == len(expected), (len(combos), len(expected))
    results = {}

    engine = zen.ZenEngine()
    decision = engine.create_decision(json.dumps(graph(spec)))
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

    compiled = [(k, zen.compile_expression(v)) for k, v in fact_expressions(spec, lambda f: f)]

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
