"""docs/python.md's examples run as written, and the worked example draws its plot."""

import pathlib
import re
import shutil
import subprocess
import sys

from conftest import ROOT

DOC = ROOT / "docs" / "python.md"


def python_blocks(text: str) -> list[str]:
    """The ```python blocks of a Markdown page, dedented, in order."""
    blocks = []
    for match in re.finditer(r"^( *)```python\n(.*?)^\1```", text, re.S | re.M):
        indent = len(match.group(1))
        blocks.append("\n".join(line[indent:] for line in match.group(2).splitlines()))
    return blocks


def test_the_worked_example_runs_and_writes_its_plot(tmp_path):
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    blocks = python_blocks(DOC.read_text())
    assert len(blocks) >= 2
    script = tmp_path / "example.py"
    script.write_text("\n\n".join(blocks))
    done = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("US peace framework for Ukraine")
    assert any(line.startswith("line of play: ") for line in lines)
    assert "wrote kyiv_buy_in.png" in lines
    assert any(line.startswith("E0103 2 9 ") for line in lines), done.stdout
    png = (tmp_path / "kyiv_buy_in.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    # Width and height from the IHDR chunk: 8 x 4.5 inches at 100 dpi.
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert (width, height) == (800, 450)


def test_the_example_prints_the_forecast_of_evaluate(tmp_path):
    import casus

    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    [first, *_] = python_blocks(DOC.read_text())
    script = tmp_path / "first.py"
    script.write_text(first)
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    forecast = casus.load(ROOT / "scenarios" / "ukraine-peace-framework.toml").evaluate().forecast
    for outcome, p in forecast.items():
        assert any(re.match(rf"{outcome} +{p:6.1%} ", line) for line in done.stdout.splitlines()), outcome
