"""The detector contract shared by every gluts anomaly detector.

Label convention (used everywhere in gluts): **1 = anomaly, 0 = normal**. gluts does not
use scikit-learn's ``OutlierMixin`` (-1/1 labels).

A detector subclass implements three hooks: ``_fit_series`` learns a per-series state from
the fit data, ``_surprise`` returns, for a stretch of a series, a causal surprise statistic
and the expected value and band behind it, and ``_context`` says how many earlier rows a
row's surprise depends on. The base class calibrates surprises into tail probabilities and
[0, 1] scores (:mod:`gluts.anomaly.calibration`), applies the threshold, groups alarms into
events, keeps each series' stream (:mod:`gluts.anomaly.stream`) and lays outputs out like
the input. Fitting and scoring run over chunks of series (:mod:`gluts.anomaly.tasks`), with a
progress bar inside :func:`gluts._progress.show_progress` (the command line's display).
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from gluts._estimator import FittedStateMixin, PanelEstimator
from gluts._parallel import map_series
from gluts.anomaly.events import AlertCarry, critical_surprisal, group_events, stream_spans
from gluts.anomaly.stream import Scored, place, read_rows, warn_gaps
from gluts.anomaly.surprise import Surprise
from gluts.anomaly.tasks import empty_stream, fit_chunk, score_chunk
from gluts.anomaly.thresholds import _BaseThreshold, make_threshold
from gluts.data import Panel
from gluts.exceptions import DataError

__all__ = ["BaseAnomalyDetector", "Surprise"]


class BaseAnomalyDetector(FittedStateMixin, PanelEstimator):
    """Fit / score / update / predict / alerts plumbing shared by every detector: subclasses
    declare ``_parameter_constraints`` (merged with :attr:`_common_constraints`) and
    implement :meth:`_fit_series`, :meth:`_surprise` and :meth:`_context`."""

    _common_constraints: dict = {
        "threshold": [Interval(Real, 0, 1, closed="neither"), _BaseThreshold, None],
        "tail_quantile": [Interval(Real, 0, 1, closed="neither")],
        "score_scale": [Interval(Real, 0, None, closed="neither")],
        "shaping_window": [Interval(Integral, 1, None, closed="left"), None],
        "merge_gap": [Interval(Integral, 0, None, closed="left")],
        "min_duration": [Interval(Integral, 1, None, closed="left")],
        "cooldown": [Interval(Integral, 0, None, closed="left")],
        "n_jobs": [Integral, None],
    }
    _parameter_constraints: dict = {}
    _default_threshold = 0.3
    # Estimated seconds per observation of fitting and of scoring (sizes parallel tasks).
    _seconds_per_value: tuple[float, float] = (5e-6, 5e-6)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        merged = dict(BaseAnomalyDetector._common_constraints)
        for base in reversed(cls.__mro__):  # a subclass of a subclass keeps its parent's
            merged.update(vars(base).get("_parameter_constraints", {}))
        cls._parameter_constraints = merged

    # -- public API -------------------------------------------------------------------------

    def fit(
        self,
        y,
        *,
        id_col: str = "unique_id",
        time_col: str = "ds",
        target_col: str = "y",
        missing: str = "interpolate",
        freq: str | None = None,
    ):
        """Learn normal behaviour and calibrate the scores of each series.

        Parameters
        ----------
        y : pandas.Series, pandas.DataFrame or numpy.ndarray
            Normal (or mostly normal) history: a Series, a wide or long frame (``unique_id,
            ds, y``), or an array of shape ``(n_timesteps,)`` or ``(n_timesteps, n_series)``.
        id_col, time_col, target_col : str, default="unique_id", "ds", "y"
            Column names of a long frame.
        missing : {"interpolate", "error"}, default="interpolate"
            How missing values and gaps are handled.
        freq : str or None, default=None
            Frequency of the data (a pandas offset alias); inferred when None.

        Returns
        -------
        self : object
            The fitted detector; its stream state ends after the last fitted row.
        """
        self.read_options_ = self._start_fit(id_col, time_col, target_col, missing, freq)
        panel = self._to_panel(y)
        self.season_length_ = panel.grid.season_length()
        self._prepare(panel)
        fitted = map_series(
            fit_chunk,
            self,
            list(zip(panel.ids, panel.values)),
            n_jobs=self.n_jobs,
            seconds=panel.lengths * self._seconds_per_value[0],
            shared=(self.season_length_, {**self._global_state(), **self._fit_state()}),
            description=f"{type(self).__name__} fitting series",
        )
        self.states_, self.calibrators_, scores = (list(part) for part in zip(*fitted))
        self.history_, self.series_ids_ = panel, list(panel.ids)
        threshold = make_threshold(self.threshold, self._default_threshold)
        self.threshold_ = threshold.fit(np.concatenate(scores))
        self.streams_ = []
        for state, score, values, index in zip(self.states_, scores, panel.values, panel.index):
            flags = self.threshold_.flag(score)
            _, carry = stream_spans(AlertCarry(), flags, index, **self._rules())
            self.streams_.append(empty_stream(self, state).advance(values, index[-1], carry))
        return self

    def score(self, y=None):
        """Return the anomaly score of each timestamp, in [0, 1], laid out like ``y``.

        Scoring is causal (the score at ``t`` uses data up to ``t`` only) and changes nothing
        (``update`` does). Rows after the last row seen (fitted, or passed to ``update``)
        continue the series' stream, with the rows before as context: the scores ``update``
        would return; after a gap in the timestamps the context restarts, with a
        :class:`~gluts.exceptions.StreamGapWarning` (see :mod:`gluts.anomaly.stream`). Rows
        starting at a timestamp of the fitted history get the fitted rows before it as
        context. Other rows (before the fitted history, or among rows already passed to
        ``update``) are scored as a series of their own, from their first row.

        Parameters
        ----------
        y : pandas.Series, pandas.DataFrame, numpy.ndarray or None, default=None
            Series to score (same layout conventions as ``fit``, same series); None scores
            the fitted history.

        Returns
        -------
        pandas.Series, pandas.DataFrame or numpy.ndarray
            One score per timestamp (column ``score`` of a long frame).
        """
        panel, scored = self._score_all(y)
        return panel.format_values({"score": [s.score for s in scored]})

    def update(self, y):
        """Score rows that follow the rows seen so far, and advance the stream past them.

        Returns what :meth:`score` returns for ``y`` before the call; updating with rows in
        chunks gives bit-for-bit the scores of one update with all of them (on the CPU).
        The state keeps a bounded tail of each series (see :mod:`gluts.anomaly.stream`).

        Parameters
        ----------
        y : pandas.Series, pandas.DataFrame or numpy.ndarray
            New rows of fitted series, each starting after its last seen timestamp (series
            without new rows may be absent); an array holds the next rows of each series.
            After a gap the context restarts, with a :class:`~gluts.exceptions.StreamGapWarning`.

        Returns
        -------
        pandas.Series, pandas.DataFrame or numpy.ndarray
            The scores of the rows, laid out like ``y``.

        Raises
        ------
        DataError
            When a series' rows do not start after its last seen timestamp (rows already
            seen are scored with :meth:`score`), or a series was not fitted.
        """
        panel, scored = self._score_all(y, advance=True)
        for k, s in zip(self._positions(panel.ids), scored):
            self.streams_[k] = s.after
        return panel.format_values({"score": [s.score for s in scored]})

    def score_details(self, y=None):
        """Return each row's score, surprisal, label, expected value and band, like ``y``.

        Rows are placed as in :meth:`score`.

        Parameters
        ----------
        y : pandas.Series, pandas.DataFrame, numpy.ndarray or None, default=None
            Series to score; None scores the fitted history.

        Returns
        -------
        pandas.DataFrame or numpy.ndarray
            Columns ``score`` (in [0, 1]), ``surprisal`` (``-log10`` of the row's tail
            probability, not capped; less a recurring surprise, :mod:`~gluts.anomaly.echoes`),
            ``anomaly`` (0/1), ``expected``, ``lower`` and ``upper``; a long frame for long input.
        """
        panel, scored = self._score_all(y)
        flag = self.threshold_.flag
        return panel.format_values(
            {
                "score": [s.score for s in scored],
                "surprisal": [s.surprisal for s in scored],
                "anomaly": [flag(s.score) for s in scored],
                "expected": [s.surprise.expected for s in scored],
                "lower": [s.surprise.lower for s in scored],
                "upper": [s.surprise.upper for s in scored],
            }
        )

    def predict(self, y=None):
        """Return 0/1 labels per timestamp (1 = anomaly), laid out like ``y``.

        Parameters
        ----------
        y : pandas.Series, pandas.DataFrame, numpy.ndarray or None, default=None
            Series to label (placed as in :meth:`score`); None labels the fitted history.

        Returns
        -------
        pandas.Series, pandas.DataFrame or numpy.ndarray
            Labels (column ``anomaly`` of a long frame).
        """
        panel, scored = self._score_all(y)
        return panel.format_values({"anomaly": [self.threshold_.flag(s.score) for s in scored]})

    def fit_predict(self, y, **fit_params):
        """Fit on ``y`` and return its 0/1 labels (1 = anomaly).

        Parameters
        ----------
        y : pandas.Series, pandas.DataFrame or numpy.ndarray
            The series.
        **fit_params : dict
            Keyword arguments of :meth:`fit` (column names, ``missing``, ``freq``).

        Returns
        -------
        pandas.Series, pandas.DataFrame or numpy.ndarray
            Labels laid out like ``y``.
        """
        return self.fit(y, **fit_params).predict(y)

    def alerts(self, y=None) -> pd.DataFrame:
        """Group flagged points into alert events, one row per event.

        Flags closer than ``merge_gap`` rows join one event, events shorter than
        ``min_duration`` rows are dropped, and an event starting within ``cooldown`` rows of
        the previous event's end is suppressed. For rows that continue the stream (see
        :meth:`score`), an event still open at the last seen row is not reported again when
        these rows continue it, so calling ``alerts`` and then ``update`` on each new chunk
        reports every event once.

        Parameters
        ----------
        y : pandas.Series, pandas.DataFrame, numpy.ndarray or None, default=None
            Series to check; None checks the fitted history.

        Returns
        -------
        pandas.DataFrame
            Columns ``unique_id, start, end, peak_time, peak_score, surprisal, severity,
            observed, expected, lower, upper, new_normal`` (four values at the peak; the
            incident became the new normal, see ``GLUAnomalyDetector``). ``surprisal`` is
            the event's largest ``-log10`` tail probability; severity follows it:
            ``"critical"`` from twice the surprisal at the threshold (a probability at most
            the threshold's squared), else ``"warning"``.
        """
        panel, scored = self._score_all(y)
        critical = critical_surprisal(self.threshold_.threshold_, self.score_scale)
        frames = [
            group_events(
                sid,
                s.index,
                s.spans,
                s.score,
                s.surprisal,
                s.values,
                s.surprise,
                critical=critical,
                before=s.before,
                horizon=self._new_normal_rows(),
            )
            for sid, s in zip(panel.ids, scored)
        ]
        return pd.concat(frames, ignore_index=True)

    def save(self, path) -> None:
        """Save the fitted detector and its stream state as JSON plus arrays (no pickle).

        Parameters
        ----------
        path : str or pathlib.Path
            File to write (replaced atomically); read it back with :func:`gluts.load`.
        """
        from gluts.anomaly.persistence import write_detector

        check_is_fitted(self, "threshold_")
        write_detector(self, path)

    # the fitted attributes that a detector file holds (subclasses may add their own)
    _STATE = ("read_options_", "season_length_", "history_", "series_ids_", "states_")
    _STATE += ("calibrators_", "streams_", "threshold_")

    @property
    def last_seen_(self) -> dict:
        """The last timestamp seen of each series (fitted, or passed to ``update``)."""
        return {sid: s.last for sid, s in zip(self.series_ids_, self.streams_)}

    # -- hooks ------------------------------------------------------------------------------

    def _prepare(self, panel: Panel) -> None:
        """Fit anything shared by all series (e.g. a global forecaster); default: nothing."""

    def _global_state(self) -> dict[str, Any]:
        """The attributes set by :meth:`_prepare` that every series needs, by name.

        With :meth:`_fit_state` (fitting only), they are all that a parallel task gets of the
        fitted detector besides its own series (see :mod:`gluts._parallel`), so keep them
        small: a global model without its training data. Default: none.
        """
        return {}

    def _fit_state(self) -> dict[str, Any]:
        """What fitting a series needs besides :meth:`_global_state` (a seed; not saved)."""
        return {}

    def _fit_series(self, sid, values: np.ndarray, season_length: int) -> Any:
        """Learn the state of one series from its fit data."""
        raise NotImplementedError

    def _surprise(self, state: Any, values: np.ndarray, start: int = 0) -> Surprise:
        """Return the causal surprise of every row of ``values`` (context rows first).

        ``start`` is the position of ``values[0]`` counted from the first fitted row, for
        anything tied to the clock (seasonal phases, forecast origins).
        """
        raise NotImplementedError

    def _context(self, state: Any) -> int:
        """Rows before a row that its surprise depends on."""
        raise NotImplementedError

    # -- internals --------------------------------------------------------------------------

    def _fit_surprise(self, state, values: np.ndarray, start: int = 0) -> Surprise:
        return self._surprise(state, values, start)  # the fit rows', calibrated on

    def _calibration(self, state, z: np.ndarray, values) -> tuple[np.ndarray, dict]:
        return z, {}  # the fit rows' surprises to calibrate on; more TailCalibrator.fit options

    def _standardised_streams(self, state) -> int:  # last streams, read with the normal tail
        return 0

    def _density_windows(self, state) -> tuple:  # rows of mean surprisals with tails of theirs
        return ()

    def _season(self, state) -> int:  # rows after which surprises recur (1: none; see echoes)
        return 1

    def _new_normal_rows(self) -> int:  # rows until an incident is the new normal (0: never)
        return 0

    def _rules(self) -> dict:
        return {k: getattr(self, k) for k in ("merge_gap", "min_duration", "cooldown")}

    def _read_rows(self, y, advance: bool) -> Panel:
        """Read rows on the fitted grid; for ``update``, an array holds the next rows."""
        panel = read_rows(self.read_options_, self.history_.grid, y, type(self).__name__)
        if advance and panel.layout.kind == "array":
            lasts = [self.streams_[k].last for k in self._positions(panel.ids)]
            panel.index = [panel.grid.after(t, len(v)) for t, v in zip(lasts, panel.values)]
        return panel

    def _positions(self, ids) -> list[int]:
        """Where each series of ``ids`` is among the fitted series (one lookup table)."""
        known = {sid: k for k, sid in enumerate(self.series_ids_)}
        for sid in (sid for sid in ids if sid not in known):
            raise DataError(
                f"Series {sid!r} was not seen in fit; {type(self).__name__} calibrates each "
                f"series on its own history. Known series: {self.series_ids_[:5]}."
            )
        return [known[sid] for sid in ids]

    def _score_all(self, y, advance: bool = False) -> tuple[Panel, list[Scored]]:
        check_is_fitted(self, "threshold_")
        panel = self.history_ if y is None else self._read_rows(y, advance)
        items, gaps = [], []
        for k, values, index in zip(self._positions(panel.ids), panel.values, panel.index):
            owner = type(self).__name__ if advance else None
            stream, gap = place(self.streams_[k], self.history_, k, index, update=owner)
            gaps += [gap] if gap else []
            items.append((self.states_[k], self.calibrators_[k], stream, values, index))
        warn_gaps(type(self).__name__, gaps)
        scored = map_series(
            score_chunk,
            self,
            items,
            n_jobs=self.n_jobs,
            seconds=panel.lengths * self._seconds_per_value[1],
            shared=(self._global_state(), self.threshold_),
            description=f"{type(self).__name__} scoring series",
        )
        return panel, scored
