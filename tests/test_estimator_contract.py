"""The estimator contract, run over every public forecaster and each of its test configs.

scikit-learn's data-free checks (they never call ``fit``) plus gluts' own contract on series
data: fit returns self and leaves parameters alone, predict before fit raises NotFittedError,
a second fit replaces all state, an int random_state repeats exactly, clone gives an unfitted
copy, a fitted estimator pickles, outputs have the right shape and are finite.
"""

import inspect
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import (
    check_do_not_raise_errors_in_init_or_set_params,
    check_estimator_cloneable,
    check_estimator_repr,
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

import gluts
from gluts.base import BaseForecaster

FORECASTERS = sorted(
    (
        obj
        for name in gluts.__all__
        if inspect.isclass(obj := getattr(gluts, name)) and issubclass(obj, BaseForecaster)
    ),
    key=lambda cls: cls.__name__,
)
CASES = [
    pytest.param(cls, params, id=f"{cls.__name__}-{i}")
    for cls in FORECASTERS
    for i, params in enumerate(cls._test_params())
]
SKLEARN_CHECKS = [
    check_estimator_cloneable,
    check_no_attributes_set_in_init,
    check_estimator_repr,
    check_parameters_default_constructible,
    check_get_params_invariance,
    check_set_params,
    check_do_not_raise_errors_in_init_or_set_params,
]
H = 6


def _make(cls, params):
    est = cls(**params)
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
    if "horizon" in est.get_params():
        est.set_params(horizon=H)
    return est


@pytest.mark.parametrize("cls", FORECASTERS, ids=lambda c: c.__name__)
def test_a_boolean_integer_and_zero_jobs_are_refused_at_fit(cls, make_panel):
    # scikit-learn's Interval(Integral) lets True through, and joblib refuses n_jobs=0 late
    params = cls().get_params()
    for name, value in [("horizon", True), ("season_length", True), ("n_jobs", 0)]:
        if name in params:
            with pytest.raises(ValueError, match=f"The '{name}' parameter of {cls.__name__}"):
                _make(cls, {}).set_params(**{name: value}).fit(make_panel())


def test_an_alias_that_is_an_input_column_is_refused(make_panel):
    y = gluts.NaiveForecaster(alias="ds").fit(make_panel())
    with pytest.raises(ValueError, match="forecast column 'ds' would overwrite"):
        y.predict(2)


def test_there_are_forecasters_to_check():
    assert len(FORECASTERS) >= 8


@pytest.mark.parametrize("check", SKLEARN_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize(("cls", "params"), CASES)
def test_sklearn_data_free_checks(cls, params, check):
    est = cls(**params)
    check(type(est).__name__, est)


@pytest.mark.parametrize(("cls", "params"), CASES)
def test_fit_contract(cls, params, make_panel):
    y = make_panel(n_series=2, length=150)
    est = _make(cls, params)
    with pytest.raises(NotFittedError):
        est.predict(H)
    before = est.get_params()
    assert est.fit(y) is est
    after = est.get_params()
    assert before.keys() == after.keys()
    for key, value in before.items():
        assert after[key] is value or after[key] == value, f"fit changed parameter {key!r}"
    unfitted = clone(est)
    with pytest.raises(NotFittedError):
        unfitted.predict(H)

    out = est.predict(H)
    assert list(out.columns[:2]) == ["unique_id", "ds"]
    assert len(out) == 2 * H
    values = out.drop(columns=["unique_id", "ds"]).to_numpy(dtype=float)
    assert np.isfinite(values).all()
    assert out.columns[2] == est.alias_

    again = pickle.loads(pickle.dumps(est)).predict(H)
    pd.testing.assert_frame_equal(again, out)


@pytest.mark.parametrize(("cls", "params"), CASES)
def test_refit_replaces_state_and_random_state_repeats(cls, params, make_panel):
    first = make_panel(n_series=3, length=150, seed=1)
    second = make_panel(n_series=2, length=140, seed=2)
    refitted = _make(cls, params).fit(first).fit(second).predict(H)
    fresh = _make(cls, params).fit(second).predict(H)
    pd.testing.assert_frame_equal(refitted, fresh)
    assert set(refitted["unique_id"]) == {"s0", "s1"}


@pytest.mark.parametrize(("cls", "params"), CASES)
def test_series_input_gives_series_like_output(cls, params, make_panel):
    long = make_panel(n_series=1, length=150)
    y = long.set_index("ds")["y"]
    out = _make(cls, params).fit(y).predict(H)
    assert len(out) == H
    assert out.index[0] == y.index[-1] + pd.Timedelta(hours=1)


LOCAL_CASES = [c for c in CASES if not c.values[0].get_tags()["global_model"]]


@pytest.mark.parametrize(("cls", "params"), LOCAL_CASES)
def test_local_models_forecast_new_history_as_if_fitted_on_it(cls, params, make_panel):
    a = make_panel(n_series=2, length=150, seed=3)
    b = make_panel(n_series=2, length=130, seed=4)
    via_y = _make(cls, params).fit(a).predict(H, y=b)
    direct = _make(cls, params).fit(b).predict(H)
    pd.testing.assert_frame_equal(via_y, direct)


@pytest.mark.parametrize(("cls", "params"), CASES)
def test_quantiles_are_ordered(cls, params, make_panel):
    est = _make(cls, params).fit(make_panel(n_series=2, length=150))
    out = est.predict(H)
    qcols = [c for c in out.columns if c.startswith(f"{est.alias_}-q")]
    if qcols:
        q = out[qcols].to_numpy()
        assert (np.diff(q, axis=1) >= -1e-9).all()
