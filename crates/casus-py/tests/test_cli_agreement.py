"""Every scenario gives the same numbers through Python as through `casus eval --format json`:
byte for byte, for the base scenario, each variant, each signpost observed and a given value."""

import json

import pytest

import casus
from conftest import ROOT, SCENARIOS, UKRAINE, cli_json, run_cli


def what_ifs():
    """(file, CLI flags, evaluate() keywords) for every scenario and what-if worth asking."""
    cases = []
    for path in SCENARIOS:
        scenario = casus.load(path)
        cases.append((path, [], {}))
        for variant in scenario.variants:
            cases.append((path, ["--variant", variant], {"variant": variant}))
        for signpost in scenario.signposts:
            cases.append((path, ["--observe", signpost], {"observe": [signpost]}))
        first = scenario.decisions[0]
        option = first.options[-1]
        cases.append((path, ["--given", f"{first.id}={option}"], {"given": {first.id: option}}))
    return cases


@pytest.mark.parametrize(
    "path,flags,keywords",
    what_ifs(),
    ids=lambda v: v.name if hasattr(v, "name") else (" ".join(v) if isinstance(v, list) else None),
)
def test_evaluate_prints_what_the_cli_prints(path, flags, keywords):
    cli = run_cli("eval", path.relative_to(ROOT), *flags, "--format", "json").stdout
    result = casus.load(path).evaluate(**keywords)
    assert result.to_json() == cli
    assert result.to_dict() == json.loads(cli)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_the_forecast_is_the_cli_forecast_in_file_order(path):
    cli = cli_json("eval", path)
    result = casus.load(path).evaluate(analyses=[])
    by_id = {o["id"]: o["probability"] for o in cli["outcomes"]}
    assert list(result.forecast) == [o.id for o in casus.load(path).outcomes]
    assert result.forecast == by_id
    assert sum(result.forecast.values()) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_check_reports_what_casus_check_reports(path):
    cli = cli_json("check", path.relative_to(ROOT), check=False)
    found = casus.load(path.relative_to(ROOT)).check()
    assert [d.to_dict() for d in found] == cli


def test_a_fact_given_a_number_matches_the_cli():
    cli = run_cli("eval", UKRAINE.relative_to(ROOT), "--given", "kyiv_buy_in=60", "--format", "json").stdout
    assert casus.load(UKRAINE).evaluate(given={"kyiv_buy_in": 60}).to_json() == cli


@pytest.mark.parametrize("seed", [1, 7])
def test_evaluate_with_samples_matches_the_cli(seed):
    cli = run_cli(
        "eval", UKRAINE.relative_to(ROOT), "--samples", "300", "--seed", str(seed), "--format", "json"
    ).stdout
    result = casus.load(UKRAINE).evaluate(samples=300, seed=seed)
    assert result.to_json() == cli
