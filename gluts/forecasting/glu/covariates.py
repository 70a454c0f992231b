"""Covariates of the GLU forecaster: alignment, standardisation and the known-future tensor.

Covariates given as ``X`` in ``fit`` are standardised with statistics of the fitted data and
read by the stack as extra channels; the known-future ones (every column not named in
``past_covariates``) are also read ahead of each forecast origin, so ``predict`` needs their
values over the forecast steps as ``X_future``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from gluts.data import Panel, ReadOptions, align_covariates
from gluts.exceptions import DataError

__all__ = ["Covariates", "FittedCovariates", "fit_covariates", "predict_covariates"]


@dataclass
class Covariates:
    """The covariates a forecaster was fitted with (none: the defaults).

    Attributes
    ----------
    names : list of str
        Columns of ``X``.
    future : list of str
        The known-future ones among them.
    mean, scale : ndarray of shape (n_covariates,) or None
        Standardisation over the fitted data.
    history : list of ndarray or None
        Values over each fitted series, shaped ``(n_timesteps, n_covariates)``.
    """

    names: list[str] = field(default_factory=list)
    future: list[str] = field(default_factory=list)
    mean: np.ndarray | None = None
    scale: np.ndarray | None = None
    history: list[np.ndarray] | None = None

    @property
    def future_columns(self) -> list[int]:
        """Positions of the known-future covariates among all of them."""
        return [self.names.index(name) for name in self.future]

    def standardise(self, values: list[np.ndarray]) -> list[np.ndarray]:
        """Standardise each series' covariate values with the fitted statistics."""
        return [(x - self.mean) / self.scale for x in values]

    def future_tensor(
        self, history: torch.Tensor, ahead: list[np.ndarray], horizon: int
    ) -> torch.Tensor:
        """History of the known-future covariates followed by ``horizon`` forecast steps.

        Steps beyond the ``h`` given ones repeat the last given value: the network forecasts
        step ``k`` from the covariates at step ``k`` only, so they never change the output.

        Parameters
        ----------
        history : Tensor of shape (n_series, n_future, length)
            Standardised known-future covariates over the history.
        ahead : list of ndarray of shape (h, n_future)
            Per series, their values over the forecast steps.
        horizon : int
            Steps the network forecasts.

        Returns
        -------
        Tensor of shape (n_series, n_future, length + horizon)
        """
        columns = self.future_columns
        mean, scale = self.mean[columns], self.scale[columns]
        steps = np.stack([(x - mean) / scale for x in ahead])  # (n, h, F)
        pad = horizon - steps.shape[1]
        steps = np.concatenate([steps, np.repeat(steps[:, -1:], pad, axis=1)], axis=1)
        steps = torch.as_tensor(steps.transpose(0, 2, 1), dtype=torch.float32)
        return torch.cat([history, steps], dim=-1)  # (n, F, length + horizon)


class FittedCovariates:
    """Keeps fitted :class:`Covariates` as a forecaster's attributes (``covariates_``,
    ``future_covariates_``, ``covariate_mean_``, ``covariate_scale_``, ``covariate_history_``)."""

    def _set_covariates(self, covariates: Covariates) -> None:
        self.covariates_, self.future_covariates_ = covariates.names, covariates.future
        self.covariate_mean_, self.covariate_scale_ = covariates.mean, covariates.scale
        self.covariate_history_ = covariates.history

    def _covariates(self) -> Covariates:
        names, future = self.covariates_, self.future_covariates_
        mean, scale = self.covariate_mean_, self.covariate_scale_
        return Covariates(names, future, mean, scale, self.covariate_history_)


def fit_covariates(
    X, panel: Panel, past_covariates: Sequence[str] | None, options: ReadOptions
) -> Covariates:
    """Align ``X`` with the series of ``panel`` and compute its standardisation.

    Parameters
    ----------
    X : pandas.DataFrame, pandas.Series, numpy.ndarray or None
        The covariates over the fitted series.
    panel : Panel
        The fitted series.
    past_covariates : sequence of str or None
        Columns of ``X`` known only up to the forecast origin.
    options : ReadOptions
        The column names that ``X`` shares with the series.

    Returns
    -------
    Covariates
        Empty when ``X`` is None.
    """
    past = list(past_covariates or [])
    if X is None:
        if past:
            raise ValueError(f"past_covariates names {past}, but fit got no X.")
        return Covariates()
    names, values = align_covariates(X, panel, panel.index, **_columns(options), label="X")
    unknown = [name for name in past if name not in names]
    if unknown:
        raise DataError(
            f"past_covariates names {unknown[0]!r}, which is not a column of X {names}."
        )
    stacked = np.concatenate(values)
    scale = stacked.std(axis=0)
    return Covariates(
        names=names,
        future=[name for name in names if name not in past],
        mean=stacked.mean(axis=0),
        scale=np.where(scale > 0, scale, 1.0),
        history=values,
    )


def predict_covariates(
    covariates: Covariates,
    panel: Panel,
    new: bool,
    h: int,
    X,
    X_future,
    options: ReadOptions,
    owner: str,
) -> tuple[list[np.ndarray], list[np.ndarray] | None] | None:
    """The covariates over the history of ``panel`` and over its ``h`` forecast steps.

    Parameters
    ----------
    covariates : Covariates
        Those the forecaster was fitted with.
    panel : Panel
        The history forecast from.
    new : bool
        Whether ``panel`` is a new history (not the fitted one).
    h : int
        Forecast steps.
    X, X_future : pandas.DataFrame, pandas.Series, numpy.ndarray or None
        Covariates over a new history, and the known-future ones over the forecast steps.
    options : ReadOptions
        The column names that the covariate frames share with the series.
    owner : str
        The forecaster's name, for error messages.

    Returns
    -------
    tuple of (list of ndarray, list of ndarray or None) or None
        Per series, the values over the history and the known-future values over the
        forecast steps; None without covariates.
    """
    if not covariates.names:
        for label, given in (("X", X), ("X_future", X_future)):
            if given is not None:
                raise ValueError(f"{owner} was fitted without covariates; got {label}.")
        return None
    if new and X is None:
        raise ValueError(
            f"{owner} was fitted with the covariates {covariates.names}; predict(y=...) "
            "needs X, their values over the new history y."
        )
    if not new and X is not None:
        raise ValueError("X gives covariates for a new history: pass it with y.")
    columns = _columns(options)
    past = covariates.history
    if new:
        past = align_covariates(
            X, panel, panel.index, names=covariates.names, **columns, label="X"
        )[1]
    if not covariates.future:
        if X_future is not None:
            raise ValueError(f"{owner} was fitted with past covariates only; X_future is not used.")
        return past, None
    if X_future is None:
        raise ValueError(
            f"{owner} was fitted with the known-future covariates "
            f"{covariates.future}; pass their values for the {h} forecast steps "
            "as X_future."
        )
    future = align_covariates(
        X_future,
        panel,
        panel.future_index(h),
        names=covariates.future,
        **columns,
        label="X_future",
    )[1]
    return past, future


def _columns(options: ReadOptions) -> dict:
    """The id, time and target column names that the covariate frames share."""
    return {
        "id_col": options.id_col,
        "time_col": options.time_col,
        "target_col": options.target_col,
    }
