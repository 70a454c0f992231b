"""The CLI's estimator registry: names, and options passed only where a constructor takes them."""

from __future__ import annotations

import pytest
import typer

from gluts import SeasonalNaiveForecaster
from gluts._cli.registry import MODELS, build, parse_names


def test_build_passes_only_the_constructor_parameters_that_are_set():
    model = build("snaive", MODELS, season_length=7, alias=None, context_length=48, horizon=3)
    assert isinstance(model, SeasonalNaiveForecaster)
    assert model.get_params() == SeasonalNaiveForecaster(season_length=7).get_params()


def test_parse_names_lowercases_and_drops_duplicates():
    assert parse_names("SNaive, naive,snaive", MODELS, "--models") == ["snaive", "naive"]
    with pytest.raises(typer.BadParameter, match="unknown name 'nope'"):
        parse_names("snaive,nope", MODELS, "--models")
