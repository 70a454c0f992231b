"""Pickling and saving of the GLU forecaster's network (weights as a state dict, no modules)."""

from __future__ import annotations

from sklearn.utils.validation import check_is_fitted

from gluts.nn import GLUNetwork

__all__ = ["NetworkPersistenceMixin"]


class NetworkPersistenceMixin:
    """Pickle ``network_`` as its spec (``spec_``) and state dict; save without pickle."""

    def __getstate__(self) -> dict:
        """Pickle the network as its spec and state dict (weight-normed modules need this)."""
        state = self.__dict__.copy()
        network = state.pop("network_", None)
        if network is not None:
            state["_network_state"] = network.state_dict()
        return state

    def __setstate__(self, state: dict) -> None:
        weights = state.pop("_network_state", None)
        self.__dict__.update(state)
        if weights is not None:
            self.network_ = GLUNetwork(self.spec_)
            self.network_.load_state_dict(weights)
            self.network_.eval()

    def save(self, path) -> None:
        """Save the fitted forecaster as JSON metadata plus weights (no pickle).

        Parameters
        ----------
        path : str or pathlib.Path
            File to write; read it back with :func:`gluts.load`.
        """
        from gluts.forecasting.glu.persistence import save

        check_is_fitted(self, "network_")
        save(self, path)
