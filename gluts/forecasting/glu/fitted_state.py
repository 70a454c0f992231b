"""A fitted GLUForecaster's attributes as the :class:`~.persistence.ModelState` of a model file,
and a fitted forecaster from one (see :mod:`gluts.forecasting.glu.persistence`)."""

from __future__ import annotations

import torch

from gluts.forecasting.glu.persistence import ModelState, restore_network

__all__ = ["restored", "state_of"]


def state_of(model) -> ModelState:
    """The fitted state of the GLUForecaster ``model``, as a model file holds it."""
    panel, fingerprint = getattr(model, "_loaded_from", None) or (None, None)
    weights = model.network_.state_dict()
    return ModelState(
        params=model.get_params(),
        spec=model.spec_,
        weights={name: w.detach().cpu().numpy() for name, w in weights.items()},
        season_length=model.season_length_,
        log_transform=model.log_transform_,
        calendar=model.calendar_,
        covariates=model._covariates(),
        read_options=model.read_options_,
        history=model.history_,
        fingerprint=fingerprint if panel is model.history_ else None,
        selection=model.selection_,
        seasonal_adjustment=model.seasonal_adjustment_,
        seasonal_indices=model.seasonal_indices_,
    )


def restored(cls, state: ModelState):
    """A fitted ``cls`` (GLUForecaster) from the state of a model file, predicting on the CPU."""
    params = dict(state.params)
    if params.get("device") == "cuda" and not torch.cuda.is_available():
        params["device"] = "cpu"  # trained on a GPU, predicting on a machine without one
    model, network = cls(**params), restore_network(state.spec, state.weights)
    model.network_, model.spec_, model.calendar_ = network, state.spec, state.calendar
    model.season_length_, model.log_transform_ = state.season_length, state.log_transform
    model.selection_, model.seasonal_adjustment_ = state.selection, state.seasonal_adjustment
    model.seasonal_indices_ = state.seasonal_indices
    model._set_covariates(state.covariates)
    model.read_options_, model.history_ = state.read_options, state.history
    model.series_ids_, model.n_series_ = list(state.history.ids), len(state.history)
    model._loaded_from = (state.history, state.fingerprint)  # keeps the file's fingerprint
    model._fit_params = model._fitted_params()
    return model
