"""`scenario.sweep(given=[...])`: many what-ifs in one parallel call, each the same as alone."""

import pytest

from conftest import UKRAINE, run_cli

POINTS = [{"kyiv_buy_in": v} for v in range(0, 101, 5)]


def test_each_point_is_what_evaluate_gives_alone(ukraine):
    swept = ukraine.sweep(POINTS)
    assert len(swept) == len(POINTS)
    for point, result in zip(POINTS, swept):
        assert result.to_json() == ukraine.evaluate(given=point).to_json()


@pytest.mark.parametrize("value", [0, 74, 75, 100])
def test_a_point_is_what_the_cli_prints(ukraine, value):
    [result] = ukraine.sweep([{"kyiv_buy_in": value}])
    cli = run_cli("eval", UKRAINE, "--given", f"kyiv_buy_in={value}", "--format", "json").stdout
    assert result.to_json() == cli


def test_the_forecast_moves_at_the_threshold(ukraine):
    # The file's likelihoods change at `kyiv_buy_in < 75`: the forecast is flat on each side.
    swept = ukraine.sweep(POINTS, analyses=[])
    forecasts = {p["kyiv_buy_in"]: r.forecast for p, r in zip(POINTS, swept)}
    assert forecasts[0] == forecasts[70]
    assert forecasts[75] == forecasts[100]
    assert forecasts[70] != forecasts[75]


def test_a_forecast_only_sweep_matches_evaluate(ukraine):
    swept = ukraine.sweep(POINTS, analyses=[], variant="congress_sanctions")
    for point, result in zip(POINTS, swept):
        assert result.to_dict() == ukraine.evaluate(given=point, analyses=[], variant="congress_sanctions").to_dict()


def test_an_empty_sweep_is_empty(ukraine):
    assert ukraine.sweep([]) == []


def test_a_sweep_past_its_deadline_raises_timeout(ukraine):
    with pytest.raises(TimeoutError, match=r"^given\[\d+\]: "):
        ukraine.sweep([{"kyiv_buy_in": v % 100} for v in range(100_000)], deadline=0.2)
