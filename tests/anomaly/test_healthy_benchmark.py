"""benchmarks/healthy_series.py: seeded series of every noise shape, without anomalies, and a
tiny run that counts every alert as false, prints the table and writes JSON."""

import json

import numpy as np
import pandas as pd
import pytest

from ..conftest import load_benchmark


@pytest.mark.parametrize("shape", ["white", "counts", "bursty_counts", "utilisation"])
def test_each_shape_is_a_seeded_finite_5_minute_series(shape):
    bench = load_benchmark("healthy_series")
    y = bench.healthy_series(shape, seed=1, length=600)
    assert len(y) == 600 and np.isfinite(y).all() and y.index.freqstr == "5min"
    pd.testing.assert_series_equal(y, bench.healthy_series(shape, seed=1, length=600))
    assert not y.equals(bench.healthy_series(shape, seed=2, length=600))
    if shape.endswith("counts"):
        assert (y >= 0).all() and (y == y.round()).all()
    if shape == "utilisation":
        assert y.between(0, 100).all()


def test_shapes_differ_under_the_same_seed():
    bench = load_benchmark("healthy_series")
    white, walk = (bench.healthy_series(s, 0, 400) for s in ("white", "random_walk"))
    assert not np.allclose(np.cumsum(white.to_numpy()), walk.to_numpy())


def test_a_tiny_run_counts_every_alert_as_false_and_writes_json(tmp_path, capsys):
    bench = load_benchmark("healthy_series")
    out = tmp_path / "healthy.json"
    args = ["--seeds", "0,1", "--detectors", "zscore", "--shapes", "white,heavy_tails"]
    results = bench.main([*args, "--length", "2000", "--json", str(out)])
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:3] == ["detector", "shape", "alerts"]
    assert [line.split()[1] for line in table[1:]] == ["white", "heavy_tails", "all"]
    rows = results["zscore"]
    assert rows["white"]["rows"] == 2 * (2000 - 300)  # the first 15% of each series is fit
    assert rows["all"]["alerts"] == rows["white"]["alerts"] + rows["heavy_tails"]["alerts"]
    expected = 1e4 * rows["all"]["alerts"] / rows["all"]["rows"]
    assert rows["all"]["alerts_per_10k"] == pytest.approx(expected)
    assert json.loads(out.read_text())["results"] == json.loads(json.dumps(results))


def test_unknown_shapes_are_refused():
    bench = load_benchmark("healthy_series")
    with pytest.raises(SystemExit):
        bench.main(["--shapes", "white,pink"])
