"""strata: Keras 3's API on a PyTorch engine."""

__version__ = "0.1.0"

from strata import backend  # noqa: E402
