"""`scenario.sample(n, seed)`: the draws `casus eval --samples` summarises, as numpy arrays."""

import numpy as np
import pytest

from conftest import ROOT, SCENARIOS, UKRAINE, cli_json


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_the_draws_give_the_cli_summary(path):
    import casus

    n, seed = 400, 11
    samples = casus.load(path).sample(n, seed)
    cli = cli_json("eval", path, "--samples", str(n), "--seed", str(seed))["sampling"]
    # The summary is computed from these very draws by the engine ...
    assert samples.summary() == cli
    # ... and numpy, from the arrays alone, agrees: mean and nearest-rank percentiles.
    p = samples.probabilities
    assert p.shape == (n, len(samples.outcomes)) and p.dtype == np.float64
    spread = {s["outcome"]: s for s in cli["outcomes"]}
    for j, outcome in enumerate(samples.outcomes):
        column = p[:, j]
        assert column.mean() == pytest.approx(spread[outcome]["mean"], abs=1e-11)
        for q, key in [(5, "p5"), (50, "p50"), (95, "p95")]:
            assert np.percentile(column, q, method="inverted_cdf") == pytest.approx(spread[outcome][key], abs=1e-11)
    assert int(samples.line_changed.sum()) == cli["line_changes"]
    assert np.allclose(p.sum(axis=1), 1.0)


def test_the_same_seed_gives_the_same_draws(ukraine):
    a, b = ukraine.sample(200, 5), ukraine.sample(200, 5)
    assert np.array_equal(a.probabilities, b.probabilities)
    assert np.array_equal(a.line_changed, b.line_changed)
    c = ukraine.sample(200, 6)
    assert not np.array_equal(a.probabilities, c.probabilities)


def test_more_draws_extend_the_same_sequence(ukraine):
    # Draw i depends on (seed, i) only, so the first 100 of 300 are the 100.
    short, long = ukraine.sample(100, 3), ukraine.sample(300, 3)
    assert np.array_equal(short.probabilities, long.probabilities[:100])


def test_the_default_seed_is_the_cli_default(ukraine):
    assert ukraine.sample(50).summary() == cli_json("eval", UKRAINE, "--samples", "50")["sampling"]


def test_samples_of_a_what_if_match_the_cli(ukraine):
    summary = ukraine.sample(100, 2, given={"kyiv_buy_in": 60}, variant="europe_releases_assets").summary()
    cli = cli_json(
        "eval", UKRAINE, "--samples", "100", "--seed", "2", "--given", "kyiv_buy_in=60", "--variant", "europe_releases_assets"
    )
    assert summary == cli["sampling"]


def test_the_draws_stay_within_the_bands(ukraine):
    # Every drawn forecast lies within what the point estimates' one-way ranges can't bound,
    # but each probability is a probability.
    p = ukraine.sample(500, 9).probabilities
    assert (p >= 0).all() and (p <= 1).all()
    assert len(ukraine.sample(500, 9)) == 500
