"""casus: scenario analysis from notebooks and scripts.

Load a scenario with `load` or `loads`, then evaluate it, sample it or sweep it. Every call
goes through the same analysis session as the `casus` command; `EvalResult.to_json()` is
what `casus eval --format json` prints.
"""

import os
from typing import Any, Never, TypeAlias, final

import numpy
import numpy.typing

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

__version__: str

# A value as `json.loads` gives it.
_JSON: TypeAlias = Any

# A value `given=` fixes: an option of a decision (str), or an input fact's value.
_Given: TypeAlias = bool | int | float | str

class ScenarioError(ValueError):
    """The scenario has errors. `diagnostics` holds every finding; `str()` is the rendering
    `casus check` prints."""

    diagnostics: list[Diagnostic]

class EvaluationError(RuntimeError):
    """The evaluation failed: a path-dependent error, no consistent path, or a limit.
    `diagnostics` holds the findings; `str()` is their rendering."""

    diagnostics: list[Diagnostic]

def load(path: str | os.PathLike[str], **unknown: Never) -> Scenario:
    """Reads the scenario file at `path` and checks it; raises `ScenarioError` when it has
    errors."""

def loads(text: str, name: str = "<string>", **unknown: Never) -> Scenario:
    """Checks scenario `text`, named `name` in messages; raises `ScenarioError` when it has
    errors."""

@final
class Diagnostic:
    """One finding about a scenario: a code such as `E0101`, where it is, and how to fix it."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int | None: ...
    @property
    def column(self) -> int | None: ...
    @property
    def help(self) -> str | None: ...
    @property
    def notes(self) -> list[str]: ...
    @property
    def rendered(self) -> str: ...
    @property
    def json(self) -> str: ...
    def to_dict(self) -> dict[str, _JSON]:
        """The entry `casus check --format json` prints for this finding."""

@final
class Actor:
    """An actor: someone who decides."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def doc(self) -> str | None: ...

@final
class Fact:
    """A fact: an input value, or one that rules derive."""

    @property
    def id(self) -> str: ...
    @property
    def derived(self) -> bool: ...
    @property
    def value(self) -> bool | float | str: ...
    @property
    def unit(self) -> str | None: ...
    @property
    def source(self) -> str | None: ...
    @property
    def doc(self) -> str | None: ...

@final
class Decision:
    """A decision: an actor's choice, or a chance event (`actor == "nature"`)."""

    @property
    def id(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def chance(self) -> bool: ...
    @property
    def ask(self) -> str | None: ...
    @property
    def options(self) -> list[str]: ...
    @property
    def doc(self) -> str | None: ...

@final
class Outcome:
    """An outcome: where paths end, with a payoff per actor."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def payoffs(self) -> dict[str, float]: ...
    @property
    def doc(self) -> str | None: ...

@final
class Scenario:
    """A checked scenario: its parts, its findings, and evaluations of any what-if."""

    @property
    def title(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def actors(self) -> list[Actor]: ...
    @property
    def facts(self) -> list[Fact]: ...
    @property
    def decisions(self) -> list[Decision]: ...
    @property
    def outcomes(self) -> list[Outcome]: ...
    @property
    def variants(self) -> list[str]: ...
    @property
    def signposts(self) -> list[str]: ...
    def check(self) -> list[Diagnostic]:
        """Every finding of checking, evaluating and linting: what `casus check` reports."""

    def evaluate(
        self,
        *,
        given: dict[str, _Given] | None = None,
        variant: str | None = None,
        observe: list[str] | None = None,
        analyses: list[str] | None = None,
        samples: int | None = None,
        seed: int | None = None,
        deadline: float | None = None,
        **unknown: Never,
    ) -> EvalResult:
        """Evaluates the scenario: the forecast, the strategy and the analyses named
        (`ranges`, `information`, `ranking`, `watch`, `analysts`; `None`: all of them)."""

    def sample(
        self,
        n: int,
        seed: int | None = None,
        *,
        given: dict[str, _Given] | None = None,
        variant: str | None = None,
        observe: list[str] | None = None,
        deadline: float | None = None,
        **unknown: Never,
    ) -> Samples:
        """The draws `casus eval --samples N --seed S` summarises, as numpy arrays."""

    def sweep(
        self,
        given: list[dict[str, _Given]],
        *,
        variant: str | None = None,
        observe: list[str] | None = None,
        analyses: list[str] | None = None,
        deadline: float | None = None,
        **unknown: Never,
    ) -> list[EvalResult]:
        """Evaluates one what-if per dict of `given`, in parallel with the GIL released."""

@final
class EvalResult:
    """What one evaluation found; `to_json()` is `casus eval --format json`'s output."""

    @property
    def scenario(self) -> str: ...
    @property
    def variant(self) -> str | None: ...
    @property
    def paths(self) -> int | float: ...
    @property
    def forecast(self) -> dict[str, float]: ...
    @property
    def ranges(self) -> dict[str, tuple[float, float] | None] | None: ...
    @property
    def outcomes(self) -> list[dict[str, _JSON]]: ...
    @property
    def strategy(self) -> dict[str, _JSON]: ...
    @property
    def line_of_play(self) -> list[dict[str, _JSON]]: ...
    @property
    def payoffs(self) -> dict[str, float]: ...
    @property
    def key_assumptions(self) -> list[dict[str, _JSON]]: ...
    @property
    def sensitivity(self) -> list[dict[str, _JSON]] | None: ...
    @property
    def value_of_information(self) -> list[dict[str, _JSON]] | None: ...
    @property
    def ranking(self) -> list[dict[str, _JSON]] | None: ...
    @property
    def watch_list(self) -> list[dict[str, _JSON]] | None: ...
    @property
    def sampling(self) -> dict[str, _JSON] | None: ...
    @property
    def analysts(self) -> dict[str, _JSON] | None: ...
    @property
    def observed(self) -> dict[str, _JSON] | None: ...
    @property
    def omitted(self) -> list[dict[str, str]]: ...
    def to_dict(self) -> dict[str, _JSON]:
        """The result as `casus eval --format json` prints it, parsed."""

    def to_json(self) -> str:
        """The result as `casus eval --format json` prints it, byte for byte."""

    def forecast_frame(self) -> Any:
        """The forecast as a pandas DataFrame indexed by outcome id (needs pandas)."""

@final
class Samples:
    """The draws of `Scenario.sample`."""

    @property
    def outcomes(self) -> list[str]: ...
    @property
    def seed(self) -> int: ...
    @property
    def probabilities(self) -> numpy.typing.NDArray[numpy.float64]: ...
    @property
    def line_changed(self) -> numpy.typing.NDArray[numpy.bool_]: ...
    def summary(self) -> dict[str, _JSON]:
        """What `casus eval --samples N --seed S --format json` prints under `sampling`."""

    def __len__(self) -> int: ...
