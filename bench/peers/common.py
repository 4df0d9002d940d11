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
