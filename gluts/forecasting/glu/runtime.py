"""Where and how the GLU forecaster runs torch: device choice and thread count."""

from __future__ import annotations

from contextlib import contextmanager

import torch

__all__ = ["device_for", "torch_threads"]


def device_for(name: str) -> torch.device:
    """The torch device for ``"cpu"``, ``"cuda"`` or ``"auto"`` (CUDA when available)."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' was requested but torch sees no CUDA device.")
    return torch.device(name)


@contextmanager
def torch_threads(n_threads: int | None):
    """Run the block with ``n_threads`` torch threads (None: unchanged), then restore."""
    previous = torch.get_num_threads()
    if n_threads:
        torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
