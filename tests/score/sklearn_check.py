"""The peer for tests/score.rs: scikit-learn's Brier score and calibration curve of the events
the test generated, and SciPy's Wilson interval of each bin, printed as JSON for the test to
compare with `casus score`."""

import json
import sys

import numpy as np
from scipy.stats import binomtest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

with open(sys.argv[1], encoding="utf-8") as f:
    manifest = json.load(f)
y = np.array(manifest["y"], dtype=int)
p = np.array(manifest["p"], dtype=float)
prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
# The bins as calibration_curve makes them, for the interval of each non-empty one.
bins = np.searchsorted(np.linspace(0.0, 1.0, 11)[1:-1], p)
wilson = []
for b in range(10):
    n = int(np.sum(bins == b))
    if n:
        ci = binomtest(int(np.sum(y[bins == b])), n).proportion_ci(
            confidence_level=0.95, method="wilson"
        )
        wilson.append([float(ci.low), float(ci.high)])
print(
    json.dumps(
        {
            "events": int(len(y)),
            "brier": float(brier_score_loss(y, p)),
            "prob_true": [float(x) for x in prob_true],
            "prob_pred": [float(x) for x in prob_pred],
            "wilson": wilson,
        }
    )
)
