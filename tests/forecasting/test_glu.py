"""GLUForecaster: learning, horizon rules, determinism, layouts, new history, model files."""

import numpy as np
import pandas as pd
import pytest
import torch

import gluts
from gluts import GLUForecaster
from gluts.exceptions import DataError

TINY = dict(
    n_channels=8,
    n_blocks=3,
    head_hidden=16,
    n_steps=60,
    batch_size=8,
    context_length=24,
    n_threads=1,
)


def _sine_panel(n_series=3, length=200, period=12):
    t = np.arange(length)
    ds = pd.date_range("2020-01-01", periods=length, freq="h")
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "unique_id": f"s{k}",
                    "ds": ds,
                    "y": 50 + 10 * (k + 1) * np.sin(2 * np.pi * (t + 3 * k) / period),
                }
            )
            for k in range(n_series)
        ],
        ignore_index=True,
    )


@pytest.fixture(scope="module")
def fitted():
    return GLUForecaster(6, season_length=12, random_state=0, **TINY).fit(_sine_panel())


def test_learns_a_seasonal_panel(fitted):
    out = fitted.predict(6)
    truth = _sine_panel(length=206).groupby("unique_id").tail(6)
    err = np.abs(out["GLU"].to_numpy() - truth["y"].to_numpy())
    assert err.mean() < 1.0  # amplitudes 10-30
    assert list(out.columns) == ["unique_id", "ds", "GLU", "GLU-q0.1", "GLU-q0.5", "GLU-q0.9"]
    q = out[["GLU-q0.1", "GLU-q0.5", "GLU-q0.9"]].to_numpy()
    assert (np.diff(q, axis=1) >= 0).all()
    np.testing.assert_array_equal(out["GLU"], out["GLU-q0.5"])


def test_h_beyond_horizon_is_refused(fitted):
    with pytest.raises(ValueError, match="h=7 exceeds horizon=6"):
        fitted.predict(7)
    assert len(fitted.predict(2)) == 3 * 2


def test_same_random_state_gives_identical_forecasts():
    y = _sine_panel(n_series=2, length=120)
    a = GLUForecaster(4, random_state=3, **{**TINY, "n_steps": 10}).fit(y).predict()
    b = GLUForecaster(4, random_state=3, **{**TINY, "n_steps": 10}).fit(y).predict()
    pd.testing.assert_frame_equal(a, b)
    c = GLUForecaster(4, random_state=4, **{**TINY, "n_steps": 10}).fit(y).predict()
    assert not a["GLU"].equals(c["GLU"])


def test_predict_from_new_history_without_refitting(fitted):
    new = _sine_panel(n_series=2, length=150)
    new["y"] *= 2.0
    before = {k: v.clone() for k, v in fitted.network_.state_dict().items()}
    out = fitted.predict(6, y=new)
    assert set(out["unique_id"]) == {"s0", "s1"}
    assert out["ds"].iloc[0] == pd.Timestamp("2020-01-07 06:00")
    for k, v in fitted.network_.state_dict().items():
        assert torch.equal(v, before[k])


def test_series_and_wide_layouts(fitted):
    long = _sine_panel(n_series=2, length=150)
    wide = long.pivot(index="ds", columns="unique_id", values="y")
    out = fitted.predict(3, y=wide)
    assert out.columns.nlevels == 2 and out.shape == (3, 2 * 4)
    series = wide["s0"]
    out = fitted.predict(3, y=series)
    assert list(out.columns) == ["GLU", "GLU-q0.1", "GLU-q0.5", "GLU-q0.9"]
    assert out.index[0] == series.index[-1] + pd.Timedelta(hours=1)


def test_quantiles_without_the_median_still_predict_a_median_point():
    y = _sine_panel(n_series=2, length=120)
    out = GLUForecaster(3, quantiles=(0.05, 0.95), random_state=0, **{**TINY, "n_steps": 5})
    frame = out.fit(y).predict()
    assert list(frame.columns) == ["unique_id", "ds", "GLU", "GLU-q0.05", "GLU-q0.95"]


def test_save_and_load_round_trip_predicts_identically(fitted, tmp_path):
    path = tmp_path / "model.gluts"
    fitted.save(path)
    loaded = gluts.load(path)
    pd.testing.assert_frame_equal(loaded.predict(6), fitted.predict(6))
    assert loaded.get_params() == fitted.get_params()


def test_monthly_series_shorter_than_the_context_predict_the_same_from_any_layout(tmp_path):
    # Short series are extended backwards on their grid for the calendar features: on month
    # starts, not on a 31-day step taken from an index without freq (a long frame, a file).
    ds = pd.date_range("2020-01-01", periods=40, freq="MS")
    wide = pd.DataFrame({f"s{k}": 10 * (k + 1) + np.sin(np.arange(40)) for k in range(2)}, ds)
    long = wide.rename_axis("ds").reset_index().melt("ds", var_name="unique_id", value_name="y")
    params = {**TINY, "n_steps": 20, "context_length": 64, "model_selection": None}
    model = GLUForecaster(3, random_state=0, **params).fit(wide)
    model.save(tmp_path / "m.gluts")
    point = model.predict().xs("GLU", axis=1, level=1)
    pd.testing.assert_frame_equal(
        gluts.load(tmp_path / "m.gluts").predict().xs("GLU", axis=1, level=1), point
    )
    from_long = model.predict(y=long).pivot(index="ds", columns="unique_id", values="GLU")
    np.testing.assert_array_equal(from_long.to_numpy(), point.to_numpy())


def test_values_beyond_32_bit_floats_are_refused_in_one_line():
    y = pd.Series(np.sin(np.arange(60.0)) * 1e40, pd.date_range("2020", periods=60, freq="D"))
    with pytest.raises(DataError, match=r"32-bit floats, .* reaches [\d.]+e\+(39|40)\. Divide"):
        GLUForecaster(3, random_state=0, **{**TINY, "n_steps": 2}).fit(y)


def test_diverged_training_is_an_error_not_a_forecast_of_nan():
    y = _sine_panel(n_series=1, length=80)
    model = GLUForecaster(3, random_state=0, learning_rate=1e6, **{**TINY, "n_steps": 10})
    with pytest.raises(FloatingPointError, match="diverged.*lower learning_rate"):
        model.fit(y).predict()


def test_boolean_series_ids_survive_a_model_file(tmp_path):
    ds = pd.date_range("2020-01-01", periods=60, freq="h")
    wide = pd.DataFrame({True: np.sin(np.arange(60.0)), False: np.cos(np.arange(60.0))}, ds)
    model = GLUForecaster(2, random_state=0, **{**TINY, "n_steps": 2}).fit(wide)
    model.save(tmp_path / "m.gluts")
    pd.testing.assert_frame_equal(gluts.load(tmp_path / "m.gluts").predict(), model.predict())


def test_loading_a_pickle_payload_fails_without_running_it(tmp_path):
    import pickle

    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = tmp_path / "evil.gluts"
    path.write_bytes(pickle.dumps({"meta": Payload()}))
    with pytest.raises(DataError, match="not a readable gluts model file"):
        gluts.load(path)
    assert not marker.exists()


def test_too_short_series_give_a_one_line_error():
    y = _sine_panel(n_series=1, length=20)
    with pytest.raises(ValueError, match=r"needs at least \d+ observations in some series"):
        GLUForecaster(12, **{**TINY, "context_length": 48}).fit(y)


def test_integer_time_index_and_numpy_arrays():
    arr = np.sin(np.arange(160) * 2 * np.pi / 8)[:, None] * np.array([1.0, 2.0])
    out = GLUForecaster(4, season_length=8, random_state=0, **TINY).fit(arr).predict()
    assert out.shape == (4, 2, 4)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_fit_loads_and_predicts_on_cpu(tmp_path):
    y = _sine_panel(n_series=2, length=120)
    model = GLUForecaster(3, device="cuda", random_state=0, **{**TINY, "n_steps": 5}).fit(y)
    model.save(tmp_path / "m.gluts")
    assert gluts.load(tmp_path / "m.gluts").predict().shape == (6, 6)


def test_cuda_request_without_cuda_is_a_clear_error():
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    y = _sine_panel(n_series=1, length=120)
    with pytest.raises(ValueError, match="device='cuda' was requested"):
        GLUForecaster(3, device="cuda", **TINY).fit(y)


def test_auto_transform_models_logs_of_positive_series_only():
    y = _sine_panel(n_series=2, length=120)  # values 20..80
    small = {**TINY, "n_steps": 5}
    assert GLUForecaster(4, random_state=0, **small).fit(y).log_transform_
    shifted = y.assign(y=y["y"] - 50.0)
    assert not GLUForecaster(4, random_state=0, **small).fit(shifted).log_transform_
    assert not GLUForecaster(4, transform=None, random_state=0, **small).fit(y).log_transform_


def test_log_transform_keeps_every_quantile_positive_near_zero():
    t = np.arange(240)
    ds = pd.date_range("2020-01-01", periods=240, freq="h")
    # Daily peaks of 100 over nights of about 1: additive models overshoot below zero.
    y = pd.Series(1.0 + 99.0 * np.maximum(np.sin(2 * np.pi * t / 24), 0) ** 4, index=ds)
    out = GLUForecaster(24, season_length=24, random_state=0, **TINY).fit(y).predict()
    assert (out.to_numpy() > 0).all()


def test_log_transform_names_a_non_positive_value():
    y = _sine_panel(n_series=2, length=120)
    model = GLUForecaster(4, random_state=0, **{**TINY, "n_steps": 5}).fit(y)
    new = y.copy()
    new.loc[new.index[130], "y"] = 0.0
    message = r"Series 's1' has the non-positive value 0 at 2020-01-01 10"
    with pytest.raises(ValueError, match=message):
        model.predict(4, y=new)
    with pytest.raises(ValueError, match="Series 's1' has the non-positive value 0"):
        GLUForecaster(4, transform="log", **{**TINY, "n_steps": 5}).fit(new)
