"""Random draws for layers with a `seed` argument."""

from __future__ import annotations

import torch


def check_seed(seed, who: str):
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise ValueError(f"{who} expected an integer `seed` or None; received seed={seed!r}.")
    return seed


class SeedStream:
    """A layer's source of randomness.

    With an integer seed, a `torch.Generator` per device seeded with it: a fresh layer with the
    same seed draws the same sequence, and successive calls draw different values (as Keras's
    seeded layers do). With `seed=None`, torch's global generator (which
    `strata.backend.set_random_seed` seeds).
    """

    def __init__(self, seed):
        self.seed = seed
        self._generators = {}

    def generator(self, device) -> torch.Generator | None:
        if self.seed is None:
            return None
        device = torch.device(device)
        key = str(device)
        if key not in self._generators:
            generator = torch.Generator(device=device)
            generator.manual_seed(self.seed)
            self._generators[key] = generator
        return self._generators[key]

    def uniform(self, shape, like: torch.Tensor) -> torch.Tensor:
        """Uniform [0, 1) values of `shape` with `like`'s dtype and device."""
        return torch.rand(
            shape, generator=self.generator(like.device), dtype=like.dtype, device=like.device
        )

    def normal(self, shape, like: torch.Tensor, mean=0.0, stddev=1.0) -> torch.Tensor:
        values = torch.empty(shape, dtype=like.dtype, device=like.device)
        return values.normal_(mean, stddev, generator=self.generator(like.device))

    def __deepcopy__(self, memo):
        # Generators are not copyable; a copy restarts the sequence from the seed.
        return SeedStream(self.seed)


def check_rate(rate, who: str, allow_one: bool = True) -> float:
    """A dropout rate in [0, 1] (or [0, 1) where a rate of 1 has no meaning)."""
    try:
        value = float(rate)
    except (TypeError, ValueError):
        value = float("nan")
    if not (0.0 <= value <= 1.0) or (value == 1.0 and not allow_one):
        expected = "[0, 1]" if allow_one else "[0, 1)"
        raise ValueError(f"{who} expected `rate` in {expected}; received rate={rate!r}.")
    return value
