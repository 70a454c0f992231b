"""parse_time_column: one reading of text timestamps, and the error naming the bad value."""

from __future__ import annotations

import pandas as pd
import pytest

from gluts.data import parse_time_column
from gluts.exceptions import DataError


def test_one_format_is_chosen_for_the_whole_column():
    parsed = parse_time_column(pd.Series(["13/01/2024", "01/02/2024"]), "ds")
    assert parsed.tolist() == [pd.Timestamp("2024-01-13"), pd.Timestamp("2024-02-01")]


@pytest.mark.parametrize(
    ("source", "match"),
    [
        (None, r"^Column 'ds' holds a value that is not a time: 'later'\.$"),
        ("sales.csv", r"^sales.csv: column 'ds' holds a value that is not a time: 'later'\.$"),
    ],
)
def test_the_first_value_that_is_not_a_time_is_named(source, match):
    with pytest.raises(DataError, match=match):
        parse_time_column(pd.Series(["2024-01-01", "later", "never"]), "ds", source=source)
