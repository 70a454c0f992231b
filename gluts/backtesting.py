"""Rolling-origin backtests: fit at several cutoffs, forecast, score against what followed.

The windows end at the end of each series: the last window's forecast covers the last
``horizon`` observations, and each earlier window's cutoff lies ``step`` observations before
the next one. A model only ever sees data up to its cutoff, and covariates up to its cutoff
plus, for known-future covariates, over its forecast window.

Models of one series at a time (``global_model`` tag False) run as parallel tasks over
models x windows x chunks of series (see :mod:`gluts._parallel`): each task fits a clone on
its series up to the cutoff, forecasts and scores them, and sends back forecast and metric
rows only. Global models (GLU, Linear) learn from every series at once: they are fitted
here, with their own threads, and predict in parallel where they can (``n_jobs``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import clone

from gluts import metrics
from gluts._member_rows import member_rows
from gluts._parallel import run, split
from gluts._progress import progress_bar
from gluts.base import BaseForecaster
from gluts.data import Panel, ReadOptions
from gluts.data.panel import concat_index
from gluts.exceptions import InsufficientHistoryError

__all__ = ["BacktestResult", "backtest"]

REFERENCE = "SeasonalNaive"
POINT_METRICS = ("smape", "mase", "rmsse", "mae", "rmse")
QUANTILE_METRICS = ("mql", "scaled_crps", "coverage")
# Estimated seconds per observation of a model that declares none (sizes parallel tasks).
_SECONDS_PER_VALUE = 1e-5


@dataclass
class BacktestResult:
    """What a backtest produced.

    Parameters
    ----------
    forecasts : pandas.DataFrame
        Long frame with columns ``model, unique_id, cutoff, ds, y, forecast`` and one column
        ``q<q>`` per predicted quantile (NaN where a model does not predict that quantile).
    metrics : pandas.DataFrame
        One row per model, series and window (``model, unique_id, window, cutoff``) with the
        point metrics and, for probabilistic models, ``mql`` (mean quantile loss),
        ``scaled_crps`` and ``coverage`` of the widest central interval. MASE and RMSSE are
        NaN where the series' training values have no seasonal naive error to scale by (a
        constant series), for every model alike, and the leaderboard's means leave them out.
    seconds : dict of str to float
        Seconds each model spent fitting and predicting, over all windows (summed over its
        tasks, which run side by side when ``n_jobs`` gives several workers).
    """

    forecasts: pd.DataFrame
    metrics: pd.DataFrame
    seconds: dict[str, float]

    def summary(self) -> pd.DataFrame:
        """Return the leaderboard: mean metrics per model, sorted by MASE.

        Returns
        -------
        pandas.DataFrame
            Indexed by model, with the mean of each metric over series and windows, each
            also divided by the SeasonalNaive mean (columns ``<metric>_rel``), and
            ``seconds``.
        """
        cols = [c for c in (*POINT_METRICS, *QUANTILE_METRICS) if c in self.metrics]
        board = self.metrics.groupby("model", sort=False)[cols].mean()
        if REFERENCE in board.index:
            for c in cols:
                if c != "coverage":
                    board[f"{c}_rel"] = board[c] / board.loc[REFERENCE, c]
        board["seconds"] = pd.Series(self.seconds)
        return board.sort_values("mase", kind="stable")


def backtest(
    forecasters: BaseForecaster | Sequence[BaseForecaster] | Mapping[str, BaseForecaster],
    y,
    horizon: int,
    n_windows: int = 3,
    step: int | None = None,
    refit: bool = True,
    *,
    season_length: int | None = None,
    X=None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    missing: str = "interpolate",
    freq: str | None = None,
    n_jobs: int | None = None,
    verbose: bool = False,
) -> BacktestResult:
    """Evaluate forecasters by rolling-origin backtesting.

    Parameters
    ----------
    forecasters : forecaster, sequence of forecasters or mapping of name to forecaster
        The models to compare. Each is cloned for every fit. A SeasonalNaive reference is
        added when none is given, so that every metric can be reported relative to it. A
        model with the class and parameters (``alias`` and ``n_jobs`` aside) of a member of
        a combination given beside it (e.g. GLU beside ``EnsembleForecaster()``) is not
        fitted again: its rows are the combination's fitted member's forecasts, and its
        seconds that member's fit and forecasts (see :mod:`gluts._member_rows`). Parameters
        that the data switch off at every fit do not count: the default GLU is the
        ensemble's GLU member (fitted without the seasonal adjustment) where a series holds
        a value ``<= 0`` or fewer than three seasons.
    y : pandas.Series, pandas.DataFrame or numpy.ndarray
        The series, in any layout that the forecasters accept.
    horizon : int
        Steps forecast from each cutoff.
    n_windows : int, default=3
        Number of cutoffs.
    step : int or None, default=None
        Steps between consecutive cutoffs; ``horizon`` when None.
    refit : bool, default=True
        Fit anew at every cutoff. When False, each model is fitted at the first cutoff only and
        later windows forecast from the history up to their cutoff with the fitted model.
    season_length : int or None, default=None
        Seasonal lag of MASE/RMSSE and of the reference; inferred from the frequency when None.
    X : pandas.DataFrame, pandas.Series or None, default=None
        Covariates over every timestamp of ``y``, indexed by time (see
        :mod:`gluts.data.covariates`); given to the forecasters tagged ``supports_exog``,
        which read the rows up to each cutoff and, for known-future covariates, the rows of
        its window. The other forecasters ignore them.
    id_col, time_col, target_col : str, default="unique_id", "ds", "y"
        Column names of a long frame.
    missing : {"interpolate", "error"}, default="interpolate"
        How missing values are handled.
    freq : str or None, default=None
        Frequency of the data; inferred when None.
    n_jobs : int or None, default=None
        joblib's parallel jobs for the models of one series at a time: tasks over models x
        windows x chunks of series, on the active joblib backend (Dask with ``with
        joblib.parallel_config(backend="dask"): ...``); the results do not depend on it.
        Inside the tasks the models run serially, whatever their own ``n_jobs``; in this
        process (``n_jobs`` None or 1) they use their own.
    verbose : bool, default=False
        Show a progress bar over the tasks (models, windows and chunks of series), with the
        time left, and a line for the long steps of each fit run here (GLU training, local
        models' series).

    Returns
    -------
    BacktestResult
        Forecasts, per-window metrics and timings; ``summary()`` gives the leaderboard.

    Raises
    ------
    InsufficientHistoryError
        When a series is too short for ``n_windows`` windows of ``horizon`` steps.
    """
    step = horizon if step is None else step
    _check_positive(horizon=horizon, n_windows=n_windows, step=step)
    options = ReadOptions(id_col, time_col, target_col, missing, freq)
    panel = options.read(y)
    season = season_length or panel.grid.season_length()
    models = _named_models(forecasters, season)
    cuts = [horizon + step * (n_windows - 1 - w) for w in range(n_windows)]
    _check_lengths(panel, cuts[0], season)
    spec = _Spec(horizon, tuple(cuts), season, options)
    fits = [panel.truncate(cut) for cut in (cuts if refit else cuts[:1])]
    supplied = member_rows(models, X is not None, fits)
    calls = {
        name: _tasks(name, model, panel, spec, n_jobs)
        for name, model in models.items()
        if name not in supplied
    }
    n_steps = sum(len(c) if c is not None else n_windows for c in calls.values())
    results = {}
    with progress_bar(verbose, n_steps, "backtest") as advance:
        flat = [call for c in calls.values() if c is not None for call in c]
        done = iter(run(flat, n_jobs, progress=advance))
        for name, model in models.items():
            if name in supplied:
                continue
            if calls[name] is not None:
                results[name] = [next(done) for _ in calls[name]]
            else:
                rows = {row: i for row, (owner, i) in supplied.items() if owner == name}
                results |= _global_windows(name, model, panel, spec, X, refit, advance, rows)
    windows = [window for name in models for window, _ in results[name]]
    seconds = {name: sum(elapsed for _, elapsed in results[name]) for name in models}
    frame = pd.concat([w.forecasts for w in windows], ignore_index=True)
    first = ["model", "unique_id", "window"]
    frame = frame[first + [c for c in frame.columns if c not in first]]
    scores = pd.concat([w.metrics for w in windows], ignore_index=True)
    return BacktestResult(frame, scores, seconds)


@dataclass(frozen=True)
class _Spec:
    """What every window of a backtest shares."""

    horizon: int
    cuts: tuple[int, ...]
    season: int
    options: ReadOptions


@dataclass
class _Window:
    """Forecast and metric rows of one model at one cutoff (for some or all series)."""

    forecasts: pd.DataFrame
    metrics: pd.DataFrame


def _tasks(name: str, model: BaseForecaster, panel: Panel, spec: _Spec, n_jobs) -> list | None:
    """The parallel tasks of a model of one series at a time; None for a global model."""
    tags = model.get_tags()
    if tags["global_model"] or tags["supports_exog"]:
        return None
    cost = getattr(model, "_seconds_per_value", _SECONDS_PER_VALUE)
    chunks = split(panel.lengths * cost, n_jobs)
    return [
        (_local_window, (name, clone(model), panel.subset(range(c.start, c.stop)), w, spec))
        for w in range(len(spec.cuts))
        for c in chunks
    ]


def _local_window(name: str, model: BaseForecaster, series: Panel, window: int, spec: _Spec):
    """A task: fit ``model`` on ``series`` up to the window's cutoff, forecast and score."""
    start = time.perf_counter()
    cut = spec.cuts[window]
    fitted = model.fit_panel(series.truncate(cut), read_options=spec.options)
    point, qs = fitted.forecast_panel(spec.horizon)
    result = _window(name, window, series, cut, point, qs, fitted.quantiles_, spec)
    return result, time.perf_counter() - start


def _global_windows(
    name, model, panel: Panel, spec: _Spec, X, refit: bool, advance, members: Mapping[str, int]
) -> dict[str, list]:
    """Every window of a global model, here: fitted at every cutoff, or once with ``refit``
    False (later windows forecast from their history with the first fit); and those of the
    rows that its fitted ``members`` supply (row name -> member index, see
    :func:`gluts._member_rows.member_rows`), timed by the member's fit and forecast."""
    exog, fitted = (X if model.get_tags()["supports_exog"] else None), None
    results = {row: [] for row in [name, *members]}
    for w, cut in enumerate(spec.cuts):
        start = time.perf_counter()
        train = panel.truncate(cut)
        fresh = refit or fitted is None
        if fresh:
            fitted = clone(model).fit_panel(train, exog, read_options=spec.options)
        history = () if fresh else (train,)
        kwargs = _exog(fitted, None if fresh else exog, exog)
        point, qs = fitted.forecast_panel(spec.horizon, *history, **kwargs)
        window = _window(name, w, panel, cut, point, qs, fitted.quantiles_, spec)
        results[name].append((window, time.perf_counter() - start))
        advance()
        for row, i in members.items():
            start = time.perf_counter()
            member_name, member = fitted.forecasters_[i]
            point, qs = member.forecast_panel(spec.horizon, *history)
            window = _window(row, w, panel, cut, point, qs, member.quantiles_, spec)
            fit = fitted.member_seconds_[member_name] if fresh else 0.0
            results[row].append((window, fit + time.perf_counter() - start))
    return results


def _check_positive(**values: int) -> None:
    for name, value in values.items():
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive int; got {value!r}.")


def _named_models(forecasters, season_length: int) -> dict[str, BaseForecaster]:
    from gluts.forecasting import SeasonalNaiveForecaster

    if isinstance(forecasters, BaseForecaster):
        forecasters = [forecasters]
    if isinstance(forecasters, Mapping):
        models = dict(forecasters)
    else:
        models = {}
        for model in forecasters:
            if model.alias_ in models:
                raise ValueError(
                    f"Two forecasters share the name {model.alias_!r}; give them distinct "
                    "'alias' parameters or pass a dict of name to forecaster."
                )
            models[model.alias_] = model
    for name, model in models.items():
        if not isinstance(model, BaseForecaster):
            raise TypeError(f"Forecaster {name!r} is not a gluts forecaster: {model!r}.")
    if REFERENCE not in models:
        models[REFERENCE] = SeasonalNaiveForecaster(season_length=season_length)
    return models


def _check_lengths(panel: Panel, longest_cut: int, season: int) -> None:
    """Every series needs more than one season of history before the earliest cutoff."""
    for sid, n in zip(panel.ids, panel.lengths):
        if n - longest_cut <= season:
            raise InsufficientHistoryError(
                f"Series {sid!r} has {n} observations; the backtest needs at least "
                f"{longest_cut + season + 1}: {longest_cut} held back for the windows and "
                f"{season + 1} before the earliest cutoff. Lower n_windows, step or horizon.",
                series=sid,
                needed=longest_cut + season + 1,
            )


def _exog(fitted: BaseForecaster, X, X_future) -> dict:
    """The covariate arguments of a forecast: X_future only for known-future covariates."""
    if X_future is None or not getattr(fitted, "covariates_", []):
        return {}
    return {"X": X, "X_future": X_future if fitted.future_covariates_ else None}


def _window(name, window, panel: Panel, cut, point, qs, quantiles, spec: _Spec) -> _Window:
    """Forecasts of one model at one cutoff beside the actuals, and their metrics."""
    h = spec.horizon
    ends = [len(v) - cut for v in panel.values]
    spans = [idx[e : e + h] for idx, e in zip(panel.index, ends)]
    frame = {
        "unique_id": np.repeat(np.array(panel.ids, dtype=object), h),
        "cutoff": np.repeat(np.array([idx[e - 1] for idx, e in zip(panel.index, ends)]), h),
        "ds": concat_index(spans),
        "y": np.concatenate([v[e : e + h] for v, e in zip(panel.values, ends)]),
        "forecast": np.concatenate(point),
    }
    for j, q in enumerate(quantiles):
        frame[f"q{q:g}"] = np.concatenate([qa[:, j] for qa in qs])
    frame = pd.DataFrame(frame).assign(model=name, window=window)
    return _Window(frame, _score(name, window, frame, panel, cut, spec.season))


def _score(name, window, frame: pd.DataFrame, panel: Panel, cut: int, season: int):
    """One row of metrics per series of a window's forecast frame (its rows in panel order)."""
    h = len(frame) // max(len(panel), 1)
    qcols = sorted((c for c in frame if c.startswith("q")), key=lambda c: float(c[1:]))
    y_all, f_all, quantiles = frame["y"].to_numpy(), frame["forecast"].to_numpy(), frame[qcols]
    cutoffs = frame["cutoff"]
    rows = []
    for k, (sid, values) in enumerate(zip(panel.ids, panel.values)):
        rows_k = slice(k * h, (k + 1) * h)
        y, f, train = y_all[rows_k], f_all[rows_k], values[: len(values) - cut]
        row = {"model": name, "unique_id": sid, "window": window, "cutoff": cutoffs.iloc[k * h]}
        row.update(_point_metrics(y, f, train, season))
        g = quantiles.iloc[rows_k]
        present = [c for c in qcols if g[c].notna().all()]
        if present:
            row.update(_quantile_metrics(y, g[present].to_numpy(), [float(c[1:]) for c in present]))
        rows.append(row)
    return pd.DataFrame(rows)


def _point_metrics(y, f, train, season) -> dict[str, float]:
    # without a scale, a scaled error is 0/0, or x/0 by rounding alone: none for any model
    scaled = metrics.seasonal_scale(train, season) > 0
    return {
        "smape": metrics.smape(y, f),
        "mase": metrics.mase(y, f, train, season_length=season) if scaled else np.nan,
        "rmsse": metrics.rmsse(y, f, train, season_length=season) if scaled else np.nan,
        "mae": metrics.mae(y, f),
        "rmse": metrics.rmse(y, f),
    }


def _quantile_metrics(y, quantile_values, quantiles) -> dict[str, float]:
    out = {
        "mql": metrics.pinball_loss(y, quantile_values, quantiles),
        "scaled_crps": metrics.scaled_crps(y, quantile_values, quantiles),
    }
    lo, hi = quantiles[0], quantiles[-1]
    if np.isclose(lo, 1 - hi) and lo < 0.5:
        out["coverage"] = metrics.coverage(y, quantile_values[:, 0], quantile_values[:, -1])
    return out
