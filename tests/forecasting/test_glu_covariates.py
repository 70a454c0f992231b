"""GLUForecaster with covariates: known-future and past-only X are learnt and checked."""

import numpy as np
import pandas as pd
import pytest

import gluts
from gluts import GLUForecaster
from gluts.exceptions import DataError

SMALL = dict(
    n_channels=8,
    n_blocks=3,
    head_hidden=16,
    n_steps=150,
    batch_size=8,
    context_length=24,
    season_length=12,
    transform=None,
    n_threads=1,
    random_state=0,
)
LENGTH, H = 240, 6


def _promo_panel(length=LENGTH + H, seed=0):
    """Seasonal series lifted by 8 whenever a random promotion runs (known in advance)."""
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2022-01-01", periods=length, freq="h")
    t = np.arange(length)
    ys, xs = [], []
    for k in range(3):
        promo = (rng.random(length) < 0.2).astype(float)
        y = 20 + 4 * np.sin(2 * np.pi * (t + k) / 12) + 8 * promo + rng.normal(0, 0.2, length)
        ys.append(pd.DataFrame({"unique_id": f"s{k}", "ds": ds, "y": y}))
        xs.append(pd.DataFrame({"unique_id": f"s{k}", "ds": ds, "promo": promo}))
    return pd.concat(ys, ignore_index=True), pd.concat(xs, ignore_index=True)


def _split(frame, n=LENGTH):
    grouped = frame.groupby("unique_id")
    return grouped.head(n), grouped.tail(len(frame) // 3 - n)


@pytest.fixture(scope="module")
def promo():
    y, X = _promo_panel()
    (y_train, y_test), (X_train, X_test) = _split(y), _split(X)
    model = GLUForecaster(H, **SMALL).fit(y_train, X_train)
    return model, y_train, y_test, X_train, X_test


def test_known_future_covariates_are_learnt(promo):
    model, y_train, y_test, _, X_test = promo
    with_x = model.predict(X_future=X_test)
    without = GLUForecaster(H, **SMALL).fit(y_train).predict()
    truth = y_test["y"].to_numpy()
    err_with = np.abs(with_x["GLU"].to_numpy() - truth).mean()
    err_without = np.abs(without["GLU"].to_numpy() - truth).mean()
    assert err_with < 0.5 * err_without, (err_with, err_without)
    assert model.covariates_ == ["promo"] and model.future_covariates_ == ["promo"]


def test_shorter_forecasts_are_the_first_steps_of_longer_ones(promo):
    model, _, _, _, X_test = promo
    full = model.predict(X_future=X_test)["GLU"].to_numpy().reshape(3, H)
    short = model.predict(2, X_future=X_test)["GLU"].to_numpy().reshape(3, 2)
    np.testing.assert_allclose(short, full[:, :2], rtol=1e-6)


def test_new_history_needs_its_covariates(promo):
    model, y_train, _, X_train, X_test = promo
    fitted = model.predict(X_future=X_test)
    again = model.predict(X_future=X_test, y=y_train, X=X_train)
    np.testing.assert_allclose(again["GLU"], fitted["GLU"], rtol=1e-6)
    with pytest.raises(ValueError, match=r"predict\(y=...\) needs X"):
        model.predict(X_future=X_test, y=y_train)
    with pytest.raises(ValueError, match="pass it with y"):
        model.predict(X_future=X_test, X=X_train)


def test_missing_or_incomplete_future_covariates_are_named(promo):
    model, _, _, _, X_test = promo
    with pytest.raises(ValueError, match=r"known-future covariates \['promo'\]; pass their"):
        model.predict()
    short = X_test.groupby("unique_id").head(H - 1)
    with pytest.raises(DataError, match="X_future has no row for series 's0' at 2022-01-11 05:00"):
        model.predict(X_future=short)


def test_save_and_load_keep_the_covariates(promo, tmp_path):
    model, _, _, _, X_test = promo
    model.save(tmp_path / "m.gluts")
    loaded = gluts.load(tmp_path / "m.gluts")
    assert loaded.covariates_ == ["promo"]
    pd.testing.assert_frame_equal(loaded.predict(X_future=X_test), model.predict(X_future=X_test))


def test_past_only_covariates_lead_the_target():
    """y follows x one step later: x is useful for a one-step forecast, never needed ahead."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(LENGTH + 1, 2))
    y = 10 + 3 * x[:-1]  # y[t] = 10 + 3 x[t - 1]
    ds = pd.date_range("2022-01-01", periods=LENGTH, freq="D")
    wide = pd.DataFrame(y, index=ds, columns=["a", "b"])
    X_by_series = pd.DataFrame(
        {
            "unique_id": np.repeat(["a", "b"], LENGTH),
            "ds": np.tile(ds, 2),
            "lead": np.concatenate([x[1:, 0], x[1:, 1]]),
        }
    )
    params = {**SMALL, "season_length": 1, "n_steps": 200}
    model = GLUForecaster(1, past_covariates=["lead"], **params).fit(wide.iloc[:-20], X_by_series)
    baseline = GLUForecaster(1, **params).fit(wide.iloc[:-20])
    errors, baseline_errors = [], []
    for end in range(LENGTH - 20, LENGTH):  # one-step forecasts from 20 new origins
        truth = wide.iloc[end].to_numpy()
        out = model.predict(y=wide.iloc[:end], X=X_by_series)
        errors.append(np.abs(out.iloc[0].to_numpy()[[0, 4]] - truth))
        plain = baseline.predict(y=wide.iloc[:end])
        baseline_errors.append(np.abs(plain.iloc[0].to_numpy()[[0, 4]] - truth))
    assert np.mean(errors) < 0.5 * np.mean(baseline_errors), (errors, baseline_errors)
    assert model.future_covariates_ == []
    with pytest.raises(ValueError, match="past covariates only; X_future is not used"):
        model.predict(X_future=X_by_series)


def test_covariate_argument_errors():
    y, X = _promo_panel(length=120)
    small = {**SMALL, "n_steps": 2}
    with pytest.raises(DataError, match=r"past_covariates names 'price', which is not a column"):
        GLUForecaster(H, past_covariates=["price"], **small).fit(y, X)
    with pytest.raises(ValueError, match="past_covariates names \\['promo'\\], but fit got no X"):
        GLUForecaster(H, past_covariates=["promo"], **small).fit(y)
    plain = GLUForecaster(H, **small).fit(y)
    with pytest.raises(ValueError, match="fitted without covariates; got X_future"):
        plain.predict(X_future=X)


def test_arrays_with_positional_covariates():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(130, 1))
    y = np.column_stack([5 + x[:, 0], 6 + x[:, 0]])
    model = GLUForecaster(2, **{**SMALL, "season_length": 1, "n_steps": 5})
    out = model.fit(y[:128], x[:128]).predict(X_future=x[128:])
    assert out.shape == (2, 2, 4)  # (steps, series, point and 3 quantiles), as for arrays


def test_backtests_pass_covariates_to_the_models_that_use_them(promo):
    model, y_train, y_test, _, X_test = promo
    y, X = _promo_panel()
    result = gluts.backtest([GLUForecaster(H, **SMALL)], y, H, n_windows=1, X=X)
    glu = result.forecasts.query("model == 'GLU'")
    expected = model.predict(X_future=X_test)["GLU"].to_numpy()
    np.testing.assert_allclose(glu["forecast"].to_numpy(), expected, rtol=1e-6)
    board = result.summary()
    assert board.loc["GLU", "mase"] < board.loc["SeasonalNaive", "mase"]
