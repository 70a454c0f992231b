"""The base class shared by every gluts forecaster.

:class:`BaseForecaster` turns user input into a :class:`~gluts.data.Panel`, validates the
parameters and lays the forecasts out like the input; subclasses implement ``_fit_panel`` and
``_forecast`` (see :class:`gluts.forecasting.local.LocalForecaster` for one model per series).
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import replace
from numbers import Integral
from typing import Any

import numpy as np
from sklearn.utils.validation import check_is_fitted

from gluts._estimator import PanelEstimator
from gluts.data import Panel, ReadOptions
from gluts.exceptions import DataError, GlutsWarning

__all__ = ["BaseForecaster", "quantile_column"]


def quantile_column(alias: str, q: float) -> str:
    """Return the output column name of quantile ``q``, e.g. ``'GLU-q0.1'``."""
    return f"{alias}-q{float(q):g}"


def _check_quantiles(owner: str, quantiles) -> tuple[float, ...]:
    if quantiles is None:
        return ()
    qs = tuple(float(q) for q in np.atleast_1d(quantiles))
    if any(not 0.0 < q < 1.0 for q in qs) or len(set(qs)) != len(qs):
        raise ValueError(
            f"The 'quantiles' parameter of {owner} must hold distinct floats in (0, 1). "
            f"Got {quantiles!r} instead."
        )
    return tuple(sorted(qs))


def _grid_key(grid) -> tuple:
    if grid.kind == "integer":
        return (grid.kind, int(grid.freq))
    return (grid.kind, grid.freq.freqstr)


class BaseForecaster(PanelEstimator):
    """Fit/predict plumbing shared by every forecaster.

    Subclasses declare ``_parameter_constraints`` (scikit-learn's constraint table) and
    implement :meth:`_fit_panel` and :meth:`_forecast`. Forecasts use the parameters of the
    last fit (see :meth:`_as_fitted`): ``set_params`` after ``fit`` acts at the next fit.
    """

    _parameter_constraints: dict = {}
    _tags: dict[str, Any] = {
        "probabilistic": True,
        "global_model": False,
        "supports_exog": False,
        "requires_horizon_in_fit": False,
    }
    # Fitted attributes that hold something per fitted series, which a forecast of a new
    # history does not read (see :meth:`_for_new_histories`).
    _per_series_state: tuple[str, ...] = ()

    @classmethod
    def get_tags(cls) -> dict[str, Any]:
        """Return the capability tags of this forecaster, merged along the class hierarchy."""
        tags: dict[str, Any] = {}
        for klass in reversed(cls.__mro__):
            tags.update(getattr(klass, "_tags", {}))
        return tags

    @property
    def alias_(self) -> str:
        """Name of the point-forecast column."""
        alias = getattr(self, "alias", None)
        return alias or type(self).__name__.removesuffix("Forecaster")

    # -- public API -------------------------------------------------------------------------

    def fit(
        self,
        y,
        X=None,
        *,
        id_col: str = "unique_id",
        time_col: str = "ds",
        target_col: str = "y",
        missing: str = "interpolate",
        freq: str | None = None,
    ):
        """Fit the forecaster to one or many series.

        Parameters
        ----------
        y : pandas.Series, pandas.DataFrame or numpy.ndarray
            The series: a Series, a wide frame (one column a series), a long frame or an
            array of shape ``(n_timesteps,)`` or ``(n_timesteps, n_series)``.
        X : pandas.DataFrame, pandas.Series, numpy.ndarray or None, default=None
            Exogenous variables at the timestamps of ``y``; only forecasters tagged
            ``supports_exog`` accept them (see :mod:`gluts.data.covariates` for the
            layouts).
        id_col, time_col, target_col : str, default="unique_id", "ds", "y"
            Column names of a long frame.
        missing : {"interpolate", "error"}, default="interpolate"
            How missing values and gaps are handled.
        freq : str or None, default=None
            Frequency of the data (a pandas offset alias); inferred when None.

        Returns
        -------
        self : object
            The fitted forecaster.
        """
        options = self._start_fit(id_col, time_col, target_col, missing, freq)
        self._check_exog(X)
        self.read_options_ = options
        return self.fit_panel(self._to_panel(y), X, read_options=options)

    def fit_panel(self, panel: Panel, X=None, *, read_options: ReadOptions | None = None):
        """Fit on an already built :class:`~gluts.data.Panel`.

        This is what :meth:`fit` calls after reading its input, and what
        :func:`gluts.backtest` calls on each training window.

        Parameters
        ----------
        panel : Panel
            The training series, as :meth:`gluts.data.ReadOptions.read` builds them.
        X : pandas.DataFrame, pandas.Series, numpy.ndarray or None, default=None
            Exogenous variables at the panel's timestamps, like :meth:`fit`'s ``X``.
        read_options : ReadOptions or None, default=None
            How later inputs (``predict(y=...)``, covariate frames) are read; the defaults
            when None.

        Returns
        -------
        self : object
            The fitted forecaster.
        """
        self._validate_params()
        self._check_exog(X)
        self._fit_params = self._fitted_params()
        self.read_options_ = read_options or ReadOptions()
        self._fit_panel(panel, X)
        self.history_ = panel
        self.series_ids_ = list(panel.ids)
        self.n_series_ = len(panel)
        return self

    def predict(self, h: int | None = None, X_future=None, y=None, X=None):
        """Forecast ``h`` steps after the end of each series.

        Parameters
        ----------
        h : int or None, default=None
            Number of steps; defaults to the ``horizon`` parameter where there is one.
        X_future : pandas.DataFrame, pandas.Series, numpy.ndarray or None, default=None
            Known-future exogenous values over the ``h`` forecast steps; only for forecasters
            tagged ``supports_exog`` (see :mod:`gluts.data.covariates` for the layouts).
        y : pandas.Series, pandas.DataFrame, numpy.ndarray or None, default=None
            New history to forecast from instead of the fitted one, in the same layout
            conventions as ``fit``; its frequency (step, for integer time) must be the
            fitted data's, or a :class:`~gluts.exceptions.DataError` is raised.
        X : pandas.DataFrame, pandas.Series, numpy.ndarray or None, default=None
            Exogenous values over the new history ``y``, like ``fit``'s ``X``.

        Returns
        -------
        pandas.Series, pandas.DataFrame or numpy.ndarray
            The point forecast (column ``alias``) and one column per quantile
            (``alias-q<q>``), laid out like the input (see
            :meth:`gluts.data.Panel.format_forecast`): for a wide frame, indexed by time with
            ``(series, column)`` columns, as the command line writes it.
        """
        check_is_fitted(self, "history_")
        fitted = self._as_fitted()
        h = fitted.check_h(h)
        self._check_exog(X_future)
        self._check_exog(X)
        panel = None if y is None else fitted._new_history(y)
        point, quantiles = fitted.forecast_panel(h, panel, X=X, X_future=X_future)
        source = self.history_ if panel is None else panel
        _warn_missing_quantiles(fitted.alias_, source.ids, quantiles)
        columns = {fitted.alias_: point}
        for j, q in enumerate(fitted.quantiles_):
            columns[quantile_column(fitted.alias_, q)] = [qa[:, j] for qa in quantiles]
        return source.format_forecast(columns, h)

    def forecast_panel(
        self, h: int, panel: Panel | None = None, X=None, X_future=None
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Forecast ``h`` steps from the fitted history, or from ``panel`` as new history.

        The array-level counterpart of :meth:`predict`, used by :func:`gluts.backtest`:
        no output layout, ``h`` already checked.

        Parameters
        ----------
        h : int
            Number of steps (at most ``horizon`` for direct models).
        panel : Panel or None, default=None
            New history to forecast from; the fitted history when None.
        X : pandas.DataFrame, pandas.Series, numpy.ndarray or None, default=None
            Exogenous values over ``panel``; only for forecasters tagged ``supports_exog``.
        X_future : pandas.DataFrame, pandas.Series, numpy.ndarray or None, default=None
            Known-future exogenous values over the ``h`` steps; likewise.

        Returns
        -------
        point : list of ndarray
            Per series, the point forecast of shape ``(h,)``.
        quantiles : list of ndarray
            Per series, the quantiles of shape ``(h, n_quantiles)``.
        """
        check_is_fitted(self, "history_")
        fitted = self._as_fitted()
        if panel is None:
            return fitted._forecast(self.history_, h, refit=False)
        return fitted._forecast(panel, h, refit=True)

    # -- hooks ------------------------------------------------------------------------------

    def _fit_panel(self, panel: Panel, X) -> None:
        raise NotImplementedError

    def _forecast(
        self, panel: Panel, h: int, refit: bool
    ) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Return, per series, the point forecast ``(h,)`` and quantiles ``(h, n_quantiles)``."""
        raise NotImplementedError

    # -- helpers ----------------------------------------------------------------------------

    def _fitted_params(self) -> dict:
        """The parameters that define the fitted model: all but ``n_jobs``, which says only
        how parallel the work runs (results do not depend on it), so it acts at once."""
        params = copy.deepcopy(self.get_params(deep=False))
        params.pop("n_jobs", None)
        return params

    def _params_on(self, panel: Panel) -> dict:
        """The parameters that act on a fit on ``panel``: those of :meth:`_fitted_params`,
        with any that ``panel`` switches off given the value that says so (two forecasters
        whose values agree here fit ``panel`` alike)."""
        return self._fitted_params()

    def _as_fitted(self):
        """This forecaster as fitted: a shallow copy holding the parameters of the last fit.

        Predictions read only fitted state (scikit-learn's rule): parameters changed with
        ``set_params`` after ``fit`` take effect at the next ``fit`` (``n_jobs`` at once).
        The copy shares every fitted attribute; ``self`` is returned when the parameters are
        those of the fit (or when the forecaster was unpickled from a version that did not
        record them).
        """
        fitted = self.__dict__.get("_fit_params")
        if fitted is None or all(self.__dict__.get(k, object()) is v for k, v in fitted.items()):
            return self
        view = copy.copy(self)
        view.__dict__.update(fitted)
        return view

    def _for_new_histories(self):
        """A fitted copy that forecasts new histories (``predict(h, y=...)``) only.

        It shares the fitted model but holds none of the fitted series (an empty history on
        the same time grid, and None for :attr:`_per_series_state`): what a parallel task
        that forecasts other histories with a global model needs of it, and no more.
        """
        check_is_fitted(self, "history_")
        light = copy.copy(self)
        light.history_ = self.history_.subset([])
        for name in self._per_series_state:
            setattr(light, name, None)
        return light

    def _new_history(self, y) -> Panel:
        """Read ``y`` as a new history, refusing one on another time grid than the fitted.

        Timestamps that show no grid of their own (one row per series, irregular dates) are
        read on the fitted one, as ``fit(freq=...)`` would.
        """
        fitted = self.history_.grid
        try:
            panel = self._to_panel(y)
        except DataError:
            if self.read_options_.freq is not None or fitted.kind != "datetime":
                raise
            panel = self._to_panel(y, replace(self.read_options_, freq=fitted.freq.freqstr))
        new = panel.grid
        if _grid_key(fitted) != _grid_key(new):
            raise DataError(
                f"{type(self).__name__} was fitted on data with frequency {fitted.describe()} "
                f"but y has frequency {new.describe()}; forecast data of the fitted frequency "
                "or refit the model on this data."
            )
        return panel

    @property
    def quantiles_(self) -> tuple[float, ...]:
        """The sorted quantile levels this forecaster predicts (those of the last fit)."""
        params = self.__dict__.get("_fit_params") or vars(self)
        return _check_quantiles(type(self).__name__, params.get("quantiles"))

    def check_h(self, h: int | None) -> int:
        """Return the number of steps ``predict(h)`` forecasts, or raise as it would.

        Parameters
        ----------
        h : int or None
            Steps asked for; None means the ``horizon`` parameter.

        Returns
        -------
        int
            ``h``, or the horizon when ``h`` is None.

        Raises
        ------
        ValueError
            When ``h`` is not a positive int, is None without a horizon, or exceeds the
            horizon of a direct model.
        """
        horizon = getattr(self, "horizon", None)
        if h is None:
            if horizon is None:
                raise ValueError(f"{type(self).__name__}.predict needs h, the number of steps.")
            return int(horizon)
        if not isinstance(h, Integral) or isinstance(h, bool) or h < 1:
            raise ValueError(f"h must be a positive int; got {h!r}.")
        if self.get_tags()["requires_horizon_in_fit"] and h > horizon:
            raise ValueError(
                f"h={h} exceeds horizon={horizon}, the largest horizon this "
                f"{type(self).__name__} was fitted for. Refit with horizon >= {h}."
            )
        return int(h)

    def _check_exog(self, X) -> None:
        if X is not None and not self.get_tags()["supports_exog"]:
            raise ValueError(f"{type(self).__name__} does not use exogenous variables; got X.")


def _warn_missing_quantiles(alias: str, ids, quantiles: list[np.ndarray]) -> None:
    """Say which series got no quantiles (too short for a spread), not only leave them NaN."""
    missing = [sid for sid, qs in zip(ids, quantiles) if np.isnan(qs).any()]
    if missing:
        named = ", ".join(repr(sid) for sid in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        warnings.warn(
            f"{alias} could not estimate quantiles for series {named}{more}: their quantile "
            "columns are NaN (a spread needs a few values of history).",
            GlutsWarning,
            stacklevel=3,
        )
