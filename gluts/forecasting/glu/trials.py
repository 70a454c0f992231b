"""Trials of the GLU forecaster's size selection: candidates trained on the data before the
held-out tail, and how far apart their held-out losses are beyond noise."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import torch

from gluts.forecasting.glu.parameters import network_spec
from gluts.forecasting.glu.training import TrainingPlan, fit_network
from gluts.forecasting.glu.validation import held_out_positions
from gluts.forecasting.glu.windows import SequenceData
from gluts.nn import GLUNetwork, NetworkSpec

__all__ = [
    "Trial",
    "TrialRunner",
    "lowest",
    "mean_and_error",
    "new_network",
    "origin_blocks",
    "simplest_within_noise",
]


@dataclass(frozen=True)
class Trial:
    """A candidate's network at its best held-out step, that step, its loss there (``score``)
    and the loss at each held-out origin (``losses``)."""

    network: GLUNetwork
    score: float
    step: int
    losses: np.ndarray


@dataclass(frozen=True)
class TrialRunner:
    """Trains candidates on ``data`` for the trial ``plan``: all alike but for their
    parameters (``sizes`` are keyword arguments of
    :func:`~gluts.forecasting.glu.parameters.network_spec`)."""

    sizes: Mapping
    data: SequenceData
    plan: TrainingPlan
    seed: int
    device: torch.device
    n_threads: int | None

    def __call__(self, candidate: Mapping, skip: torch.Tensor | None) -> Trial:
        """Train ``candidate`` (the forecaster's parameters with a candidate's changes), its
        linear skip starting at ``skip`` (None: seasonal naive)."""
        spec = network_spec(candidate, **self.sizes)
        plan = replace(self.plan, learning_rate=candidate["learning_rate"])
        start = new_network(spec, self.seed, skip)
        network, history = fit_network(
            spec, self.data, plan, self.seed, self.device, self.n_threads, network=start
        )
        return Trial(network, min(history.val_loss), history.best_step, history.best_origin_losses)


def lowest(trials: Mapping[str, Trial]) -> Trial:
    """The trial with the lowest held-out loss (of one context's starts, say)."""
    return min(trials.values(), key=lambda trial: trial.score)


def new_network(spec: NetworkSpec, seed: int, skip: torch.Tensor | None) -> GLUNetwork | None:
    """A network built from ``seed`` as :func:`~gluts.forecasting.glu.training.fit_network`
    builds it, with the linear skip ``skip``; None for the seasonal naive skip (``fit_network``
    then builds it)."""
    if skip is None:
        return None
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        network = GLUNetwork(spec)
    with torch.no_grad():
        network.skip.weight[:, 0] = skip
    return network


def origin_blocks(data: SequenceData, plan: TrainingPlan, horizon: int) -> np.ndarray:
    """A block id per held-out origin: its series and which ``horizon`` stretch it starts in
    (neighbouring origins share their targets, so single origins are not independent)."""
    rows, origins = held_out_positions(data, plan, horizon)
    return rows * (origins.max() // horizon + 1) + origins // horizon


def mean_and_error(difference: np.ndarray, blocks: np.ndarray) -> tuple[float, float]:
    """The mean of a loss difference over the held-out origins' blocks, and its standard
    error (NaN with a single block)."""
    ids, inverse = np.unique(blocks, return_inverse=True)
    means = np.bincount(inverse, weights=difference) / np.bincount(inverse)
    error = means.std(ddof=1) / np.sqrt(len(ids)) if len(ids) > 1 else np.nan
    return float(means.mean()), float(error)


def simplest_within_noise(
    scores: dict[str, float], losses: dict[str, np.ndarray], blocks: np.ndarray
) -> str:
    """The simplest candidate whose loss is within one standard error of the best one's."""
    best = min(scores, key=scores.get)
    for name in reversed(scores):  # the simplest first
        if name == best:
            return name
        mean, error = mean_and_error(losses[name] - losses[best], blocks)
        if mean <= error:  # never with a single block (NaN)
            return name
    return best
