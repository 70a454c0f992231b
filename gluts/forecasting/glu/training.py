"""The training loop of the GLU forecaster: forking-sequence batches, Adam, cosine decay.

Every batch is a crop of the right-aligned series matrix; the stack reads the whole crop, the
network forecasts from every ``position_stride``-th position at once (random phase), and the
loss covers each of them whose targets lie inside the training part (forking sequences, Wen
et al. 2017). A validation tail per series is held out when early stopping is on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from gluts._progress import progress_bar
from gluts.exceptions import InsufficientHistoryError
from gluts.forecasting.glu.origins import crop_starts, first_origins, origin_weights, warm_up
from gluts.forecasting.glu.runtime import torch_threads
from gluts.forecasting.glu.validation import held_out, origin_losses
from gluts.forecasting.glu.windows import SequenceData
from gluts.nn import GLUNetwork, NetworkSpec, pinball

__all__ = ["MAX_STEPS", "History", "TrainingPlan", "fit_network", "plan_training", "train"]

# Passes over every forecast origin that the automatic training budget aims for.
_AUTO_EPOCHS = 70
# Most automatic training steps: M4 Hourly (414 series) trains in about 3 minutes on 2 cores.
MAX_STEPS = 2500
BATCH_SIZE, WINDOW_LENGTH = 8, 1024  # GLUForecaster's defaults: crops per step, crop length
# Forecast targets that early stopping's validation tail aims for.
_VALIDATION_TARGETS = 256
# Training forecasts from every second origin of a crop.
_POSITION_STRIDE = 2


@dataclass(frozen=True)
class TrainingPlan:
    """How to train (sizes in steps of the series, not wall-clock).

    The learning rate follows a cosine over ``n_steps``; a run starts after ``first_step``
    (resuming a network trained that far) and ends at ``stop_at`` when it is set.
    ``saturated``: the forecast origins would fill more than the largest automatic budget.
    """

    n_steps: int
    batch_size: int
    window: int
    learning_rate: float
    warm: int
    validation: int
    early_stopping: bool
    patience: int = 4
    eval_every: int = 100
    clip_grad_norm: float = 1.0
    position_stride: int = 2
    relative_weight: float = 1.0
    relative_weight_cap: float = 1.0
    log_values: bool = False
    first_step: int = 0
    saturated: bool = False
    stop_at: int | None = None


def plan_training(
    lengths: np.ndarray,
    *,
    horizon: int,
    warm: int,
    window_length: int,
    batch_size: int,
    n_steps: int | None,
    learning_rate: float,
    early_stopping: bool,
    log_values: bool,
    ids=None,
    validation_targets: int | None = None,
) -> TrainingPlan:
    """Size the training of a panel: validation tail, batch and (automatic) number of steps.

    Parameters
    ----------
    lengths : ndarray of shape (n_series,)
        Observations per series.
    horizon : int
        Forecast steps.
    warm : int
        History every forecast origin needs before it.
    window_length : int
        Crop length of a batch.
    batch_size : int
        Largest batch; smaller when the panel has few forecast origins.
    n_steps : int or None
        Training steps; None aims for ``_AUTO_EPOCHS`` passes over every origin (between 50
        and ``MAX_STEPS`` steps).
    learning_rate : float
        Adam's learning rate.
    early_stopping : bool
        Hold out a validation tail per series (``validation_targets`` forecast targets in
        all, or fewer: at most a fifth of the longest series).
    log_values : bool
        The network models logs; the relative error then weighs 13 times the scaled one
        (measured on M4 Hourly: the two about equally weighted).
    ids : sequence or None, default=None
        Series identifiers, in the order of ``lengths``, for naming the longest in an error.
    validation_targets : int or None, default=None
        Forecast origins the validation tail aims for over all series; None: 256.

    Returns
    -------
    TrainingPlan

    Raises
    ------
    InsufficientHistoryError
        When no series is long enough for one forecast origin with its warm-up, targets and
        validation tail.
    """
    longest = int(lengths.max())
    targets = validation_targets or _VALIDATION_TARGETS
    validation = horizon + min(math.ceil(targets / len(lengths)) - 1, longest // 5)
    validation = validation if early_stopping else 0
    needed = warm + horizon + 1 + validation
    if not (lengths >= needed).any():
        name = "" if ids is None else f" ({ids[int(np.argmax(lengths))]!r})"
        raise InsufficientHistoryError(
            f"GLUForecaster needs at least {needed} observations in some series to train "
            f"(warm-up {warm}, horizon {horizon}, validation {validation}); the longest "
            f"series{name} has {longest}. "
            f"{_remedy(longest, warm, horizon, validation - horizon, early_stopping)}"
        )
    # Forecast origins with warm-up history and targets inside the training part.
    origins = np.maximum(lengths - warm_up(lengths, warm, horizon) - horizon - validation, 0).sum()
    window = min(window_length, longest - validation - horizon)
    batch = min(batch_size, max(4, math.ceil(2 * origins / max(window, 1))))
    per_step = batch * max(window, 1) / _POSITION_STRIDE  # origins one step forecasts from
    auto = math.ceil(_AUTO_EPOCHS * origins / per_step)
    return TrainingPlan(
        n_steps=n_steps or int(np.clip(auto, 50, MAX_STEPS)),
        saturated=auto > MAX_STEPS,
        batch_size=batch,
        window=window_length,
        learning_rate=learning_rate,
        warm=warm,
        validation=validation,
        early_stopping=early_stopping,
        position_stride=_POSITION_STRIDE,
        relative_weight=13.0 if log_values else 1.0,
        log_values=log_values,
    )


@dataclass
class History:
    """Losses recorded during training.

    ``best_origin_losses`` holds the loss at each held-out origin (in the order of
    :func:`~gluts.forecasting.glu.validation.held_out`) at ``best_step``; None without
    early stopping.
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    best_step: int = 0
    steps: int = 0
    best_origin_losses: np.ndarray | None = None


def fit_network(
    spec: NetworkSpec,
    data: SequenceData,
    plan: TrainingPlan,
    seed: int,
    device: torch.device,
    n_threads: int | None = None,
    verbose: bool = False,
    network: GLUNetwork | None = None,
) -> tuple[GLUNetwork, History]:
    """Build a network from ``spec`` (or take ``network``) and train it, repeatably for ``seed``.

    Parameters
    ----------
    spec : NetworkSpec
        The network's sizes.
    data : SequenceData
        Right-aligned training series.
    plan : TrainingPlan
        Budget and options.
    seed : int
        Seeds the initialisation (in an isolated torch RNG) and the batches.
    device : torch.device
        Where to train.
    n_threads : int or None, default=None
        CPU threads for torch while training; None: the default of
        :func:`~gluts.forecasting.glu.runtime.torch_threads`.
    verbose : bool, default=False
        Show a progress bar of the steps, with the losses and the time left.
    network : GLUNetwork or None, default=None
        A network to train further (from ``plan.first_step``) instead of a new one.

    Returns
    -------
    network : GLUNetwork
        The trained network, on the CPU in evaluation mode.
    history : History
        Its losses.
    """
    with torch_threads(n_threads), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        network = (GLUNetwork(spec) if network is None else network).to(device)
        total = _last_step(plan) - plan.first_step
        with progress_bar(verbose, total, "GLU training") as advance:
            history = train(network, data, plan, np.random.default_rng(seed), device, advance)
    return network.cpu().eval(), history


def train(
    network: GLUNetwork,
    data: SequenceData,
    plan: TrainingPlan,
    rng: np.random.Generator,
    device: torch.device,
    progress=None,
) -> History:
    """Train ``network`` in place and return its loss history.

    Parameters
    ----------
    network : GLUNetwork
        The network, already on ``device``.
    data : SequenceData
        Right-aligned training series (including the validation tail).
    plan : TrainingPlan
        Budget and options.
    rng : numpy.random.Generator
        Source of every random draw of the batches.
    device : torch.device
        Where to compute.
    progress : callable or None, default=None
        Called as ``progress(description)`` after each step, with the last losses
        (see :func:`gluts._progress.progress_bar`).

    Returns
    -------
    History
        Training and validation losses; with early stopping the network ends at the weights
        of the best validation loss.
    """
    horizon, quantiles = network.spec.horizon, network.spec.quantiles
    levels = torch.tensor(quantiles, dtype=torch.float32, device=device)
    length = data.values.shape[1]
    train_end = length - (plan.validation if plan.early_stopping else 0)
    window = min(plan.window, train_end - horizon)
    firsts = first_origins(data, plan, horizon)
    weight = origin_weights(data, plan, train_end - horizon, horizon)  # (N, T)
    usable, lows = crop_starts(data, plan, train_end - horizon, window, horizon)
    tensors = [t.to(device) for t in (data.features, data.values, data.loc, data.scale)]
    features, values, loc, scale = tensors
    future = None if data.future is None else data.future.to(device)  # (N, F, T)
    weight = weight.to(device)
    n, last = plan.n_steps, _last_step(plan)
    optimiser = torch.optim.Adam(network.parameters(), lr=plan.learning_rate)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda s: 0.5 * (1.0 + math.cos(math.pi * min(s + plan.first_step, n) / n)),
    )
    history, best, best_state, bad = History(), math.inf, None, 0
    val = None
    if plan.early_stopping:
        val = held_out(data, plan, horizon, device)
    offsets = torch.arange(window + horizon, device=device)[None, :]  # (1, W + H)
    for step in range(plan.first_step + 1, last + 1):
        network.train()
        # Each row's crop lies inside its series' usable span; with every low 0 (equal
        # lengths) these are the draws of ``integers(n_series)`` and ``integers(0, high)``.
        rows = usable[rng.integers(len(usable), size=plan.batch_size)]
        starts = rng.integers(lows[rows], train_end - horizon - window + 1, size=plan.batch_size)
        r = torch.as_tensor(rows, device=device)[:, None]  # (B, 1)
        cols = torch.as_tensor(starts, device=device)[:, None] + offsets  # (B, W + H)
        crop, ahead = cols[:, :window], cols[:, 1:]  # (B, W), (B, W + H - 1)
        # Forecast from every ``position_stride``-th origin that can carry weight: neighbouring
        # origins are nearly redundant, and the head and loss cost as much as the stack.
        first = max(int((firsts[rows] - starts).min()), 0)
        phase = int(rng.integers(plan.position_stride))
        begin = min(first + phase, window - 1)  # a crop's only origin can be its last position
        at = torch.arange(begin, window, plan.position_stride, device=device)  # (P,)
        crop_loc, crop_scale = loc[r, crop], scale[r, crop]  # (B, W)
        pred = network(
            features[r, :, crop].permute(0, 2, 1),
            values[r, crop],
            crop_loc,
            crop_scale,
            positions=at,
            future=None if future is None else future[r, :, cols].permute(0, 2, 1),
        )  # (B, P, H, Q)
        target = values[r, ahead].unfold(-1, horizon, 1)[:, at]  # (B, P, H)
        target = (target - crop_loc[:, at, None]) / crop_scale[:, at, None]
        loss = pinball(pred, target, levels, weight[r, crop][:, at])
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(network.parameters(), plan.clip_grad_norm)
        optimiser.step()
        schedule.step()
        history.train_loss.append(float(loss.detach()))
        if not np.isfinite(history.train_loss[-1]):
            raise FloatingPointError(
                f"GLU training diverged: the loss is {history.train_loss[-1]} at step {step}; "
                "lower learning_rate."
            )
        history.steps = step
        if val is not None and (step % plan.eval_every == 0 or step == last):
            losses = origin_losses(network, tensors, future, val, levels)
            current = float(losses.mean())
            history.val_loss.append(current)
            if current < best:
                best, bad, history.best_step = current, 0, step
                history.best_origin_losses = losses.cpu().numpy()
                best_state = {k: v.detach().clone() for k, v in network.state_dict().items()}
            else:
                bad += 1
        if progress is not None:
            progress(_describe(history))
        if val is not None and bad >= plan.patience:
            break
    if best_state is not None:
        network.load_state_dict(best_state)
    network.eval()
    return history


def _last_step(plan: TrainingPlan) -> int:
    """The step a run ends at (unless early stopping ends it before)."""
    return plan.n_steps if plan.stop_at is None else min(plan.stop_at, plan.n_steps)


def _describe(history: History) -> str:
    """The last losses, as the progress bar shows them beside the steps done."""
    val = f" val {history.val_loss[-1]:.4f}" if history.val_loss else ""
    return f"GLU training loss {history.train_loss[-1]:.4f}{val}"


def _remedy(longest: int, warm: int, horizon: int, extra: int, early_stopping: bool) -> str:
    """What would let the longest series train: a lower horizon, if any is enough."""
    per_step = 2 if early_stopping else 1  # the validation tail grows with the horizon too
    fits = (longest - warm - 1 - (extra if early_stopping else 0)) // per_step
    if 1 <= fits < horizon:
        return f"Lower horizon to {fits} or less, or give longer series."
    shorter = " or a shorter context_length" if warm > 1 else ""
    return (
        f"The series are too short for this model: give longer series{shorter}, "
        "or use a model that needs less history (Naive, SeasonalNaive)."
    )
