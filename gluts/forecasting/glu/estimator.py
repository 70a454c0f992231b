"""GLUForecaster: one global gated-convolution forecaster for many series."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from gluts._progress import progress_bar
from gluts.base import BaseForecaster
from gluts.data import Panel
from gluts.exceptions import InsufficientHistoryError
from gluts.forecasting._glu_persistence import NetworkPersistenceMixin
from gluts.forecasting.glu.covariates import CovariateMixin
from gluts.forecasting.glu.runtime import device_for, torch_threads
from gluts.forecasting.glu.training import TrainingPlan, plan_training, train
from gluts.forecasting.glu.windows import calendar_features, prepare, step_hours
from gluts.nn import ENCODERS, GATES, SCALERS, GLUNetwork, NetworkSpec, blocks_for_context

__all__ = ["GLUForecaster"]


class GLUForecaster(CovariateMixin, NetworkPersistenceMixin, BaseForecaster):
    """Global probabilistic forecaster built on a causal, dilated GLU convolution stack.

    One network learns from every series at once. At each position of a series it reads the
    past through a stack of gated residual blocks ``(X*W + b) ⊗ σ(X*V + c)`` and forecasts
    ``horizon`` quantiles directly; the median is a learned linear function of the last
    ``context_length`` values, initialised to the seasonal naive forecast, plus the stack's
    correction through a small hidden layer. Training forecasts from every second position
    of whole series crops at once (forking sequences) with the pinball loss. Positive series
    are modelled as logs by default, so that errors count relatively.

    Covariates given as ``X`` in ``fit`` are read by the stack as extra input channels.
    Those known in advance (every column not named in ``past_covariates``: calendars,
    holidays, prices, weather forecasts) also act on each forecast step through their value
    at that step, so ``predict`` needs them for the forecast steps as ``X_future``.

    Parameters
    ----------
    horizon : int, default=1
        Largest number of steps forecast; ``predict(h)`` accepts ``h <= horizon``.
    context_length : int or None, default=None
        Past values the linear skip reads; None uses ``max(2 * horizon, min(14 *
        season_length, 336, n // 2))`` with ``n`` the longest series' length.
    encoder : {"glu", "tcn", "lstm", "gru"}, default="glu"
        Network that reads the past: the GLU stack, the same stack ungated (ReLU, a TCN), or
        a recurrent network (see ``benchmarks/ENCODERS.md`` for how they compare).
    n_channels : int, default=32
        Width of the encoder (hidden units of an LSTM or GRU).
    kernel_size : int, default=3
        Taps of each convolution.
    n_blocks : int or None, default=None
        Residual blocks (dilations 1, 2, 4, ...), or LSTM/GRU layers; None uses 2 layers, or
        the fewest blocks whose receptive field covers half of ``context_length`` (the linear
        skip reads all of it; deeper stacks, whose field training crops often truncate,
        measured worse on M4 Hourly).
    head_hidden : int, default=256
        Width of the hidden layer between the stack and the quantile outputs (0: linear).
    gate : {"sigmoid", "tanh", "gelu", "silu", "identity"}, default="sigmoid"
        Gated unit of each block (``encoder="glu"``), of value ``A = X*W + b`` and gate input
        ``B = X*V + c``: ``A ⊗ σ(B)`` (sigmoid, Dauphin et al.'s GLU), ``tanh(A) ⊗ σ(B)``
        (tanh, the gated tanh unit of WaveNet), ``A ⊗ gelu(B)`` (GEGLU), ``A ⊗ silu(B)``
        (SwiGLU) or ``A ⊗ B`` (identity, bilinear). The last three RMS-normalise each block's
        input (see :mod:`gluts.nn.blocks`). ``benchmarks/ENCODERS.md`` compares them.
    dropout : float, default=0.0
        Dropout inside the blocks.
    quantiles : tuple of float, default=(0.1, 0.5, 0.9)
        Quantile levels to predict; the median (0.5) is always fitted and is the point
        forecast.
    transform : {"auto", "log"} or None, default="auto"
        Transform of the values before scaling. ``"log"`` models log values, so errors count
        relatively and forecasts stay positive (quantiles map back exactly, as exp is
        monotone); ``"auto"`` uses it when every fitted value is positive; None models the
        values as they are.
    scaler : {"seasonal", "mean_abs", "standard"}, default="seasonal"
        Per-position scaling from the past only: ``"seasonal"`` divides by the mean absolute
        seasonal difference around the mean of the last season (of the last two values when
        ``season_length`` is 1).
    season_length : int or None, default=None
        Steps per season; None infers it from the frequency (1 for integer time).
    past_covariates : list of str or None, default=None
        Columns of ``X`` known only up to the forecast origin (e.g. a measured
        temperature); the other columns of ``X`` are known in advance and must be given for
        the forecast steps as ``predict``'s ``X_future``.
    n_steps : int or None, default=None
        Training steps. None sizes the budget from the data: about 70 passes over every
        forecast origin, between 50 and 2500 steps. The budget counts steps, not seconds,
        so that fits are repeatable.
    batch_size : int, default=8
        Most series crops per step (small batches and more steps measured better for the
        same time); small data sets use fewer (at least 4, about two
        crops' worth of forecast origins).
    window_length : int, default=1024
        Longest crop of a series per step; every second position of it is a forecast origin.
    learning_rate : float, default=1.5e-3
        Adam's initial learning rate, decayed to 0 on a cosine.
    early_stopping : bool, default=False
        Hold out a validation tail per series, evaluate every 100 steps, stop after 4
        evaluations without improvement and keep the best weights.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation and batch sampling; an int makes CPU fits repeatable.
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train and predict; ``"auto"`` picks CUDA when available.
    n_threads : int or None, default=None
        CPU threads for torch during fit and predict; None keeps torch's setting.
    verbose : bool, default=False
        Show a progress bar with the step and the losses.
    alias : str or None, default=None
        Name of the forecast column; None uses ``"GLU"``.

    Attributes
    ----------
    network_ : GLUNetwork
        The trained network (on the CPU after fit).
    spec_ : NetworkSpec
        The network's sizes.
    season_length_ : int
        Season length used.
    log_transform_ : bool
        Whether the network models log values.
    calendar_ : list of str
        Calendar cycles used as features.
    covariates_ : list of str
        Names of the covariates (columns of ``X``; empty when fitted without ``X``).
    future_covariates_ : list of str
        The known-future ones among them.
    covariate_mean_, covariate_scale_ : ndarray of shape (n_covariates,)
        Standardisation of the covariates (over the fitted data).
    covariate_history_ : list of ndarray or None
        Covariate values over each fitted series, shaped ``(n_timesteps, n_covariates)``.
    history_ : gluts.data.Panel
        The fitted series.
    training_history_ : gluts.forecasting.glu.training.History
        Losses per step.
    series_ids_ : list
        Identifiers of the fitted series.
    n_series_ : int
        Number of fitted series.

    See Also
    --------
    SeasonalNaiveForecaster, ETSForecaster

    Notes
    -----
    The receptive field of a convolution stack is ``1 + (kernel_size - 1) * sum(2**i)`` over
    the blocks; an LSTM or GRU reads training crops whole and ``context_length`` values (plus
    the scaling window) before each forecast origin.

    References
    ----------
    Dauphin, Fan, Auli, Grangier (2017), "Language Modeling with Gated Convolutional
    Networks"; Wen et al. (2017), "A Multi-Horizon Quantile Recurrent Forecaster".
    """

    _parameter_constraints: dict = {
        "horizon": [Interval(Integral, 1, None, closed="left")],
        "context_length": [Interval(Integral, 2, None, closed="left"), None],
        "encoder": [StrOptions(set(ENCODERS))],
        "n_channels": [Interval(Integral, 1, None, closed="left")],
        "kernel_size": [Interval(Integral, 2, None, closed="left")],
        "n_blocks": [Interval(Integral, 1, None, closed="left"), None],
        "head_hidden": [Interval(Integral, 0, None, closed="left")],
        "gate": [StrOptions(set(GATES))],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "quantiles": ["array-like"],
        "transform": [StrOptions({"auto", "log"}), None],
        "scaler": [StrOptions(set(SCALERS))],
        "season_length": [Interval(Integral, 1, None, closed="left"), None],
        "past_covariates": [list, tuple, None],
        "n_steps": [Interval(Integral, 1, None, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "window_length": [Interval(Integral, 2, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "early_stopping": ["boolean"],
        "random_state": ["random_state"],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
        "verbose": ["verbose"],
        "alias": [str, None],
    }
    _tags = {"global_model": True, "requires_horizon_in_fit": True, "supports_exog": True}

    def __init__(
        self,
        horizon=1,
        *,
        context_length=None,
        encoder="glu",
        n_channels=32,
        kernel_size=3,
        n_blocks=None,
        head_hidden=256,
        gate="sigmoid",
        dropout=0.0,
        quantiles=(0.1, 0.5, 0.9),
        transform="auto",
        scaler="seasonal",
        season_length=None,
        past_covariates=None,
        n_steps=None,
        batch_size=8,
        window_length=1024,
        learning_rate=1.5e-3,
        early_stopping=False,
        random_state=None,
        device="cpu",
        n_threads=None,
        verbose=False,
        alias=None,
    ):
        self.horizon = horizon
        self.context_length = context_length
        self.encoder = encoder
        self.n_channels = n_channels
        self.kernel_size = kernel_size
        self.n_blocks = n_blocks
        self.head_hidden = head_hidden
        self.gate = gate
        self.dropout = dropout
        self.quantiles = quantiles
        self.transform = transform
        self.scaler = scaler
        self.season_length = season_length
        self.past_covariates = past_covariates
        self.n_steps = n_steps
        self.batch_size = batch_size
        self.window_length = window_length
        self.learning_rate = learning_rate
        self.early_stopping = early_stopping
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose
        self.alias = alias

    @classmethod
    def _test_params(cls):
        return [
            {
                "n_channels": 4,
                "n_blocks": 2,
                "head_hidden": 8,
                "n_steps": 3,
                "batch_size": 4,
                "context_length": 24,
            },
            {
                "n_channels": 4,
                "n_blocks": 2,
                "n_steps": 4,
                "batch_size": 2,
                "context_length": 24,
                "gate": "tanh",
                "head_hidden": 0,
                "scaler": "mean_abs",
                "early_stopping": True,
                "quantiles": (0.25, 0.75),
            },
        ]

    # -- fit --------------------------------------------------------------------------------

    def _fit_panel(self, panel: Panel, X) -> None:
        m = self.season_length or panel.grid.season_length()
        longest = int(panel.lengths.max())
        context = self.context_length or max(2 * self.horizon, min(14 * m, 336, longest // 2))
        levels = tuple(sorted(set(self.quantiles_) | {0.5}))
        calendar = calendar_features(panel.index[0], step_hours(panel))
        covariates = self._fit_covariates(X, panel)
        recurrent = self.encoder in ("lstm", "gru")
        depth = 2 if recurrent else blocks_for_context(max(context // 2, 2), self.kernel_size)
        spec = NetworkSpec(
            in_features=1 + 2 * len(calendar) + len(self.covariates_),
            horizon=self.horizon,
            quantiles=levels,
            context_length=context,
            season_length=m,
            n_channels=self.n_channels,
            n_blocks=self.n_blocks or depth,
            kernel_size=self.kernel_size,
            dilation_base=2,
            gate=self.gate,
            dropout=self.dropout,
            use_weight_norm=True,
            head_hidden=self.head_hidden,
            n_future=len(self.future_covariates_),
            encoder=self.encoder,
        )
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(2**31 - 1))
        device = device_for(self.device)
        self.season_length_, self.calendar_, self.spec_ = m, calendar, spec
        self.log_transform_ = self.transform == "log" or (
            self.transform == "auto" and all((y > 0).all() for y in panel.values)
        )
        length = int(panel.lengths.max())
        data = prepare(
            self._model_scale(panel),
            panel.index,
            calendar,
            length,
            self.scaler,
            m,
            self._scale_window(),
            covariates,
            self._future_columns(),
        )
        plan = self._plan(panel)
        if not (panel.lengths >= plan.warm + self.horizon + 1 + plan.validation).any():
            raise InsufficientHistoryError(
                f"GLUForecaster needs at least {plan.warm + self.horizon + 1 + plan.validation} "
                f"observations in some series to train (warm-up {plan.warm}, horizon "
                f"{self.horizon}, validation {plan.validation}); the longest has "
                f"{int(panel.lengths.max())}. Lower horizon or context_length."
            )
        with torch_threads(self.n_threads), torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            network = GLUNetwork(spec).to(device)
            with progress_bar(self.verbose, plan.n_steps, "GLU training") as advance:
                history = train(network, data, plan, np.random.default_rng(seed), device, advance)
        self.network_ = network.cpu().eval()
        self.training_history_ = history

    def _scale_window(self) -> int:
        m = self.season_length_
        return max(7 * m, 2 * self.horizon) if m > 1 else max(28, 2 * self.horizon)

    def _plan(self, panel: Panel) -> TrainingPlan:
        return plan_training(
            panel.lengths,
            horizon=self.horizon,
            warm=min(self._scale_window() + self.season_length_, self.spec_.context_length // 2),
            window_length=self.window_length,
            batch_size=self.batch_size,
            n_steps=self.n_steps,
            learning_rate=self.learning_rate,
            early_stopping=self.early_stopping,
            log_values=self.log_transform_,
        )

    def _model_scale(self, panel: Panel) -> list[np.ndarray]:
        """The values the network models: logs when ``log_transform_``, else as they are."""
        if not self.log_transform_:
            return panel.values
        for uid, y, idx in zip(panel.ids, panel.values, panel.index):
            if (y <= 0).any():
                at = int(np.argmax(y <= 0))
                raise ValueError(
                    f"Series {uid!r} has the non-positive value {y[at]:g} at {idx[at]}; the "
                    "log transform needs positive values (use transform=None)."
                )
        return [np.log(y) for y in panel.values]

    # -- predict ----------------------------------------------------------------------------

    def _history_length(self) -> int:
        """Values of each series that a forecast reads."""
        spec = self.spec_
        field = max(spec.context_length, self.network_.receptive_field)
        return field + self._scale_window() + self.season_length_

    def forecast_panel(self, h: int, panel: Panel | None = None, X=None, X_future=None):
        """Forecast from the fitted history or ``panel``, with their covariates.

        Parameters
        ----------
        h : int
            Number of steps, at most ``horizon``.
        panel : Panel or None, default=None
            New history to forecast from; the fitted history when None.
        X : pandas.DataFrame, pandas.Series, numpy.ndarray or None, default=None
            Covariates over ``panel``.
        X_future : pandas.DataFrame, pandas.Series, numpy.ndarray or None, default=None
            Known-future covariates over the ``h`` steps.

        Returns
        -------
        point : list of ndarray
            Per series, the point forecast of shape ``(h,)``.
        quantiles : list of ndarray
            Per series, the quantiles of shape ``(h, n_quantiles)``.
        """
        check_is_fitted(self, "network_")
        source = self.history_ if panel is None else panel
        covariates = self._predict_covariates(source, panel is not None, h, X, X_future)
        return self._forecast(source, h, refit=panel is not None, covariates=covariates)

    def _forecast(self, panel: Panel, h: int, refit: bool, covariates=None):
        spec = self.spec_
        length = self._history_length()
        quantiles = self.quantiles_
        columns = [spec.quantiles.index(q) for q in quantiles]
        median = spec.quantiles.index(0.5)
        device = device_for(self.device)
        points, qs = [], []
        values = self._model_scale(panel)
        with torch_threads(self.n_threads), torch.inference_mode():
            network = self.network_.to(device)
            for start in range(0, len(panel), 256):
                chunk = slice(start, start + 256)
                past = None if covariates is None else self._standardise(covariates[0][chunk])
                data = prepare(
                    values[chunk],
                    panel.index[chunk],
                    self.calendar_,
                    length,
                    self.scaler,
                    self.season_length_,
                    self._scale_window(),
                    past,
                    self._future_columns(),
                )
                tensors = (data.features, data.values, data.loc, data.scale)
                future = None
                if data.future is not None:
                    future = self._future_tensor(data.future, covariates[1][chunk]).to(device)
                last = torch.tensor([length - 1], device=device)
                out = network(
                    *(t.to(device) for t in tensors), positions=last, future=future
                )  # (n, 1, H, Q)
                out = out[:, -1, :h].double().cpu().numpy()  # (n, h, Q)
                loc, scale = data.loc_raw[:, -1, None, None], data.scale_raw[:, -1, None, None]
                raw = loc + scale * out
                raw = np.exp(raw) if self.log_transform_ else raw
                points += list(raw[:, :, median])
                qs += list(raw[:, :, columns])
            self.network_ = network.cpu()
        return points, qs
