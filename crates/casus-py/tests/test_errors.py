"""A file with errors raises `ScenarioError` carrying `casus check`'s findings, with spans, and
rendered as the CLI renders them."""

import pytest

import casus
from conftest import ROOT, cli_json, run_cli

INVALID = sorted((ROOT / "tests" / "fixtures" / "invalid").glob("*.toml"))


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_an_invalid_file_raises_the_findings_of_casus_check(path):
    relative = path.relative_to(ROOT)
    expected = cli_json("check", relative, check=False)
    has_errors = any(d["severity"] == "error" for d in expected)
    if not has_errors:
        pytest.fail(f"{relative} checks without errors; it belongs elsewhere")
    with pytest.raises(casus.ScenarioError) as raised:
        casus.load(relative)
    error = raised.value
    assert [d.to_dict() for d in error.diagnostics] == expected
    # `str()` is the rendering `casus eval` prints for the same file.
    assert str(error) == run_cli("eval", relative, check=False).stderr


def test_the_diagnostic_points_at_the_mistake():
    text = '[scenario]\ntitle = "t"\n\n[actors]\nme = "Me"\n\n[decisions.d]\nactor = "me"\noptions = ["a", "b"]\nlikelyhood = { a = 1, b = 0 }\n\n[outcomes.o]\npayoff = { me = 1 }\n'
    with pytest.raises(casus.ScenarioError) as raised:
        casus.loads(text, name="typo.toml")
    [first, *_] = raised.value.diagnostics
    assert first.severity == "error"
    assert (first.line, first.column) == (10, 1)
    assert first.file == "typo.toml"
    assert "likelyhood" in first.message
    assert first.help is not None and "likelihood" in first.help
    assert "typo.toml:10:1" in str(raised.value)
    assert "^" in first.rendered


def test_scenario_error_is_a_value_error():
    with pytest.raises(ValueError):
        casus.loads("not toml at all [")


def test_a_missing_file_raises_file_not_found():
    with pytest.raises(FileNotFoundError):
        casus.load("no/such/scenario.toml")


def test_an_empty_file_raises_with_a_finding():
    with pytest.raises(casus.ScenarioError) as raised:
        casus.loads("")
    assert raised.value.diagnostics
    assert all(d.code.startswith("E") for d in raised.value.diagnostics if d.severity == "error")
