"""Assertions shared by the CLI tests."""

from __future__ import annotations

import numpy as np


def flat(text: str) -> str:
    """Collapse rich's box drawing and line wrapping, for matching messages."""
    return " ".join(text.replace("│", " ").split())


def assert_png(path, min_side: int = 200) -> None:
    """Open ``path`` as an image and check that it is large and not blank."""
    from PIL import Image

    with Image.open(path) as image:
        assert image.format == "PNG"
        assert min(image.size) >= min_side
        pixels = np.asarray(image.convert("L"), dtype=float)
    assert pixels.std() > 5, "the image is blank"
    assert (pixels < 128).mean() > 0.001, "nothing is drawn"
