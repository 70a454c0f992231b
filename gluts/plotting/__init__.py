"""Static plots of forecasts, backtests and anomaly alerts (matplotlib, no display needed).

Every function returns a :class:`matplotlib.figure.Figure` built without pyplot, so it works
on a headless machine and never changes the user's backend; save it with ``fig.savefig``.

From fitted objects (also at the top level, ``gluts.plot_forecast`` ...):
:func:`plot_forecast` (a forecaster), :func:`plot_backtest` (a backtest result) and
:func:`plot_anomalies` (a detector). From long frames, as the command line draws them:
:func:`draw_forecast` and :func:`draw_alerts`. A figure shows at most six series unless told
which: the most interesting ones, chosen by :func:`forecast_choice`,
:func:`backtest_choice` and :func:`alert_choice`, and its caption says which and why.
"""

from gluts.plotting.anomalies import alert_choice, draw_alerts, plot_anomalies
from gluts.plotting.backtest import backtest_choice, plot_backtest
from gluts.plotting.forecast import central_bands, draw_forecast, forecast_choice, plot_forecast
from gluts.plotting.selection import MAX_PANELS, SeriesChoice, choose_series, match_series

__all__ = [
    "MAX_PANELS",
    "SeriesChoice",
    "alert_choice",
    "backtest_choice",
    "central_bands",
    "choose_series",
    "draw_alerts",
    "draw_forecast",
    "forecast_choice",
    "match_series",
    "plot_anomalies",
    "plot_backtest",
    "plot_forecast",
]
