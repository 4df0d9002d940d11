"""The type stubs agree with the runtime (mypy's stubtest), and type-check a user's script."""

import subprocess
import sys

from conftest import ROOT


def test_stubtest_finds_no_difference():
    done = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "casus"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_script_using_the_api_type_checks(tmp_path):
    script = tmp_path / "use.py"
    script.write_text(
        "import casus\n"
        f"s = casus.load({str(ROOT / 'scenarios' / 'ukraine-peace-framework.toml')!r})\n"
        "r = s.evaluate(given={'kyiv_buy_in': 60}, analyses=['ranges'])\n"
        "p: float = r.forecast['talks_drag_on']\n"
        "rs: list[casus.EvalResult] = s.sweep([{'kyiv_buy_in': v} for v in range(3)])\n"
        "d: list[casus.Diagnostic] = s.check()\n"
    )
    bad = tmp_path / "bad.py"
    bad.write_text("import casus\ncasus.load('x').evaluate(giv={})\n")
    ok = subprocess.run([sys.executable, "-m", "mypy", "--strict", str(script)], capture_output=True, text=True, timeout=600)
    assert ok.returncode == 0, ok.stdout
    wrong = subprocess.run([sys.executable, "-m", "mypy", str(bad)], capture_output=True, text=True, timeout=600)
    assert wrong.returncode == 1 and "giv" in wrong.stdout, wrong.stdout
