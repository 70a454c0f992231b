"""How user input is read into a :class:`~gluts.data.Panel`: one settings object for all."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from gluts.data.frames import MissingPolicy, to_panel
from gluts.data.panel import Panel

__all__ = ["ReadOptions"]


@dataclass(frozen=True)
class ReadOptions:
    """The column names, missing-value policy and frequency used to read a user's input.

    An estimator keeps the options it was fitted with (``read_options_``) and reads every
    later input (``predict(y=...)``, ``score(y)``) with the same ones.

    Parameters
    ----------
    id_col, time_col, target_col : str, default="unique_id", "ds", "y"
        Column names of a long frame.
    missing : {"interpolate", "error"}, default="interpolate"
        How missing values and gaps are handled (see :func:`~gluts.data.to_panel`).
    freq : str or None, default=None
        Frequency of the data (a pandas offset alias); inferred when None.
    """

    id_col: str = "unique_id"
    time_col: str = "ds"
    target_col: str = "y"
    missing: MissingPolicy = "interpolate"
    freq: str | None = None

    def read(self, y, *, min_length: int = 1, owner: str = "gluts") -> Panel:
        """Read ``y`` (any accepted layout) into a :class:`~gluts.data.Panel`.

        Parameters
        ----------
        y : pandas.Series, pandas.DataFrame or numpy.ndarray
            The series.
        min_length : int, default=1
            Fewest observations a series may have.
        owner : str, default="gluts"
            Name used in error messages.

        Returns
        -------
        Panel
            The validated panel.
        """
        return to_panel(y, **self.as_dict(), min_length=min_length, owner=owner)

    def as_dict(self) -> dict:
        """Return the options as a plain dict (the model-file form).

        Returns
        -------
        dict
            ``id_col``, ``time_col``, ``target_col``, ``missing`` and ``freq``.
        """
        return asdict(self)
