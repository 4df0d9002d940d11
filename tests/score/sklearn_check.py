"""The peer for tests/score.rs: scikit-learn's Brier score and calibration curve of the events
the test generated, printed as JSON for the test to compare with `casus score`."""

import json
import sys

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

with open(sys.argv[1], encoding="utf-8") as f:
    manifest = json.load(f)
y = np.array(manifest["y"], dtype=int)
p = np.array(manifest["p"], dtype=float)
prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
print(
    json.dumps(
        {
            "events": int(len(y)),
            "brier": float(brier_score_loss(y, p)),
            "prob_true": [float(x) for x in prob_true],
            "prob_pred": [float(x) for x in prob_pred],
        }
    )
)
