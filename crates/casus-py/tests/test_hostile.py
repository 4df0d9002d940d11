"""Hostile input never crashes the interpreter: every hostile fixture of the CLI's tests gives
a scenario or a `ScenarioError` with the findings `casus check` reports, and hostile
arguments raise ordinary exceptions."""

import pytest

import casus
from conftest import ROOT, cli_json

HOSTILE = sorted((ROOT / "tests" / "fixtures" / "hostile").rglob("*.toml"))


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.name)
def test_a_hostile_file_gives_the_findings_of_casus_check(path):
    relative = path.relative_to(ROOT)
    expected = cli_json("check", relative, check=False)
    try:
        scenario = casus.load(relative)
    except casus.ScenarioError as error:
        assert any(d["severity"] == "error" for d in expected)
        assert [d.to_dict() for d in error.diagnostics] == expected
        return
    assert [d.to_dict() for d in scenario.check()] == expected
    try:
        result = scenario.evaluate(deadline=30)
    except (casus.EvaluationError, TimeoutError) as error:
        assert str(error)
        return
    assert result.to_dict()["outcomes"] is not None


def test_bytes_that_are_not_text_give_a_finding(tmp_path):
    path = tmp_path / "garbage.toml"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(casus.ScenarioError) as raised:
        casus.load(path)
    assert raised.value.diagnostics


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    path = tmp_path / "huge.toml"
    with path.open("wb") as f:
        f.truncate(64 * 1024 * 1024)
    with pytest.raises(casus.ScenarioError, match="larger than the limit"):
        casus.load(path)


def test_an_expression_nested_deeper_than_the_limit_gives_a_finding():
    depth = 100_000
    text = (
        '[scenario]\ntitle = "deep"\n[actors]\nme = "Me"\n[decisions.d]\nactor = "me"\n'
        f'options = ["a", "b"]\n[outcomes.o]\nwhen = "{"(" * depth}d == \'a\'{")" * depth}"\n'
        'payoff = { me = 1 }\n[outcomes.p]\npayoff = { me = 0 }\n'
    )
    with pytest.raises(casus.ScenarioError) as raised:
        casus.loads(text)
    assert any(d.code == "E0003" for d in raised.value.diagnostics)


def test_a_hundred_thousand_options_give_a_finding():
    options = ", ".join(f'"o{i}"' for i in range(100_000))
    text = f'[scenario]\ntitle = "wide"\n[actors]\nme = "Me"\n[decisions.d]\nactor = "me"\noptions = [{options}]\n[outcomes.o]\npayoff = {{ me = 1 }}\n'
    with pytest.raises(casus.ScenarioError) as raised:
        casus.loads(text)
    assert any(d.code == "E0003" for d in raised.value.diagnostics)


@pytest.mark.parametrize(
    "given",
    [
        {"kyiv_buy_in": 10**400},
        {"kyiv_buy_in\x00": 1},
        {"\u202ekyiv_buy_in": 1},
        {"land_position": "x" * 1_000_000},
        {"land_position": "\x1b[31mred"},
        {"kyiv_buy_in": "ninety"},
        {"land_position": True},
    ],
    ids=["huge-int", "nul-in-name", "bidi-in-name", "megabyte-option", "escape-option", "symbol-for-number", "bool-for-option"],
)
def test_hostile_given_values_raise_value_errors(ukraine, given):
    with pytest.raises(ValueError) as raised:
        ukraine.evaluate(given=given)
    message = str(raised.value)
    assert message.startswith("given:")
    assert len(message) < 2000, "a hostile value is shortened in the message"
    assert "\x1b" not in message and "\x00" not in message
