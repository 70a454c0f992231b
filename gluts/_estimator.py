"""The input-reading part shared by forecasters and anomaly detectors."""

from __future__ import annotations

from numbers import Integral
from typing import Any

from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import InvalidParameterError

from gluts.data import Panel, ReadOptions

__all__ = ["FittedStateMixin", "PanelEstimator"]


class FittedStateMixin:
    """Gives and takes the fitted attributes named in ``_STATE``, for files without pickle.

    A file format (e.g. :mod:`gluts.anomaly.persistence`) stores ``get_params()`` and
    ``_get_state()`` and rebuilds the estimator with ``_from_state(params, state)``, so that
    the estimator, not the file format, decides what its fitted state is.
    """

    _STATE: tuple[str, ...] = ()

    def _get_state(self) -> dict[str, Any]:
        """The fitted attributes named in ``_STATE``."""
        return {name: getattr(self, name) for name in self._STATE}

    @classmethod
    def _from_state(cls, params: dict, state: dict[str, Any]):
        """A fitted estimator from its parameters and fitted attributes."""
        estimator = cls(**params)
        for name in cls._STATE:
            setattr(estimator, name, state[name])
        return estimator


class PanelEstimator(BaseEstimator):
    """An estimator that reads every input into a :class:`~gluts.data.Panel`.

    Its ``fit`` takes the reading options (``id_col, time_col, target_col, missing, freq``)
    as keyword arguments and passes them to :meth:`_start_fit`; it keeps them as
    ``read_options_``, with which :meth:`_to_panel` reads every later input.
    """

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        """Return small parameter sets for the contract tests."""
        return [{}]

    def _start_fit(
        self, id_col: str, time_col: str, target_col: str, missing: str, freq: str | None
    ) -> ReadOptions:
        """Validate the parameters and return the reading options of one ``fit`` call."""
        self._validate_params()
        return ReadOptions(id_col, time_col, target_col, missing, freq)

    def _validate_params(self) -> None:
        """scikit-learn's checks, and two that they let through: a boolean for an integer
        (``horizon=True`` is an ``Integral``) and ``n_jobs=0`` (joblib refuses it late)."""
        super()._validate_params()
        params = self.get_params(deep=False)
        for name, constraints in self._parameter_constraints.items():
            whole = any(c is Integral or getattr(c, "type", None) is Integral for c in constraints)
            if whole and "boolean" not in constraints and isinstance(params.get(name), bool):
                raise InvalidParameterError(
                    f"The {name!r} parameter of {type(self).__name__} must be an integer, not "
                    f"the boolean {params[name]!r}."
                )
        if "n_jobs" in self._parameter_constraints and params.get("n_jobs") == 0:
            raise InvalidParameterError(
                f"The 'n_jobs' parameter of {type(self).__name__} must be a non-zero integer "
                "(-1: every core) or None; got 0."
            )

    def _min_length(self) -> int:
        """Fewest observations a series may have."""
        return 1

    def _to_panel(self, y, options: ReadOptions | None = None) -> Panel:
        """Read ``y`` with ``options``, by default those of the fit (``read_options_``)."""
        options = options or self.read_options_
        return options.read(y, min_length=self._min_length(), owner=type(self).__name__)
