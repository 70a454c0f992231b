"""Predictions read only fitted state: ``set_params`` after ``fit`` acts at the next ``fit``.

Also: a new history ``y`` on another time grid than the fitted data is refused.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import pandas as pd
import pytest
from sklearn.utils._param_validation import Interval, InvalidParameterError, StrOptions

import gluts
from gluts.exceptions import DataError

from ..test_estimator_contract import CASES

H = 4
# Other valid values to try, by parameter name, where the constraint table gives none.
SPECIAL = {
    "quantiles": [(0.2, 0.5, 0.8), (0.3,)],
    "past_covariates": [["x"]],
    "random_state": [7],
    "alias": ["Other"],
}


def _candidates(value, constraints) -> list:
    """Values different from ``value`` that might satisfy ``constraints``."""
    out = []
    for c in constraints:
        if isinstance(c, StrOptions):
            out += sorted(o for o in c.options if o != value)
        elif isinstance(c, Interval):
            low = c.left if c.left is not None else 0
            if c.type is Integral or c.type == Integral:
                base = value if isinstance(value, Integral) and value is not None else low
                out += [int(base) + 1, int(low) + 2, 12]
            else:
                out += [(low + (c.right if c.right is not None else low + 1)) / 2, 0.3, 0.05]
        elif c == "boolean":
            out.append(not value)
        elif c is None and value is not None:
            out.append(None)
    return out


def _changed(est) -> dict:
    """Every parameter set to another valid value (the first candidate that validates)."""
    params = est.get_params(deep=False)
    table = type(est)._parameter_constraints
    changed = {}
    for name, value in params.items():
        for candidate in SPECIAL.get(name, []) + _candidates(value, table.get(name, [])):
            if candidate is value or (not isinstance(candidate, tuple) and candidate == value):
                continue
            trial = type(est)(**{**params, name: candidate})
            try:
                trial._validate_params()
            except InvalidParameterError:
                continue
            changed[name] = candidate
            break
    return changed


@pytest.mark.parametrize(("cls", "params"), CASES)
def test_set_params_after_fit_leaves_predictions_alone(cls, params, make_panel):
    y = make_panel(n_series=2, length=150)
    new = make_panel(n_series=2, length=140, seed=5)
    est = cls(**params)
    if "horizon" in est.get_params():
        est.set_params(horizon=H)
    est.fit(y)

    def forecasts():
        default = [est.predict()] if "horizon" in est.get_params() else []
        return [est.predict(H), est.predict(H, y=new), *default]

    before = forecasts()
    changed = _changed(est)
    assert changed, "no parameter could be changed"
    est.set_params(**changed)
    after = forecasts()
    for a, b in zip(before, after):
        pd.testing.assert_frame_equal(a, b)


def test_glu_set_params_after_fit_saves_the_fitted_model(make_panel, tmp_path):
    est = gluts.GLUForecaster(3, random_state=0, **gluts.GLUForecaster._test_params()[0])
    y = make_panel(n_series=2, length=120)
    expected = est.fit(y).predict()
    est.set_params(horizon=12, quantiles=(0.05, 0.95), scaler="mean_abs")
    est.save(tmp_path / "m.gluts")
    loaded = gluts.load(tmp_path / "m.gluts")
    pd.testing.assert_frame_equal(loaded.predict(), expected)
    assert loaded.get_params()["horizon"] == 3


@pytest.mark.parametrize(("cls", "params"), CASES)
def test_new_history_on_another_frequency_is_refused(cls, params, make_panel):
    est = cls(**params)
    if "horizon" in est.get_params():
        est.set_params(horizon=H)
    est.fit(make_panel(n_series=2, length=150))  # hourly
    daily = make_panel(n_series=2, length=150)
    daily["ds"] = pd.date_range("2020-01-01", periods=150, freq="D").tolist() * 2
    with pytest.raises(DataError, match=r"fitted on data with frequency 'h'.*'D'") as info:
        est.predict(H, y=daily)
    assert "\n" not in str(info.value)


def test_one_row_of_new_history_is_read_on_the_fitted_grid():
    # One timestamp per series shows no frequency: the fitted daily grid reads it.
    wide = pd.DataFrame(
        {"a": np.arange(30.0), "b": 2 * np.arange(30.0)},
        index=pd.date_range("2020-01-01", periods=30, freq="D"),
    )
    est = gluts.NaiveForecaster().fit(wide)
    out = est.predict(2, y=wide.iloc[-1:] + 1).xs("Naive", axis=1, level=1)
    assert out.index.tolist() == list(pd.date_range("2020-01-31", periods=2, freq="D"))
    assert out.to_numpy().tolist() == [[30.0, 59.0], [30.0, 59.0]]


def test_integer_time_with_another_step_is_refused():
    est = gluts.SeasonalNaiveForecaster(season_length=2)
    est.fit(pd.Series(np.arange(40.0), index=np.arange(40)))
    with pytest.raises(DataError, match="step 1.*step 2"):
        est.predict(2, y=pd.Series(np.arange(40.0), index=np.arange(0, 80, 2)))
