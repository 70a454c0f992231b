"""Where and how the GLU forecaster runs torch: device choice and thread count."""

from __future__ import annotations

from contextlib import contextmanager

import torch

from gluts._threads import default_threads

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
    """Run the block with ``n_threads`` torch threads, then restore torch's setting.

    None means :func:`gluts._threads.default_threads`: ``$GLUTS_THREADS`` if set, else 1 in
    a worker process, else the CPUs available to the process, at most 8.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads or default_threads())
    try:
        yield
    finally:
        torch.set_num_threads(previous)
