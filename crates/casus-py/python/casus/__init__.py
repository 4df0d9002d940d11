"""casus: scenario analysis from notebooks and scripts.

Load a scenario with `load` or `loads`, then evaluate it, sample it or sweep it. Every call
goes through the same analysis session as the `casus` command; `EvalResult.to_json()` is
what `casus eval --format json` prints.
"""

from ._casus import (
    Actor,
    Decision,
    Diagnostic,
    EvalResult,
    EvaluationError,
    Fact,
    Outcome,
    Samples,
    Scenario,
    ScenarioError,
    __version__,
    load,
    loads,
)

__all__ = [
    "Actor",
    "Decision",
    "Diagnostic",
    "EvalResult",
    "EvaluationError",
    "Fact",
    "Outcome",
    "Samples",
    "Scenario",
    "ScenarioError",
    "__version__",
    "load",
    "loads",
]
