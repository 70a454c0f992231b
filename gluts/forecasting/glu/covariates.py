"""Covariates of the GLU forecaster: alignment, standardisation and the known-future tensor.

Covariates given as ``X`` in ``fit`` are standardised with statistics of the fitted data and
read by the stack as extra channels; the known-future ones (every column not named in
``past_covariates``) are also read ahead of each forecast origin, so ``predict`` needs their
values over the forecast steps as ``X_future``.
"""

from __future__ import annotations

import numpy as np
import torch

from gluts.data import Panel, align_covariates
from gluts.exceptions import DataError

__all__ = ["CovariateMixin"]


class CovariateMixin:
    """Covariate handling for :class:`~gluts.GLUForecaster` (needs ``past_covariates``).

    Sets ``covariates_``, ``future_covariates_``, ``covariate_mean_``, ``covariate_scale_``
    and ``covariate_history_`` in fit.
    """

    def _fit_covariates(self, X, panel: Panel) -> list[np.ndarray] | None:
        """Align ``X`` with the series, set the covariate attributes, return it standardised."""
        past = list(self.past_covariates or [])
        self.covariates_, self.future_covariates_, self.covariate_history_ = [], [], None
        if X is None:
            if past:
                raise ValueError(f"past_covariates names {past}, but fit got no X.")
            return None
        names, values = align_covariates(X, panel, panel.index, **self._columns(), label="X")
        unknown = [name for name in past if name not in names]
        if unknown:
            raise DataError(
                f"past_covariates names {unknown[0]!r}, which is not a column of X {names}."
            )
        stacked = np.concatenate(values)
        scale = stacked.std(axis=0)
        self.covariate_mean_ = stacked.mean(axis=0)
        self.covariate_scale_ = np.where(scale > 0, scale, 1.0)
        self.covariates_ = names
        self.future_covariates_ = [name for name in names if name not in past]
        self.covariate_history_ = values
        return self._standardise(values)

    def _columns(self) -> dict:
        """The id, time and target column names that the covariate frames share."""
        options = self.read_options_
        return {
            "id_col": options.id_col,
            "time_col": options.time_col,
            "target_col": options.target_col,
        }

    def _future_columns(self) -> list[int]:
        return [self.covariates_.index(name) for name in self.future_covariates_]

    def _standardise(self, values: list[np.ndarray]) -> list[np.ndarray]:
        return [(x - self.covariate_mean_) / self.covariate_scale_ for x in values]

    def _predict_covariates(self, panel: Panel, new: bool, h: int, X, X_future):
        """The covariates over the history of ``panel`` and over its ``h`` forecast steps."""
        owner = type(self).__name__
        if not self.covariates_:
            for label, given in (("X", X), ("X_future", X_future)):
                if given is not None:
                    raise ValueError(f"{owner} was fitted without covariates; got {label}.")
            return None
        if new and X is None:
            raise ValueError(
                f"{owner} was fitted with the covariates {self.covariates_}; predict(y=...) "
                "needs X, their values over the new history y."
            )
        if not new and X is not None:
            raise ValueError("X gives covariates for a new history: pass it with y.")
        past = self.covariate_history_
        if new:
            past = align_covariates(
                X, panel, panel.index, names=self.covariates_, **self._columns(), label="X"
            )[1]
        if not self.future_covariates_:
            if X_future is not None:
                raise ValueError(
                    f"{owner} was fitted with past covariates only; X_future is not used."
                )
            return past, None
        if X_future is None:
            raise ValueError(
                f"{owner} was fitted with the known-future covariates "
                f"{self.future_covariates_}; pass their values for the {h} forecast steps "
                "as X_future."
            )
        future = align_covariates(
            X_future,
            panel,
            panel.future_index(h),
            names=self.future_covariates_,
            **self._columns(),
            label="X_future",
        )[1]
        return past, future

    def _future_tensor(self, history: torch.Tensor, ahead: list[np.ndarray]) -> torch.Tensor:
        """History of the known-future covariates followed by ``horizon`` forecast steps.

        Steps beyond the ``h`` given ones repeat the last given value: the network forecasts
        step ``k`` from the covariates at step ``k`` only, so they never change the output.
        """
        columns = self._future_columns()
        mean, scale = self.covariate_mean_[columns], self.covariate_scale_[columns]
        steps = np.stack([(x - mean) / scale for x in ahead])  # (n, h, F)
        pad = self.spec_.horizon - steps.shape[1]
        steps = np.concatenate([steps, np.repeat(steps[:, -1:], pad, axis=1)], axis=1)
        steps = torch.as_tensor(steps.transpose(0, 2, 1), dtype=torch.float32)
        return torch.cat([history, steps], dim=-1)  # (n, F, length + horizon)
