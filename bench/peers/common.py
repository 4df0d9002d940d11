"""Shared helpers for the peer comparisons: reading casus's spec, enumerating combinations,
timing statistics."""

import itertools
import json
import statistics


def load(path):
    with open(path) as f:
        return json.load(f)


def combinations(spec):
    """Every assignment of an option to each decision, in casus's walker order: decisions in
    file order, options in file order (the last decision varies fastest)."""
    options = [d["options"] for d in spec["decisions"]]
    return itertools.product(*options)


def stats(values):
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": len(values),
    }


def casus_per_path_us(data):
    paths = data["casus"]["paths"]
    return stats([s / paths * 1e6 for s in data["casus"]["eval_seconds"]])


def fact_layers(spec):
    """Derived facts in dependency order: a fact comes after every fact its writers read."""
    derived = [d["id"] for d in spec["derived"]]
    index = {f: i for i, f in enumerate(derived)}
    reads = {f: set() for f in derived}
    for rule in spec["rules"]:
        targets = [t for t, _ in rule["then"]] + [t for t, _ in rule["add"]]
        for t in targets:
            for name in names(rule["when"]):
                if name in index:
                    reads[derived[t]].add(name)
    layer = {}

    def visit(f):
        if f not in layer:
            layer[f] = 1 + max((visit(g) for g in reads[f]), default=-1)
        return layer[f]

    for f in derived:
        visit(f)
    return layer


def names(cond):
    op = cond["op"]
    if op in ("and", "or"):
        for a in cond["args"]:
            yield from names(a)
    elif op == "not":
        yield from names(cond["arg"])
    else:
        yield cond["name"]
