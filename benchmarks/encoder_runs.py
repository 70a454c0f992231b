"""One measured fit per call, for ``benchmarks/encoders.py`` (each call runs in its own process).

``run_m4``, ``run_ett`` and ``run_long_range`` take a task dict (variant, width, depth, seed,
training steps, data) and return it with the accuracy and costs of one fit.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ett  # noqa: E402
import m4  # noqa: E402
from _common import peak_rss_mib, reset_peak_rss  # noqa: E402

from gluts import GLUForecaster  # noqa: E402
from gluts.forecasting.glu.training import TrainingPlan  # noqa: E402
from gluts.forecasting.glu.training import train as train_network  # noqa: E402
from gluts.forecasting.glu.windows import prepare  # noqa: E402
from gluts.nn import GLUNetwork, NetworkSpec, make_encoder, matched_width, n_parameters  # noqa: E402

VARIANTS = {  # name -> GLUForecaster options
    "glu": {"encoder": "glu", "gate": "sigmoid"},
    "glu-tanh": {"encoder": "glu", "gate": "tanh"},
    "glu-gelu": {"encoder": "glu", "gate": "gelu"},
    "glu-silu": {"encoder": "glu", "gate": "silu"},
    "glu-identity": {"encoder": "glu", "gate": "identity"},
    "tcn": {"encoder": "tcn"},
    "lstm": {"encoder": "lstm"},
    "gru": {"encoder": "gru"},
}
GLU_WIDTH = 32  # GLUForecaster's default n_channels: the budget every encoder is matched to
RNN_LAYERS = 2  # GLUForecaster's default depth for an LSTM or GRU
M4_H, M4_M, ETT_H = 48, 24, 96
NOISE = 0.1  # of the long-range series, around patterns of unit variance
SCALE_WINDOW = 28  # the forecaster's scaling window for season_length=1
LATENCY_REPEATS = 5


# -- sizes ------------------------------------------------------------------------------------


def matched_sizes(in_features: int, n_blocks: int) -> dict[str, dict]:
    """Width, depth and parameter counts of every variant at the GLU stack's budget.

    The GLU gates share the sigmoid stack's width; the unbounded ones count the block
    normalisations' gains too (``channels`` per block).
    """
    budget = n_parameters(make_encoder("glu", in_features, GLU_WIDTH, n_blocks))
    sizes = {}
    for name, options in VARIANTS.items():
        encoder = options["encoder"]
        depth = RNN_LAYERS if encoder in ("lstm", "gru") else n_blocks
        width = GLU_WIDTH
        if encoder != "glu":
            width = matched_width(encoder, budget, in_features, depth)
        gate = options.get("gate", "sigmoid")
        count = n_parameters(make_encoder(encoder, in_features, width, depth, gate=gate))
        sizes[name] = {"width": width, "depth": depth, "encoder_params": count}
        sizes[name]["diverges"] = diverges_at_init(name, sizes[name], in_features)
    return sizes


def diverges_at_init(variant: str, size: dict, in_features: int) -> bool:
    """Whether the encoder's output blows up (std > 1e3) for unit-variance inputs at init."""
    with torch.random.fork_rng(devices=[]), torch.no_grad():
        torch.manual_seed(0)
        encoder = make_encoder(
            VARIANTS[variant]["encoder"],
            in_features,
            size["width"],
            size["depth"],
            gate=VARIANTS[variant].get("gate", "sigmoid"),
        )
        out = encoder(torch.randn(4, in_features, 512))
        return not (bool(torch.isfinite(out).all()) and float(out.std()) < 1e3)


def _model(task: dict, horizon: int, **options) -> GLUForecaster:
    return GLUForecaster(
        horizon,
        **VARIANTS[task["variant"]],
        n_channels=task["width"],
        n_blocks=task["depth"],
        n_steps=task["steps"],
        random_state=task["seed"],
        n_threads=1,
        **options,
    )


# -- measurements -----------------------------------------------------------------------------


def converged_step(losses: list[float]) -> int:
    """First step where the smoothed training loss has made 95% of its total decrease."""
    loss = np.asarray(losses, dtype=np.float64)
    width = max(5, len(loss) // 20)
    smooth = np.convolve(loss, np.ones(width) / width, mode="valid")
    target = smooth[-1] + 0.05 * (smooth[0] - smooth[-1])
    return int(np.argmax(smooth <= target)) + width


class Stopwatch:
    """Wall-clock and CPU seconds of this process over a ``with`` block.

    CPU seconds of a one-thread process are what the work costs, however busy the machine
    is; wall-clock seconds also count waiting for a core.
    """

    def __enter__(self) -> Stopwatch:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def _fit(model: GLUForecaster, y) -> dict:
    """Fit ``model`` on ``y``; return the costs (peak memory is read later)."""
    with Stopwatch() as clock:
        model.fit(y)
    steps = model.training_history_.steps
    converged = converged_step(model.training_history_.train_loss)
    return {
        "fit_s": clock.wall,
        "fit_cpu_s": clock.cpu,
        "s_per_step": clock.cpu / steps,
        "converged_step": converged,
        "converged_s": clock.cpu * converged / steps,
        "encoder_params": n_parameters(model.network_.stack),
        "total_params": n_parameters(model.network_),
        "final_loss": float(np.mean(model.training_history_.train_loss[-20:])),
    }


def _latency_ms(model: GLUForecaster, h: int, one) -> float:
    """Median CPU milliseconds to forecast one new series."""
    times = []
    for _ in range(LATENCY_REPEATS):
        with Stopwatch() as clock:
            model.predict(h, y=one)
        times.append(clock.cpu)
    return 1000.0 * float(np.median(times))


def run_m4(task: dict) -> dict:
    """Fit one variant on M4 Hourly and score it (runs in its own process)."""
    train, test = m4.load(task["train"], task["limit"]), m4.load(task["test"], task["limit"])
    model = _model(task, M4_H, season_length=M4_M)
    before = reset_peak_rss()
    out = _fit(model, train)
    with Stopwatch() as clock:
        forecast = model.predict(M4_H)
    out["throughput"] = model.n_series_ / clock.cpu
    first = train["unique_id"].iloc[0]
    out["latency_ms"] = _latency_ms(model, M4_H, train[train["unique_id"] == first])
    out["peak_mib"] = peak_rss_mib() - before
    if not np.isfinite(forecast[model.alias_]).all():  # training diverged
        return {**task, **out, "smape": np.nan, "mase": np.nan}
    forecast = forecast.rename(columns={model.alias_: "forecast"})[["unique_id", "ds", "forecast"]]
    per_series = m4.score(forecast, train, test, M4_M)
    return {**task, **out, "smape": per_series["smape"].mean(), "mase": per_series["mase"].mean()}


def run_ett(task: dict) -> dict:
    """Fit one variant on ETTh1 OT and score every ``stride``-th test window (own process)."""
    ds, z = ett.load_column(task["data"])
    train = pd.Series(z[: ett.VALID], index=ds[: ett.VALID], name="OT")
    history = ett.windows(ds, z, ETT_H, 1024)
    keep = np.unique(history["unique_id"])[:: task["stride"]]
    history = history[history["unique_id"].isin(keep)]
    actual = ett.target_windows(z, ETT_H)[:: task["stride"]]
    model = _model(task, ETT_H)
    before = reset_peak_rss()
    out = _fit(model, train)
    with Stopwatch() as clock:
        forecast = model.predict(ETT_H, y=history)
    out["throughput"] = len(actual) / clock.cpu
    out["latency_ms"] = _latency_ms(model, ETT_H, history[history["unique_id"] == keep[0]])
    out["peak_mib"] = peak_rss_mib() - before
    err = forecast[model.alias_].to_numpy().reshape(actual.shape) - actual
    return {**task, **out, "mse": float(np.mean(err**2)), "mae": float(np.mean(np.abs(err)))}


def periodic_series(rng: np.random.Generator, n: int, period: int, length: int) -> np.ndarray:
    """``n`` series that repeat a random N(0, 1) pattern of ``period`` steps, plus noise."""
    pattern = rng.normal(size=(n, period))
    t = np.arange(length)
    return pattern[:, t % period] + NOISE * rng.normal(size=(n, length))


def run_long_range(task: dict) -> dict:
    """Train one encoder to continue period-L patterns; R^2 on fresh patterns (own process)."""
    torch.set_num_threads(1)
    period, seed = task["period"], task["seed"]
    rng = np.random.default_rng(seed)
    window = period + 512
    train = periodic_series(rng, 64, period, 2 * window)
    test = periodic_series(rng, 32, period, 2 * period + 512)
    options = VARIANTS[task["variant"]]
    spec = NetworkSpec(
        in_features=1,
        horizon=1,
        quantiles=(0.1, 0.5, 0.9),
        context_length=2,
        season_length=1,
        n_channels=task["width"],
        n_blocks=task["depth"],
        kernel_size=3,
        dilation_base=2,
        gate=options.get("gate", "sigmoid"),
        dropout=0.0,
        use_weight_norm=True,
        head_hidden=256,
        encoder=options["encoder"],
    )
    plan = TrainingPlan(
        n_steps=task["steps"],
        batch_size=8,
        window=window,
        learning_rate=1.5e-3,
        warm=SCALE_WINDOW,
        validation=0,
        early_stopping=False,
        relative_weight=0.0,
    )
    data = prepare(list(train), None, [], train.shape[1], "standard", 1, SCALE_WINDOW)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        network = GLUNetwork(spec)
        with torch.no_grad():
            network.skip.weight.zero_()  # the linear skip would copy lag L by itself
        network.skip.weight.requires_grad_(False)
        with Stopwatch() as clock:
            history = train_network(network, data, plan, rng, torch.device("cpu"))
    scored = prepare(list(test), None, [], test.shape[1], "standard", 1, SCALE_WINDOW)
    with torch.inference_mode():
        pred = network(scored.features, scored.values, scored.loc, scored.scale)  # (N, T, 1, Q)
    median = pred[:, :, 0, spec.quantiles.index(0.5)].double().numpy()
    forecast = scored.loc_raw + scored.scale_raw * median  # forecast of y[t + 1] made at t
    err = forecast[:, 2 * period : -1] - test[:, 2 * period + 1 :]
    r2 = 1.0 - np.mean(err**2) / np.var(test[:, 2 * period + 1 :])
    return {
        **task,
        "r2": float(r2),
        "fit_s": clock.wall,
        "fit_cpu_s": clock.cpu,
        "s_per_step": clock.cpu / history.steps,
        "receptive_field": network.receptive_field,
        "encoder_params": n_parameters(network.stack),
    }


def steps_per_epoch(model: GLUForecaster) -> float:
    """Training steps per pass over every forecast origin of a fitted forecaster's data."""
    plan = model._plan(model.history_)
    lengths = model.history_.lengths
    origins = np.maximum(lengths - plan.warm - model.horizon, 0).sum()
    window = min(plan.window, int(lengths.max()) - model.horizon)
    return float(origins / (plan.batch_size * window / plan.position_stride))
