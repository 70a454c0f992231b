"""Choosing the GLU forecaster's size on the last window of its own training data.

Each candidate configuration is trained with the last values of every series held out
(the validation tail of early stopping) and scored there with the pinball loss on the scaled
values, at the context the network measurably did best with (:mod:`.context`). The simplest
candidate whose loss is not measurably worse than the best one's (the one-standard-error
rule, Hastie, Tibshirani & Friedman, *The Elements of Statistical Learning*, section 7.10)
is refitted on everything by the estimator, with the step count at which it did best: by
one network, or, on data too small to fill the largest automatic fit, by several from
different seeds whose forecasts are averaged (:mod:`.members`). The two networks and the
linear skip alone start their skip from the data's least-squares map
(:mod:`gluts.forecasting.glu.skip_start`) when the data hold enough origins for it. Once the
context search has found one start of the network measurably better, the candidates from
the other start are not trained."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import torch

from gluts.exceptions import InsufficientHistoryError
from gluts.forecasting.glu.context import choose_context
from gluts.forecasting.glu.members import SMALL_DATA_MEMBERS, n_members, small_data_settings
from gluts.forecasting.glu.parameters import network_spec
from gluts.forecasting.glu.skip_start import SkipsByContext, least_squares_skip
from gluts.forecasting.glu.training import History, TrainingPlan, fit_network
from gluts.forecasting.glu.trials import (
    TrialRunner,
    lowest,
    new_network,
    origin_blocks,
    simplest_within_noise,
)
from gluts.forecasting.glu.windows import SequenceData
from gluts.nn import GLUNetwork, NetworkAverage, NetworkSpec

__all__ = [
    "CANDIDATES",
    "LEAST_SQUARES_START",
    "TARGETS",
    "Selection",
    "fit_selected",
    "select",
]

# name -> the parameters a candidate changes; "network" is the forecaster as configured.
# From the most capable to the simplest: the selection prefers the later ones. With the
# least-squares map (skip_start), the "_lsq" twins and "linear" start there; the networks
# start from seasonal naive beside them, which the held-out loss prefers on short series (a
# random half of M3 Quarterly: network 0.3600, network_lsq 0.3627; sMAPE 9.369 and 9.518).
CANDIDATES: dict[str, dict] = {
    "network": {},
    "network_lsq": {},
    # A narrow stack with a linear head and dropout: less capacity for few forecast origins.
    "small": {"n_channels": 8, "head_hidden": 0, "dropout": 0.2},
    "small_lsq": {"n_channels": 8, "head_hidden": 0, "dropout": 0.2},
    # The network's own linear skip, with constant corrections and quantile gaps.
    "linear": {"encoder": "none", "head_hidden": 0, "learning_rate": 1e-2},
}
_TWINS = frozenset({"network_lsq", "small_lsq"})
LEAST_SQUARES_START = _TWINS | {"linear"}
# The candidates from the other start than the one the context search found measurably
# better (:func:`~gluts.forecasting.glu.context.choose_context`): they are not trained.
_OTHER_START = {"network_lsq": frozenset({"network", "small"}), "network": _TWINS}
# Forecast targets held out over all series (a fifth of the longest at most): the last
# ``horizon`` values of each series of a panel, more windows of a few long series.
TARGETS = 1024
# A candidate trains for a quarter of the budget, or for 500 steps when that is more.
_TRIAL_SHARE, _TRIAL_STEPS = 4, 500
# Validation evaluations per trial (at least ``_MIN_EVERY`` steps apart).
_EVALUATIONS = 10
_MIN_EVERY = 20


@dataclass(frozen=True)
class Selection:
    """The outcome of the selection (saved with the model).

    Attributes
    ----------
    chosen : str
        Name of the chosen candidate (a key of :data:`CANDIDATES`): the simplest one whose
        held-out loss exceeds the lowest by less than one standard error of the difference.
    scores : dict of str to float
        Each candidate's best validation loss (pinball on the scaled held-out values).
    steps : dict of str to int
        The training step at which each candidate reached it.
    trial_steps : int
        Most steps of a candidate's trial (its learning rate follows the full budget's
        schedule).
    n_steps : int
        Training steps of the final fit: the full budget. A trial runs the first part of
        the full budget's learning-rate schedule, so a best step inside it says where the
        loss stopped falling at a high learning rate, not how long a whole schedule should
        be: refitted for that step count, the network scored sMAPE 10.003 / 10.059 on a
        random half of M3 Quarterly (seeds 0 / 1; 9.518 / 9.573 with the full budget).
    resumed : bool
        Whether the final fit continues the chosen trial's network on all data (it still
        improved at the end of its trial) rather than starting again.
    validation : int
        Values held out at the end of the longest series.
    context_length : int or None, default=None
        The context chosen on the held-out values when the forecaster leaves it to the data
        (``context_length=None``): the automatic one or one of its halvings
        (:func:`~gluts.forecasting.glu.context.choose_context`); None when it is set.
    context_scores : dict of str to float, default={}
        The network's best validation loss at each context tried (of its better start),
        keyed by the context (as text, as the model file stores it).
    start : str or None, default=None
        The network's start that the context search found measurably better (``"network"``,
        from seasonal naive, or ``"network_lsq"``, from the least-squares map): only the
        candidates from that start were trained (and ``"linear"``, from the map); None when
        the search did not tell the starts apart or did not run.
    """

    chosen: str
    scores: dict[str, float]
    steps: dict[str, int]
    trial_steps: int
    n_steps: int
    resumed: bool
    validation: int
    context_length: int | None = None
    context_scores: dict[str, float] = field(default_factory=dict)
    start: str | None = None

    def params(self, params: Mapping) -> dict:
        """The parameters of the chosen candidate, from the forecaster's ``params``."""
        context = {} if self.context_length is None else {"context_length": self.context_length}
        return {**params, **CANDIDATES[self.chosen], **context}

    @property
    def least_squares_start(self) -> bool:
        """Whether the chosen candidate started from the least-squares map: it is one of
        :data:`LEAST_SQUARES_START` and the map existed (the ``"_lsq"`` twins were trained,
        or the context search compared the network's two starts)."""
        existed = self.start is not None or not _TWINS.isdisjoint(self.scores)
        return self.chosen in LEAST_SQUARES_START and existed


def fit_selected(
    params: Mapping,
    sizes: Mapping,
    data: SequenceData,
    plan: TrainingPlan,
    held_out: Callable[[], TrainingPlan] | None,
    seed: int,
    device: torch.device,
) -> tuple[Selection | None, NetworkSpec, GLUNetwork | NetworkAverage, History]:
    """Select the network's size on ``held_out`` (unless None), then fit it on all data.

    Fits ``params["n_estimators"]`` networks (None: one when ``n_steps`` is set or the linear
    skip alone is fitted, else :func:`~.members.n_members`), all of the chosen size: the first from
    ``seed`` (resuming the chosen trial when it still improved), the others from ``seed + k``
    and from scratch, for the same steps.

    Parameters
    ----------
    params : mapping
        The forecaster's parameters (``get_params()``; ``n_threads`` and ``verbose`` apply,
        and ``dropout`` and ``kernel_size`` None are resolved by
        :func:`~gluts.forecasting.glu.members.small_data_settings`).
    sizes : mapping
        The data's sizes, keyword arguments of
        :func:`~gluts.forecasting.glu.parameters.network_spec`.
    data : SequenceData
        Right-aligned training series.
    plan : TrainingPlan
        The training plan on all data.
    held_out : callable or None
        Returns the plan with early stopping's validation tail, to select with, or raises
        :class:`~gluts.exceptions.InsufficientHistoryError` when the series are too short
        for it (the network is then fitted as ``params`` configure it, as it is with None
        and when ``plan.saturated``: data enough to fill the largest automatic budget).
    seed : int
        Seeds every fit.
    device : torch.device
        Where to train.

    Returns
    -------
    selection : Selection or None
        None without ``held_out``.
    spec : NetworkSpec
        The fitted network's sizes, with ``members``: how many networks are averaged.
    network : GLUNetwork or NetworkAverage
        The network fitted on all data, or the average of ``members`` of them.
    history : History
        The (first) network's losses (of the steps after the chosen trial when it was
        resumed).
    """
    threads, verbose = params["n_threads"], params["verbose"]
    length = data.values.shape[1]
    params = {**params, **small_data_settings(params, plan, length)}
    held_out = None if plan.saturated else held_out  # enough data for the network as configured
    try:
        held_out = None if held_out is None else replace(held_out(), n_steps=plan.n_steps)
    except InsufficientHistoryError:
        held_out = None
    if held_out is None:  # large saturated data start from least squares (see skip_start)
        selection, spec = None, network_spec(params, **sizes)
        started = plan.saturated and n_members(plan, length) < SMALL_DATA_MEMBERS
    else:
        selection, network = select(params, sizes, data, held_out, seed, device, threads)
        chosen, started = selection.params(params), selection.least_squares_start
        first = selection.trial_steps if selection.resumed else 0
        rate = chosen["learning_rate"]
        plan = replace(plan, n_steps=selection.n_steps, learning_rate=rate, first_step=first)
        spec = network_spec(chosen, **sizes)
    # The linear skip alone (encoder "none") is a convex fit: other seeds give the same one.
    automatic = params["n_steps"] is None and spec.encoder != "none"
    members = params["n_estimators"] or (n_members(plan, length) if automatic else 1)
    resumed = selection is not None and selection.resumed  # its network has its skip
    from_map = started and (members > 1 or not resumed)  # networks built here start from it
    skip = least_squares_skip(spec, data, plan) if from_map else None
    start = network if resumed else new_network(spec, seed, skip)
    network, history = fit_network(spec, data, plan, seed, device, threads, verbose, start)
    if members > 1:  # more networks of the same size, from other seeds, trained from scratch
        fresh = replace(plan, first_step=0)
        others = [
            fit_network(
                spec,
                data,
                fresh,
                seed + k,
                device,
                threads,
                verbose,
                new_network(spec, seed + k, skip),
            )[0]
            for k in range(1, members)
        ]
        network = NetworkAverage([network, *others]).eval()
    return selection, network.spec, network, history


def select(
    params: Mapping,
    sizes: Mapping,
    data: SequenceData,
    plan: TrainingPlan,
    seed: int,
    device: torch.device,
    n_threads: int | None = None,
) -> tuple[Selection, GLUNetwork]:
    """Train every candidate on the data before the validation tail and pick the best.

    With ``context_length`` None the network is first trained at the automatic context and
    its halvings (:func:`~gluts.forecasting.glu.context.choose_context`); every candidate
    then has the chosen context.

    Parameters
    ----------
    params : mapping
        The forecaster's parameters (``get_params()``).
    sizes : mapping
        The data's sizes, keyword arguments of
        :func:`~gluts.forecasting.glu.parameters.network_spec`.
    data : SequenceData
        Right-aligned training series, the validation tail included.
    plan : TrainingPlan
        The full training plan, with early stopping's validation tail.
    seed : int
        Seeds every candidate's training (the same for all).
    device : torch.device
        Where to train.
    n_threads : int or None, default=None
        CPU threads for torch while training.

    Returns
    -------
    selection : Selection
        The chosen candidate is the last one in :data:`CANDIDATES` (the simplest) that is
        not measurably worse than the best: the mean of its loss minus the best one's over
        the held-out origins is within one standard error, estimated from blocks of
        ``horizon`` consecutive origins of a series (neighbouring origins share their
        targets, so single origins are not independent).
    network : GLUNetwork
        The chosen candidate's network at its best step.
    """
    trial = min(plan.n_steps, max(plan.n_steps // _TRIAL_SHARE, _TRIAL_STEPS))
    every = max(trial // _EVALUATIONS, _MIN_EVERY)
    trial_plan = replace(plan, early_stopping=True, eval_every=every, stop_at=trial)
    blocks = origin_blocks(data, trial_plan, int(params["horizon"]))
    run = TrialRunner(sizes, data, trial_plan, seed, device, n_threads)
    skip_at = SkipsByContext(sizes, data, trial_plan)
    context, tried, start = params["context_length"], {}, None
    if context is None:
        context, tried, start = choose_context(run, params, blocks, skip_at)
    params = {**params, "context_length": context}
    skip = skip_at(params)
    if skip is None:  # no map at the chosen context (the search may have met one shorter)
        start = None
    reused = tried.get(context, {})
    dropped = _TWINS if skip is None else _OTHER_START.get(start, frozenset())
    trials = {
        name: reused[name]
        if name in reused
        else run({**params, **changes}, skip if name in LEAST_SQUARES_START else None)
        for name, changes in CANDIDATES.items()
        if name in reused or name not in dropped
    }
    scores = {name: attempt.score for name, attempt in trials.items()}
    losses = {name: attempt.losses for name, attempt in trials.items()}
    chosen = simplest_within_noise(scores, losses, blocks)
    best = trials[chosen]
    selection = Selection(
        chosen,
        scores,
        {name: attempt.step for name, attempt in trials.items()},
        trial,
        plan.n_steps,
        best.step == trial < plan.n_steps,
        plan.validation,
        context if tried else None,
        {str(length): lowest(starts).score for length, starts in tried.items()},
        start,
    )
    return selection, best.network
