"""GLUForecaster's parameters: their constraints, and the network sizes derived from them."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from gluts.nn import ENCODERS, GATES, SCALERS, NetworkSpec, blocks_for_context

__all__ = [
    "LARGE_DATA_KERNEL",
    "PARAMETER_CONSTRAINTS",
    "SMALL_DATA_DROPOUT",
    "SMALL_DATA_KERNEL",
    "network_spec",
]

# ``dropout=None`` and ``kernel_size=None`` on small data and otherwise (the fit decides
# which: :func:`gluts.forecasting.glu.members.small_data_settings`); without the fit's
# decision, :func:`network_spec` takes the large-data values.
SMALL_DATA_DROPOUT = 0.1
SMALL_DATA_KERNEL = 2
LARGE_DATA_KERNEL = 3

PARAMETER_CONSTRAINTS: dict = {
    "horizon": [Interval(Integral, 1, None, closed="left")],
    "context_length": [Interval(Integral, 2, None, closed="left"), None],
    "encoder": [StrOptions(set(ENCODERS))],
    "n_channels": [Interval(Integral, 1, None, closed="left")],
    "kernel_size": [Interval(Integral, 2, None, closed="left"), None],
    "n_blocks": [Interval(Integral, 1, None, closed="left"), None],
    "head_hidden": [Interval(Integral, 0, None, closed="left")],
    "gate": [StrOptions(set(GATES))],
    "dropout": [Interval(Real, 0, 1, closed="left"), None],
    "quantiles": ["array-like"],
    "transform": [StrOptions({"auto", "log"}), None],
    "scaler": [StrOptions(set(SCALERS))],
    "season_length": [Interval(Integral, 1, None, closed="left"), None],
    "deseasonalize": [StrOptions({"multiplicative"}), None],
    "past_covariates": [list, tuple, None],
    "n_steps": [Interval(Integral, 1, None, closed="left"), None],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "window_length": [Interval(Integral, 2, None, closed="left")],
    "learning_rate": [Interval(Real, 0, None, closed="neither")],
    "early_stopping": ["boolean"],
    "model_selection": [StrOptions({"auto"}), None],
    "n_estimators": [Interval(Integral, 1, None, closed="left"), None],
    "random_state": ["random_state"],
    "device": [StrOptions({"cpu", "cuda", "auto"})],
    "n_threads": [Interval(Integral, 1, None, closed="left"), None],
    "n_jobs": [Integral, None],
    "verbose": ["verbose"],
    "alias": [str, None],
}


def network_spec(
    params: Mapping,
    *,
    season_length: int,
    longest: int,
    quantiles: tuple[float, ...],
    in_features: int,
    n_future: int,
) -> NetworkSpec:
    """The sizes of the network that a forecaster with ``params`` fits on the data.

    Parameters
    ----------
    params : mapping
        The forecaster's parameters (``get_params()``).
    season_length : int
        Steps per season.
    longest : int
        Length of the longest series.
    quantiles : tuple of float
        The sorted levels the network forecasts.
    in_features : int
        Input channels: the values, the calendar features and the covariates.
    n_future : int
        Known-future covariates among them.

    Returns
    -------
    NetworkSpec
        With ``context_length`` None resolved to ``max(2 * horizon, min(14 * season_length,
        336, longest // 2))``, ``n_blocks`` None to 2 (LSTM or GRU) or the fewest blocks
        whose receptive field covers half the context, ``kernel_size`` None to
        :data:`LARGE_DATA_KERNEL` and ``dropout`` None to 0 (the fit resolves both from the
        data first, see :func:`~gluts.forecasting.glu.members.small_data_settings`).
    """
    horizon, kernel_size = params["horizon"], params["kernel_size"] or LARGE_DATA_KERNEL
    context = params["context_length"] or max(
        2 * horizon, min(14 * season_length, 336, longest // 2)
    )
    recurrent = params["encoder"] in ("lstm", "gru")
    depth = 2 if recurrent else blocks_for_context(max(context // 2, 2), kernel_size)
    return NetworkSpec(
        in_features=in_features,
        horizon=horizon,
        quantiles=quantiles,
        context_length=context,
        season_length=season_length,
        n_channels=params["n_channels"],
        n_blocks=params["n_blocks"] or depth,
        kernel_size=kernel_size,
        dilation_base=2,
        gate=params["gate"],
        dropout=params["dropout"] or 0.0,
        use_weight_norm=True,
        head_hidden=params["head_hidden"],
        n_future=n_future,
        encoder=params["encoder"],
    )
