"""Seasonal adjustment shared by Theta and ARIMA: remove the seasonal indices, put them back.

Both models forecast the seasonally adjusted series. The indices come from the M4 seasonality
test and a classical decomposition (:mod:`gluts.forecasting._seasonality`), divided out
(multiplicative, as in the M4 benchmarks) or subtracted (additive).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gluts.forecasting._seasonality import Deseasonalizer, is_seasonal

__all__ = ["Adjusted", "SeasonalAdjustment"]


@dataclass(frozen=True)
class SeasonalAdjustment:
    """The seasonal indices removed from one series.

    Parameters
    ----------
    indices : numpy.ndarray of shape (season_length,) or None
        One index per phase, counted from the first observation; None when the series is
        left as it is.
    n : int
        Length of the series the indices were estimated on.
    additive : bool, default=False
        Whether the indices are subtracted (True) or divided out (False).
    """

    indices: np.ndarray | None
    n: int
    additive: bool = False

    @classmethod
    def estimate(
        cls, y: np.ndarray, season_length: int, additive: bool = False
    ) -> SeasonalAdjustment:
        """Estimate the indices of ``y`` when the M4 test finds it seasonal.

        Multiplicative indices follow the M4 recipe of
        :class:`~gluts.forecasting._seasonality.Deseasonalizer` (a series with a value
        ``<= 0`` is left as it is). Additive indices are the per-phase means of ``y`` minus its
        centred moving average of order ``m``, shifted to average 0 (statsmodels'
        ``seasonal_decompose``).
        """
        if not additive:
            return cls(Deseasonalizer(y, season_length).indices, len(y))
        if not is_seasonal(y, season_length):
            return cls(None, len(y), additive=True)
        from statsmodels.tsa.seasonal import seasonal_decompose

        m = int(season_length)
        seasonal = seasonal_decompose(y, model="additive", period=m).seasonal
        return cls(np.asarray(seasonal[:m]), len(y), additive=True)

    @property
    def seasonal(self) -> bool:
        """Whether the series was found seasonal (and is adjusted)."""
        return self.indices is not None

    def _at(self, steps: np.ndarray) -> np.ndarray:
        return self.indices[steps % len(self.indices)]

    def adjust(self, y: np.ndarray) -> np.ndarray:
        """Return the seasonally adjusted copy of the fitted series ``y``."""
        if self.indices is None:
            return y
        seasonal = self._at(np.arange(self.n))
        return y - seasonal if self.additive else y / seasonal

    def restore(self, values: np.ndarray) -> np.ndarray:
        """Put the indices of the steps after the series back into forecasts.

        ``values`` has shape ``(h,)`` or ``(h, k)`` (a point forecast or its quantiles).
        """
        if self.indices is None:
            return values
        seasonal = self._at(self.n + np.arange(len(values))).reshape(-1, *[1] * (values.ndim - 1))
        return values + seasonal if self.additive else values * seasonal


@dataclass(frozen=True)
class Adjusted:
    """A model fitted to the seasonally adjusted series, with the adjustment."""

    result: object
    seasonality: SeasonalAdjustment
