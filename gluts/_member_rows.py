"""Backtest rows that a combination's own members supply, so that each is fitted once.

A backtest that compares a combination (:class:`~gluts.forecasting.EnsembleForecaster`) with
its members, as the CLI's default leaderboard does, would fit every member twice at each
cutoff: for its own row, and inside the combination, on the same data with the same
parameters. The combination's final fit of a member is the fit that the member's row needs,
so the row takes its forecasts from there (:func:`gluts.backtest`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from sklearn.base import BaseEstimator

from gluts.base import BaseForecaster
from gluts.data import Panel

__all__ = ["member_rows"]


def member_rows(
    models: Mapping[str, BaseForecaster], with_covariates: bool, panels: Sequence[Panel]
) -> dict[str, tuple[str, int]]:
    """Find the rows of a backtest that a combination's fitted members can supply.

    Parameters
    ----------
    models : mapping of str to forecaster
        The backtest's rows. A combination is a forecaster with a ``configured_members()``
        method whose fitted ``forecasters_`` and ``member_seconds_`` follow that order.
    with_covariates : bool
        Whether the backtest has covariates: a row that reads them (tag ``supports_exog``)
        is fitted on its own, as the members are fitted without them.
    panels : sequence of Panel
        The training data of every fit of the backtest: a parameter that a fit on each of
        them switches off does not tell two models apart (e.g. the GLU's seasonal
        adjustment where a series holds a value ``<= 0``).

    Returns
    -------
    dict of str to (str, int)
        Row name -> (combination name, member index), for each row that is not itself a
        combination and has the class and parameters of a combination's member (``n_jobs``
        and ``alias`` aside: results do not depend on them) on every panel; the first such
        member supplies it.
    """
    combinations = {
        name: model.configured_members()
        for name, model in models.items()
        if callable(getattr(model, "configured_members", None))
    }
    supplied = {}
    for name, model in models.items():
        if name in combinations or (with_covariates and model.get_tags()["supports_exog"]):
            continue
        for owner, members in combinations.items():
            found = [
                i for i, (_, member) in enumerate(members) if _same_model(model, member, panels)
            ]
            if found:
                supplied[name] = (owner, found[0])
                break
    return supplied


def _same_model(a: BaseForecaster, b: BaseForecaster, panels: Sequence[Panel]) -> bool:
    """Whether two forecasters would make the same fit on each of ``panels``: same class and
    parameters acting on it, but for the name of their forecast column (``alias``), which
    the backtest sets."""
    return type(a) is type(b) and all(_same_params(a, b, panel) for panel in panels)


def _same_params(a: BaseForecaster, b: BaseForecaster, panel: Panel) -> bool:
    params = [model._params_on(panel) for model in (a, b)]
    for values in params:
        values.pop("alias", None)
    return _same_value(*params)


def _same_value(a, b) -> bool:
    """Equality of parameter values, through estimators, mappings, sequences and arrays."""
    if isinstance(a, BaseEstimator) or isinstance(b, BaseEstimator):
        return type(a) is type(b) and _same_value(
            a.get_params(deep=False), b.get_params(deep=False)
        )
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same_value(a[k], b[k]) for k in a)
    sequences = (list, tuple, np.ndarray)
    if isinstance(a, sequences) and isinstance(b, sequences):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False
