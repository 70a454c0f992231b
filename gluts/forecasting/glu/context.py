"""The GLU forecaster's automatic context, shortened where the held-out tail says so.

The automatic context, ``max(2 * horizon, min(14 * season_length, 336, longest // 2))``,
follows the longest series. On a panel of a few short series (five daily series of 60-200
values with a weekly cycle) it spans most of each series, and the network fitted with it was
far behind ``LinearForecaster``; context 28 closed most of that gap. So the selection tries
the halvings of the automatic context on the network, each kept only while it is measurably
better than the longer one (its held-out loss lower by more than one standard error): a
shorter context is not preferred for being simpler, as the candidates of the selection are,
since on a long single series (ETTh1) a halved context was within noise held out and worse
on the test months.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from gluts.forecasting.glu.parameters import network_spec
from gluts.forecasting.glu.trials import Trial, TrialRunner, mean_and_error

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
    run: TrialRunner, params: Mapping, blocks: np.ndarray
) -> tuple[int, dict[int, Trial]]:
    """The automatic context or the halving that the held-out tail measurably prefers.

    Parameters
    ----------
    run : TrialRunner
        Trains the network (``params``) at each context.
    params : mapping
        The forecaster's parameters, ``context_length`` None.
    blocks : ndarray
        The block of each held-out origin (:func:`~gluts.forecasting.glu.trials.origin_blocks`).

    Returns
    -------
    context : int
        The shortest context tried that was measurably better than the one before it, or
        the automatic one.
    tried : dict of int to Trial
        The network's trial at each context tried, longest first: the halvings stop at the
        first that is not measurably better.
    """
    automatic = network_spec(params, **run.sizes).context_length
    context, tried = automatic, {automatic: run(params, None)}
    for shorter in shorter_contexts(automatic, int(params["horizon"])):
        tried[shorter] = run({**params, "context_length": shorter}, None)
        mean, error = mean_and_error(tried[context].losses - tried[shorter].losses, blocks)
        if not mean > error:  # not measurably better (never with a single block)
            break
        context = shorter
    return context, tried
