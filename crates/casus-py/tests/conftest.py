"""Shared fixtures: the repository, the `casus` command the bindings are compared with, and
scenarios built to be slow."""

import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
UKRAINE = ROOT / "scenarios" / "ukraine-peace-framework.toml"


def casus_bin() -> pathlib.Path:
    """The CLI: `CASUS_BIN`, else the debug or release build in the target directory."""
    if "CASUS_BIN" in os.environ:
        return pathlib.Path(os.environ["CASUS_BIN"])
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    for profile in ("debug", "release"):
        candidate = target / profile / "casus"
        if candidate.exists():
            return candidate
    raise RuntimeError("build the CLI first (cargo build -p casus-cli) or set CASUS_BIN")


def run_cli(*args: str | os.PathLike[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    """Runs `casus ARGS` from the repository root, colours off."""
    env = dict(os.environ, NO_COLOR="1")
    done = subprocess.run(
        [str(casus_bin()), *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"casus {args} failed: {done.stderr}")
    return done


def cli_json(*args: str | os.PathLike[str], check: bool = True) -> object:
    """`casus ARGS --format json`, parsed; with `check`, the command must succeed."""
    return json.loads(run_cli(*args, "--format", "json", check=check).stdout)


def rules_scenario(n: int) -> str:
    """One decision and `n` identical rules whose sum another rule and a later chance's
    likelihood read: the forecast is instant, the analyses that drop each rule in turn are not
    (without one rule the later chance could change, so no rule is dropped in one search)."""
    text = (
        '[scenario]\ntitle = "rules"\n\n[actors]\nme = "Me"\n\n'
        '[facts]\nx = { type = "number", default = 0 }\n'
        'high = { type = "bool", default = false }\n\n'
        '[decisions.d]\nactor = "nature"\noptions = ["a", "b"]\n'
        'likelihood = { a = "likely", b = "unlikely" }\n\n'
        '[decisions.e]\nactor = "nature"\noptions = ["a", "b"]\n'
        'likelihood = { a = 0.5, b = 0.5 }\n\n'
        '[[decisions.e.likelihood_if]]\nwhen = "x > 0"\na = 0.9\nb = 0.1\n\n'
    )
    for i in range(n):
        text += f'[rules.r{i}]\nwhen = "d == \'a\'"\nadd = {{ x = 1 }}\nbecause = "each one counts"\n\n'
    text += '[rules.reads]\nwhen = "x > 0"\nthen = { high = true }\nbecause = "reads the sum"\n\n'
    text += '[outcomes.high]\nwhen = "high and d == \'a\'"\npayoff = { me = 1 }\n\n[outcomes.low]\npayoff = { me = 0 }\n'
    return text


def wide_scenario(n: int) -> str:
    """`n` chance events and an outcome that reads every one of them: no two paths share a
    state, so the merged decision graph has about 2^n nodes and every draw of `sample`
    re-weights all of them (the bundled scenarios re-weight a few dozen nodes per draw)."""
    text = '[scenario]\ntitle = "wide"\n\n[actors]\nme = "Me"\n\n'
    for i in range(n):
        text += f'[decisions.d{i}]\nactor = "nature"\noptions = ["a", "b"]\nlikelihood = {{ a = "likely", b = "unlikely" }}\n\n'
    every = " and ".join(f"d{i} == 'a'" for i in range(n))
    text += f'[outcomes.all]\nwhen = "{every}"\npayoff = {{ me = 1 }}\n\n[outcomes.some]\npayoff = {{ me = 0 }}\n'
    return text


@pytest.fixture(autouse=True)
def at_the_root(monkeypatch):
    """Relative paths name the same files for the bindings and for the CLI."""
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="session")
def ukraine():
    import casus

    return casus.load(UKRAINE)
