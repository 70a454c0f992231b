"""The GLU forecaster's automatic context, shortened where the held-out tail says so.

The automatic context, ``max(2 * horizon, min(14 * season_length, 336, longest // 2))``,
follows the longest series. On a panel of a few short series (five daily series of 60-200
values with a weekly cycle) it spans most of each series, and the network fitted with it was
far behind ``LinearForecaster``; context 28 closed most of that gap. So the selection tries
the halvings of the automatic context on the network, each kept only while it is measurably
better than the longer one (its held-out loss lower by more than one standard error): a
shorter context is not preferred for being simpler, as the candidates of the selection are,
since on a long single series (ETTh1) a halved context was within noise held out and worse
on the test months. Where the least-squares map exists, the network is also trained from it,
and a context is judged by its better start, as the candidates will be: on those panels the
map's start was far better held out at the (shorter) contexts that had it, and the search
judged on seasonal naive alone scored mean MASE 0.822 against 0.798 with both starts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import torch

from gluts.forecasting.glu.parameters import network_spec
from gluts.forecasting.glu.trials import Trial, TrialRunner, lowest, mean_and_error

__all__ = ["choose_context", "shorter_contexts"]


def shorter_contexts(context: int, horizon: int) -> list[int]:
    """The halvings of an automatic ``context`` that the selection tries, longest first:
    down to the automatic context's floor, twice the horizon."""
    out = []
    while context > 2 * horizon:
        context = max(context // 2, 2 * horizon)
        out.append(context)
    return out


def choose_context(
    run: TrialRunner,
    params: Mapping,
    blocks: np.ndarray,
    skip_at: Callable[[Mapping], torch.Tensor | None],
) -> tuple[int, dict[int, dict[str, Trial]], str | None]:
    """The automatic context or the halving that the held-out tail measurably prefers.

    The network starts from seasonal naive and, where the least-squares map exists
    (``skip_at``), from the map: both starts are trained at each context until one is
    measurably better than the other (as a halving must be), and from then on that one
    alone. A context's loss is its better start's.

    Parameters
    ----------
    run : TrialRunner
        Trains the network (``params``) at each context.
    params : mapping
        The forecaster's parameters, ``context_length`` None.
    blocks : ndarray
        The block of each held-out origin (:func:`~gluts.forecasting.glu.trials.origin_blocks`).
    skip_at : callable
        The least-squares skip for the parameters given (their context), or None.

    Returns
    -------
    context : int
        The shortest context tried that was measurably better than the one before it, or
        the automatic one.
    tried : dict of int to dict of str to Trial
        The network's trials at each context tried, longest first, by start (``"network"``
        or ``"network_lsq"``): the halvings stop at the first that is not measurably better.
    start : str or None
        The start that was measurably better (``"network"`` or ``"network_lsq"``), or None
        when the two were within noise of each other at every context or the map never
        existed.
    """
    automatic = network_spec(params, **run.sizes).context_length
    horizon, start = int(params["horizon"]), None  # the measurably better start, once one is
    context, tried = automatic, {}
    for length in [automatic, *shorter_contexts(automatic, horizon)]:
        candidate = {**params, "context_length": length}
        skip = None if start == "network" else skip_at(candidate)
        trials = {}
        if skip is None or start is None:  # no map, or the starts not yet told apart
            trials["network"] = run(candidate, None)
        if skip is not None:
            trials["network_lsq"] = run(candidate, skip)
        if start is None and len(trials) == 2:
            start = _measurably_better(trials, blocks)
        tried[length] = trials
        if length == automatic:
            continue
        shorter, longer = lowest(trials), lowest(tried[context])
        mean, error = mean_and_error(longer.losses - shorter.losses, blocks)
        if not mean > error:  # not measurably better (never with a single block)
            break
        context = length
    return context, tried, start


def _measurably_better(trials: Mapping[str, Trial], blocks: np.ndarray) -> str | None:
    """The start whose held-out loss is lower by more than one standard error, or None."""
    mean, error = mean_and_error(trials["network"].losses - trials["network_lsq"].losses, blocks)
    if not abs(mean) > error:  # never with a single block
        return None
    return "network_lsq" if mean > 0 else "network"
