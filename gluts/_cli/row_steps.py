"""``--by-row``: each series' row positions as its time, and the way back to its timestamps.

This module imports neither pandas nor numpy at import time: ``import gluts.cli`` stays light.
"""

from __future__ import annotations

__all__ = ["RowSteps", "suggest_by_row"]


class RowSteps:
    """Row positions as the time of each series (``--by-row``), and the way back."""

    def __init__(self, y, columns: dict[str, str]):
        self.id_col, self.time_col = columns["id_col"], columns["time_col"]
        self.ids, self.times = y[self.id_col], y[self.time_col]
        self.step = y.groupby(self.id_col, sort=False).cumcount()
        self.lookup = dict(zip(zip(y[self.id_col], self.step), self.times))

    def as_steps(self, frame):
        """``frame`` (rows of the input) with each row's position as its time."""
        return frame.assign(**{self.time_col: self.step.loc[frame.index]})

    def season_length(self) -> int:
        """Rows per natural cycle at the typical spacing (1 without datetimes)."""
        import pandas as pd
        from pandas.tseries.frequencies import to_offset

        from gluts.data import season_length_for

        if not pd.api.types.is_datetime64_any_dtype(self.times):
            return 1
        spacing = self.times.groupby(self.ids, sort=False).diff().median()
        return season_length_for(to_offset(spacing)) if spacing > pd.Timedelta(0) else 1

    def restore_events(self, events):
        """Alert events with timestamps instead of row positions."""
        out = events.copy()
        for col in ("start", "end", "peak_time"):
            out[col] = [self.lookup[key] for key in zip(out["unique_id"], out[col])]
        return out

    def restore_rows(self, scored):
        """Scored rows (of the input, any subset) with their original timestamps."""
        keys = zip(scored[self.id_col], scored[self.time_col])
        return scored.assign(**{self.time_col: [self.lookup[key] for key in keys]})


def suggest_by_row(panel) -> None:
    """Warn, in one line, where interpolation made up more of a series than its rows.

    Such a series' timestamps are irregular rather than gappy (NAB's
    ``rogue_agent_key_hold``: 1,882 rows on a grid of 5,338 five-minute steps), and its
    made-up rows would be scored and could raise alerts; ``--by-row`` scores its rows.
    """
    import warnings

    from gluts.exceptions import GlutsWarning

    lengths = dict(zip(panel.ids, panel.lengths))
    sparse = [(sid, n) for sid, n in panel.filled.items() if 2 * n > lengths[sid]]
    if sparse:
        sid, n = sparse[0]
        more = f" (and {len(sparse) - 1} more series)" if len(sparse) > 1 else ""
        warnings.warn(
            f"Series {sid!r}{more} is mostly interpolated ({n} of its {lengths[sid]} steps "
            "have no row): its timestamps look irregular; pass --by-row to score its rows "
            "as equally spaced.",
            GlutsWarning,
            stacklevel=2,
        )
