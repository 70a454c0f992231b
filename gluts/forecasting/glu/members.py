"""How many networks a GLU fit averages, and the settings of fits on small data.

A fit of the automatic budget on data too small to fill the largest automatic fit trains
further networks from other seeds within that fit's work, and averages their forecasts
(:func:`n_members`); data so small that several fit in it also train with dropout and
narrower convolutions (:func:`small_data_settings`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from gluts.forecasting.glu.parameters import (
    LARGE_DATA_KERNEL,
    SMALL_DATA_DROPOUT,
    SMALL_DATA_KERNEL,
)
from gluts.forecasting.glu.training import BATCH_SIZE, MAX_STEPS, WINDOW_LENGTH, TrainingPlan

__all__ = ["SMALL_DATA_MEMBERS", "n_members", "small_data_settings"]

# Positions the largest automatic fit reads (its steps, of the default crops per step and
# crop length); a smaller automatic fit trains further networks from other seeds within it.
_MAX_WORK = MAX_STEPS * BATCH_SIZE * WINDOW_LENGTH
_MAX_MEMBERS = 5
# Small data: at least this many networks fit in the work of the largest automatic fit
# (see :func:`small_data_settings`).
SMALL_DATA_MEMBERS = 4


def small_data_settings(params: Mapping, plan: TrainingPlan, length: int) -> dict:
    """The fit's ``dropout`` and ``kernel_size``: as set, or for None the data's.

    With ``n_steps`` None, data so small that four or more networks fit in the work of the
    largest automatic fit (:func:`n_members`) train with dropout
    :data:`~gluts.forecasting.glu.parameters.SMALL_DATA_DROPOUT` and convolutions of
    :data:`~gluts.forecasting.glu.parameters.SMALL_DATA_KERNEL` taps: short series (at most
    256 values with the default crops, when the budget is full) or few forecast origins
    (ETTh1's one series: its automatic fit is 193 steps). Larger data, and a fixed
    ``n_steps``, train without dropout and with
    :data:`~gluts.forecasting.glu.parameters.LARGE_DATA_KERNEL` taps. The stack keeps the
    fewest blocks whose receptive field covers half the context, so two taps give a third
    fewer weights per block over about the same field.

    Parameters
    ----------
    params : mapping
        The forecaster's parameters (``get_params()``).
    plan : TrainingPlan
        The training plan on all data.
    length : int
        Steps of the longest series.

    Returns
    -------
    dict
        ``dropout`` (float) and ``kernel_size`` (int).

    Notes
    -----
    Measured with ``random_state`` 0, 1 and 2 (five networks each), sMAPE:

    - dropout, at three taps, without and with 0.1: M3 Quarterly 9.705 / 9.814 / 9.653 and
      9.627 / 9.527 / 9.544, M3 Monthly 14.090 / 14.010 / 14.022 and 13.956 / 13.902 /
      13.906; ETTh1 unchanged (0.0534: the linear skip is chosen either way). On M4 Hourly it
      helped only on the shortest cut: with the last 240 values of each series (four
      networks) 14.319 and 14.689 became 14.212 and 14.402 (seeds 0, 1); with the last 320
      (three) 11.410 became 11.838, with the last 480 (two) 10.517 became 10.958, and on the
      whole series (one network) the OWA rose from 0.466 to 0.493 (seed 0).
    - taps, with dropout, three and two: M3 Quarterly 9.592 / 9.527 / 9.544 and 9.480 /
      9.496 / 9.483 (ensemble 8.881 and 8.811 with seed 0), M3 Monthly 13.956 / 13.902 /
      13.906 and 13.917 / 13.901 / 13.975. M4 Hourly fits one network, so three taps; two
      would score OWA 0.479 against 0.466 (seed 0).
    """
    small = params["n_steps"] is None and n_members(plan, length) >= SMALL_DATA_MEMBERS
    automatic = {
        "dropout": SMALL_DATA_DROPOUT if small else 0.0,
        "kernel_size": SMALL_DATA_KERNEL if small else LARGE_DATA_KERNEL,
    }
    chosen = {name: automatic[name] if params[name] is None else params[name] for name in automatic}
    return {"dropout": float(chosen["dropout"]), "kernel_size": int(chosen["kernel_size"])}


def n_members(plan: TrainingPlan, length: int) -> int:
    """Networks that fit in the work of the largest automatic fit: 1 to 5.

    Parameters
    ----------
    plan : TrainingPlan
        The plan of one network's fit.
    length : int
        Steps of the longest series (a crop is no longer).

    Returns
    -------
    int
        ``_MAX_WORK`` over the positions the plan reads (steps x batch x crop length),
        rounded down, between 1 and 5.
    """
    work = plan.n_steps * plan.batch_size * max(min(plan.window, length), 1)
    return int(np.clip(_MAX_WORK // work, 1, _MAX_MEMBERS))
