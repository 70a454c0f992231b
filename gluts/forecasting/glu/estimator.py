"""GLUForecaster: one global gated-convolution forecaster for many series."""

from __future__ import annotations

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from gluts._parallel import map_series
from gluts.base import BaseForecaster
from gluts.data import Panel
from gluts.forecasting.glu import fitted_state, persistence, seasonal
from gluts.forecasting.glu.covariates import (
    Covariates,
    FittedCovariates,
    fit_covariates,
    predict_covariates,
)
from gluts.forecasting.glu.inference import (
    SECONDS_PER_VALUE,
    Predictor,
    forecast_chunk,
    series_items,
)
from gluts.forecasting.glu.parameters import PARAMETER_CONSTRAINTS, network_spec
from gluts.forecasting.glu.runtime import device_for
from gluts.forecasting.glu.selection import TARGETS, fit_selected
from gluts.forecasting.glu.training import BATCH_SIZE, WINDOW_LENGTH, TrainingPlan, plan_training
from gluts.forecasting.glu.windows import (
    calendar_features,
    model_values,
    prepare,
    scale_window,
    step_hours,
)

__all__ = ["GLUForecaster"]


class GLUForecaster(persistence.PicklesNetwork, FittedCovariates, BaseForecaster):
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
        season_length, 336, n // 2))`` with ``n`` the longest series' length, or, where the
        size selection runs, the halving of it that the held-out tail measurably prefers.
    encoder : {"glu", "tcn", "lstm", "gru", "none"}, default="glu"
        Network that reads the past: the GLU stack, the same stack ungated (ReLU, a TCN), a
        recurrent network (``benchmarks/ENCODERS.md`` compares them) or none (the linear skip).
    n_channels : int, default=32
        Width of the encoder (hidden units of an LSTM or GRU).
    kernel_size : int or None, default=None
        Taps of each convolution; None: 2 on small data (as ``dropout``), else 3.
    n_blocks : int or None, default=None
        Residual blocks (dilations 1, 2, 4, ...), or LSTM/GRU layers; None uses 2 layers, or
        the fewest blocks whose receptive field covers half of ``context_length`` (deeper
        stacks, whose field training crops often truncate, measured worse on M4 Hourly).
    head_hidden : int, default=256
        Width of the hidden layer between the stack and the quantile outputs (0: linear).
    gate : {"sigmoid", "tanh", "gelu", "silu", "identity"}, default="sigmoid"
        Gated unit of each block (``encoder="glu"``): ``A ⊗ σ(B)`` (Dauphin et al.'s GLU),
        the gated tanh unit, GEGLU, SwiGLU or bilinear (see :class:`gluts.nn.GLUConv1d`
        and :mod:`gluts.nn.blocks`); ``benchmarks/ENCODERS.md`` compares them.
    dropout : float or None, default=None
        Dropout inside the blocks; None: 0.1 on small data, else 0 (see ``spec_``).
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
    deseasonalize : {"multiplicative"} or None, default="multiplicative"
        Model each positive series that the M4 90% autocorrelation test finds seasonal divided
        by its classical multiplicative seasonal indices, and multiply them back into the
        forecasts, as Theta does; off when a series has under three seasons or a value
        ``<= 0`` (:mod:`~.seasonal`). None: off.
    past_covariates : list of str or None, default=None
        Columns of ``X`` known only up to the forecast origin (e.g. a measured temperature);
        the others are known in advance: ``predict`` needs them as ``X_future``.
    n_steps : int or None, default=None
        Training steps. None sizes the budget from the data: about 70 passes over every
        forecast origin, between 50 and 2500 steps. The budget counts steps, not seconds,
        so that fits are repeatable.
    batch_size : int, default=8
        Most series crops per step (small batches and more steps measured better for the
        same time); small data sets use fewer (at least 4, about two crops' worth of origins).
    window_length : int, default=1024
        Longest crop of a series per step; every second position of it is a forecast origin.
    learning_rate : float, default=1.5e-3
        Adam's initial learning rate, decayed to 0 on a cosine over ``n_steps``.
    early_stopping : bool, default=False
        Hold out a validation tail per series, evaluate every 100 steps, stop after 4 without
        improvement and keep the best weights (of the final fit).
    model_selection : {"auto"} or None, default="auto"
        ``"auto"``, on data with fewer origins than the largest automatic budget covers: the
        network as configured, a small one (8 channels, linear head, dropout 0.2) and the
        linear skip alone (lr 1e-2), skips started at the least-squares map (seasonal naive
        with too few origins), train a quarter of the budget (500 steps or more) with the last
        window held out; the simplest within one standard error of the best is trained for
        the full budget (its trial goes on when still improving). None: off.
    n_estimators : int or None, default=None
        Networks of the chosen size, from different seeds, whose quantiles are averaged.
        None: with the automatic budget, as many (at most 5) as fit in the work of the
        largest automatic fit (2500 steps of 8 crops of 1024), so small data get several;
        one when ``n_steps`` is set or the linear skip is chosen (a convex fit).
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation and batch sampling; an int makes CPU fits repeatable.
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train and predict; ``"auto"`` picks CUDA when available.
    n_threads : int or None, default=None
        CPU threads for torch during fit and predict (torch's own setting is restored
        after). None: ``$GLUTS_THREADS`` if set, else 1 in a worker process, else the CPUs
        available to the process, at most 8. A given ``random_state`` and thread count give
        identical forecasts on the CPU; different thread counts can differ in the last digits
        (see the README).
        Predictions do not depend on it (nor on which series are predicted together).
    n_jobs : int or None, default=None
        joblib's parallel jobs for prediction, over chunks of whole series, each with one
        torch thread (see :mod:`gluts._parallel`; Dask through
        ``joblib.parallel_config(backend="dask")``). Training is one process.
    verbose : bool, default=False
        Show a progress bar of the training steps, with the losses and the time left (the
        command line draws it on a terminal without this).
    alias : str or None, default=None
        Name of the forecast column; None uses ``"GLU"``.

    Attributes
    ----------
    network_ : GLUNetwork or NetworkAverage
        The trained network, or the average of ``spec_.members`` of them (on the CPU).
    spec_ : NetworkSpec
        The network's sizes (of the chosen candidate) and ``members``, the networks averaged;
        ``dropout`` and ``kernel_size`` are those trained with (:mod:`~.selection`).
    selection_ : Selection or None
        The candidates' validation losses and best steps, the chosen one and the chosen
        context; None without selection, or when the series are too short for the validation
        tail.
    season_length_ : int
        Season length used.
    seasonal_adjustment_ : {"multiplicative"} or None
        The adjustment of the fit (None where ``deseasonalize`` is, or where it is off).
    seasonal_indices_ : list of (ndarray of shape (season_length_,) or None)
        Per fitted series, the seasonal indices divided out, counted from its end (index ``k``
        for the steps ``k + 1, k + 1 + m, ...`` after it); None where it is modelled as it is.
    log_transform_ : bool
        Whether the network models log values.
    calendar_ : list of str
        Calendar cycles used as features.
    covariates_ : list of str
        Names of the covariates (columns of ``X``; empty when fitted without ``X``).
    future_covariates_ : list of str
        The known-future ones among them.
    covariate_mean_, covariate_scale_ : ndarray of shape (n_covariates,) or None
        Standardisation of the covariates (over the fitted data); None without covariates.
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

    Notes
    -----
    The receptive field of a convolution stack is ``1 + (kernel_size - 1) * sum(2**i)`` over
    the blocks; an LSTM or GRU reads training crops whole and ``context_length`` values (plus
    the scaling window) before each forecast origin.

    Training forecasts from origins with half the context of history before them. A series
    too short for that (fewer values than half the context plus two horizons) trains on its
    last ``horizon`` origins instead, its context extended to the left as when it is
    forecast, so that short series in a panel of long ones are learned from too.

    References
    ----------
    Dauphin, Fan, Auli, Grangier (2017), "Language Modeling with Gated Convolutional
    Networks"; Wen et al. (2017), "A Multi-Horizon Quantile Recurrent Forecaster".
    """

    _parameter_constraints: dict = PARAMETER_CONSTRAINTS  # see parameters.py
    _tags = {"global_model": True, "requires_horizon_in_fit": True, "supports_exog": True}
    _per_series_state = (
        "covariate_history_", "training_history_", "seasonal_indices_", "_loaded_from"
    )  # fmt: skip

    def __init__(
        self,
        horizon=1,
        *,
        context_length=None,
        encoder="glu",
        n_channels=32,
        kernel_size=None,
        n_blocks=None,
        head_hidden=256,
        gate="sigmoid",
        dropout=None,
        quantiles=(0.1, 0.5, 0.9),
        transform="auto",
        scaler="seasonal",
        season_length=None,
        deseasonalize="multiplicative",
        past_covariates=None,
        n_steps=None,
        batch_size=BATCH_SIZE,
        window_length=WINDOW_LENGTH,
        learning_rate=1.5e-3,
        early_stopping=False,
        model_selection="auto",
        n_estimators=None,
        random_state=None,
        device="cpu",
        n_threads=None,
        n_jobs=None,
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
        self.deseasonalize = deseasonalize
        self.past_covariates = past_covariates
        self.n_steps = n_steps
        self.n_estimators = n_estimators
        self.batch_size = batch_size
        self.window_length = window_length
        self.learning_rate = learning_rate
        self.early_stopping = early_stopping
        self.model_selection = model_selection
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.alias = alias

    @classmethod
    def _test_params(cls):
        tiny = {"n_channels": 4, "n_blocks": 2, "context_length": 24}
        other = dict(gate="tanh", head_hidden=0, scaler="mean_abs", early_stopping=True)
        other |= dict(batch_size=2, model_selection=None)
        return [
            {**tiny, "head_hidden": 8, "n_steps": 3, "batch_size": 4},
            {**tiny, **other, "n_steps": 4, "quantiles": (0.25, 0.75)},
        ]

    def _params_on(self, panel: Panel) -> dict:
        params = super()._params_on(panel)
        m = self.season_length or panel.grid.season_length()
        if seasonal.panel_adjustment(panel, m, self.deseasonalize) is None:
            params["deseasonalize"] = None  # a fit on panel leaves it unadjusted either way
        return params

    def _fit_panel(self, panel: Panel, X) -> None:
        m, longest = self.season_length or panel.grid.season_length(), int(panel.lengths.max())
        self.seasonal_adjustment_ = seasonal.panel_adjustment(panel, m, self.deseasonalize)
        self.seasonal_indices_ = seasonal.estimate(panel, m, self.seasonal_adjustment_)
        panel = seasonal.adjusted(panel, self.seasonal_indices_)
        calendar = calendar_features(panel.index[0], step_hours(panel))
        covariates = fit_covariates(X, panel, self.past_covariates, self.read_options_)
        self._set_covariates(covariates)
        sizes = dict(season_length=m, longest=longest, n_future=len(covariates.future))
        sizes["quantiles"] = tuple(sorted(set(self.quantiles_) | {0.5}))
        sizes["in_features"] = 1 + 2 * len(calendar) + len(covariates.names)
        spec = network_spec(self.get_params(), **sizes)  # as configured, before any selection
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        device = device_for(self.device)
        self.season_length_, self.calendar_, self.spec_ = m, calendar, spec
        self.log_transform_ = self.transform == "log" or (
            self.transform == "auto" and all((y > 0).all() for y in panel.values)
        )
        past = None if X is None else covariates.standardise(covariates.history)
        values, window = model_values(panel, self.log_transform_), scale_window(m, self.horizon)
        inputs = (values, panel.index, calendar, longest, self.scaler, m, window, past)
        data, plan = prepare(*inputs, covariates.future_columns), self._plan(panel)
        held_out = (lambda: self._plan(panel, TARGETS)) if self.model_selection else None
        fitted = fit_selected(self.get_params(), sizes, data, plan, held_out, seed, device)
        self.selection_, self.spec_, self.network_, self.training_history_ = fitted

    def _plan(self, panel: Panel, targets: int | None = None) -> TrainingPlan:
        m = self.season_length_
        return plan_training(
            panel.lengths,
            horizon=self.horizon,
            warm=min(scale_window(m, self.horizon) + m, self.spec_.context_length // 2),
            window_length=self.window_length,
            batch_size=self.batch_size,
            n_steps=self.n_steps,
            learning_rate=self.learning_rate,
            early_stopping=self.early_stopping or targets is not None,
            log_values=self.log_transform_,
            ids=list(panel.ids),
            validation_targets=targets,
        )

    def forecast_panel(self, h: int, panel: Panel | None = None, X=None, X_future=None):
        """Forecast as :meth:`BaseForecaster.forecast_panel` does, reading the covariates.

        ``X`` gives the covariates over a new history ``panel``, ``X_future`` the known-future
        ones over the ``h`` steps: each needed when fitted with such covariates, else refused.
        """
        check_is_fitted(self, "network_")
        model = self._as_fitted()
        source, new = (self.history_, False) if panel is None else (panel, True)
        covariates = predict_covariates(
            self._covariates(), source, new, h, X, X_future, self.read_options_, type(self).__name__
        )
        return model._forecast(source, h, refit=new, covariates=covariates)

    def _forecast(self, panel: Panel, h: int, refit: bool, covariates=None):
        m, indices = self.season_length_, self.seasonal_indices_
        indices = seasonal.estimate(panel, m, self.seasonal_adjustment_) if refit else indices
        values = model_values(seasonal.adjusted(panel, indices), self.log_transform_)
        items = series_items(values, panel.index, covariates)
        seconds = np.full(len(items), SECONDS_PER_VALUE * self._history_length())
        shared = (self._predictor(), h)  # the network, none of the fitted series
        out = map_series(
            forecast_chunk, self, items, n_jobs=self.n_jobs, seconds=seconds, shared=shared
        )
        out = seasonal.restored(out, indices)
        return [point for point, _ in out], [qs for _, qs in out]

    def _predictor(self) -> Predictor:
        m, covariates = self.season_length_, self._covariates()
        return Predictor(
            self.network_, self.spec_.quantiles, self.quantiles_,
            Covariates(covariates.names, covariates.future, covariates.mean, covariates.scale),
            self.calendar_, self.scaler, m, scale_window(m, self.horizon),
            self._history_length(), self.log_transform_, self.device, self.n_threads,
        )  # fmt: skip

    def _history_length(self) -> int:
        """Values of each series that a forecast reads."""
        field = max(self.spec_.context_length, self.network_.receptive_field)
        return field + scale_window(self.season_length_, self.horizon) + self.season_length_

    def save(self, path) -> None:
        """Save the fitted forecaster as JSON metadata plus weights (no pickle).

        Parameters
        ----------
        path : str or pathlib.Path
            File to write; read it back with :func:`gluts.load`. It is replaced atomically:
            a failure leaves an existing file as it was. The file holds the parameters of
            the last fit, whatever ``set_params`` changed since.
        """
        check_is_fitted(self, "network_")
        model = self._as_fitted()  # the parameters of the fit, whatever set_params changed
        persistence.write(path, model._get_state(), keep=model._history_length())

    def _get_state(self) -> persistence.ModelState:
        """The fitted state, as a model file holds it."""
        return fitted_state.state_of(self)

    @classmethod
    def _from_state(cls, state: persistence.ModelState) -> GLUForecaster:
        """A fitted forecaster from the state of a model file, predicting on the CPU."""
        return fitted_state.restored(cls, state)
