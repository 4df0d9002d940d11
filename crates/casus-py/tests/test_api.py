"""The scenario's parts as read-only objects, and the result's views of `casus eval`'s JSON."""

import json
import subprocess
import sys
import tomllib

import pytest

import casus
from conftest import ROOT, SCENARIOS, UKRAINE, cli_json


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_the_parts_are_those_of_the_file(path):
    # The oracle is Python's own TOML reader, not casus.
    raw = tomllib.loads(path.read_text())
    scenario = casus.load(path)
    assert scenario.title == raw["scenario"]["title"]
    assert [a.id for a in scenario.actors] == list(raw["actors"])
    assert [d.id for d in scenario.decisions] == list(raw["decisions"])
    assert [o.id for o in scenario.outcomes] == list(raw["outcomes"])
    assert [f.id for f in scenario.facts] == list(raw.get("facts", {}))
    assert scenario.variants == list(raw.get("variants", {}))
    assert scenario.signposts == list(raw.get("signposts", {}))
    for decision in scenario.decisions:
        written = raw["decisions"][decision.id]
        assert decision.options == written["options"]
        assert decision.actor == written["actor"]
        assert decision.chance == (written["actor"] == "nature")
    for outcome in scenario.outcomes:
        written = raw["outcomes"][outcome.id].get("payoff", {})
        assert outcome.payoffs == pytest.approx(written)


def test_an_input_fact_has_its_value_unit_and_source(ukraine):
    fact = next(f for f in ukraine.facts if f.id == "kyiv_buy_in")
    assert (fact.derived, fact.value, fact.unit) == (False, 90.0, "%")
    assert fact.source and "defence minister" in fact.source
    derived = next(f for f in ukraine.facts if f.id == "us_posture")
    assert (derived.derived, derived.value) == (True, "engage")


def test_the_parts_are_read_only(ukraine):
    with pytest.raises(AttributeError):
        ukraine.title = "other"
    with pytest.raises(AttributeError):
        ukraine.decisions[0].options = []
    with pytest.raises(AttributeError):
        ukraine.outcomes[0].title = "other"


def test_check_includes_the_lints():
    lints = sorted((ROOT / "tests" / "fixtures" / "lints").rglob("*.toml"))
    checked = 0
    for path in lints:
        expected = cli_json("check", path.relative_to(ROOT), check=False)
        if any(d["severity"] == "error" for d in expected):
            continue
        found = casus.load(path.relative_to(ROOT)).check()
        assert [d.to_dict() for d in found] == expected
        checked += any(d["code"].startswith("W") for d in expected)
    assert checked >= 5, "the lint fixtures should give warnings through check()"


def test_the_views_are_the_parts_of_to_dict(ukraine):
    result = ukraine.evaluate()
    whole = result.to_dict()
    assert whole == json.loads(result.to_json())
    assert result.scenario == whole["scenario"]
    assert result.paths == whole["paths"]
    assert result.outcomes == whole["outcomes"]
    assert result.strategy == whole["strategy"]
    assert result.line_of_play == whole["strategy"]["path"]
    assert result.payoffs == whole["strategy"]["payoffs"]
    assert result.key_assumptions == whole["key_assumptions"]
    assert result.sensitivity == whole["sensitivity"]
    assert result.value_of_information == whole["value_of_information"]
    assert result.ranking == whole["assumptions"]
    assert result.watch_list == whole["signposts"]
    assert result.omitted == []
    assert result.variant is None and result.observed is None and result.sampling is None
    for outcome in whole["outcomes"]:
        assert result.ranges[outcome["id"]] == tuple(outcome["range"])
        low, high = outcome["range"]
        assert low <= result.forecast[outcome["id"]] <= high


def test_the_line_of_play_names_decisions_and_choices(ukraine):
    result = ukraine.evaluate(analyses=[])
    options = {d.id: d.options for d in ukraine.decisions}
    assert result.line_of_play, "the strategy has a line of play"
    for step in result.line_of_play:
        assert step["choice"] in options[step["decision"]]
    assert set(result.payoffs) == {a.id for a in ukraine.actors}
    assert result.strategy["outcome"] in {o.id for o in ukraine.outcomes}


def test_only_the_analyses_named_are_computed(ukraine):
    bare = ukraine.evaluate(analyses=[])
    assert (bare.ranges, bare.sensitivity, bare.ranking, bare.value_of_information, bare.watch_list) == (None,) * 5
    ranged = ukraine.evaluate(analyses=["ranges"])
    full = ukraine.evaluate()
    assert ranged.ranges == full.ranges
    assert ranged.ranking is None
    assert bare.forecast == full.forecast


def test_a_variant_and_an_observation_are_reported(ukraine):
    result = ukraine.evaluate(variant="congress_sanctions", observe=["us_deliveries_stop"])
    assert result.variant == "congress_sanctions"
    assert result.observed["signposts"] == ["us_deliveries_stop"]
    assert sum(result.observed["unconditioned"].values()) == pytest.approx(1.0, abs=1e-9)


def test_the_forecast_frame_holds_the_forecast(ukraine):
    result = ukraine.evaluate()
    frame = result.forecast_frame()
    assert list(frame.index) == [o.id for o in ukraine.outcomes]
    assert frame.index.name == "outcome"
    assert list(frame.columns) == ["title", "probability", "low", "high", "strategic_probability", "reachable", "words"]
    assert frame["probability"].to_dict() == result.forecast
    assert frame["low"].to_dict() == {k: v[0] for k, v in result.ranges.items()}


def test_the_forecast_frame_without_pandas_says_what_to_install():
    code = (
        "import sys; sys.modules['pandas'] = None\n"
        "import casus\n"
        f"r = casus.load({str(UKRAINE)!r}).evaluate(analyses=[])\n"
        "try:\n    r.forecast_frame()\nexcept ImportError as e:\n    print(e)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "pip install 'casus[pandas]'" in done.stdout, done.stderr


def test_the_package_imports_without_numpy_or_pandas():
    code = (
        "import sys; sys.modules['numpy'] = None; sys.modules['pandas'] = None\n"
        "import casus\n"
        f"print(casus.load({str(UKRAINE)!r}).evaluate().forecast['talks_drag_on'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) > 0


def test_repr_names_what_it_shows(ukraine):
    assert repr(ukraine).startswith("<Scenario ")
    assert "talks_drag_on=" in repr(ukraine.evaluate(analyses=[]))
    assert repr(ukraine.decisions[0]).startswith("<Decision land_position")
