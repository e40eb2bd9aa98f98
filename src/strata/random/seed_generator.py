"""`SeedGenerator`: a saveable, advancing source of seeds for the `strata.random` draws.

Its state is two integers, `(seed, counter)`, as in Keras: each `next()` returns the current
pair and advances the counter, so a fresh generator with the same seed replays the same
sequence of draws, and saving the state (`get_state`/`set_state`, `state_dict`) resumes it
exactly. Each pair becomes a `torch.Generator` seeded from a 64-bit mix of the two numbers.

Seeds in the draw functions follow Keras's rules:
- an integer: the same values at every call (a stateless draw);
- a `SeedGenerator`: a new seed at every call, reproducible from the generator's seed;
- None: torch's global generator, which `strata.backend.set_random_seed` seeds.
"""

from __future__ import annotations

import random as _py_random

import torch

from strata.backend.config import tensor_device as _default_device

__all__ = ["SeedGenerator"]

_MASK64 = (1 << 64) - 1


def _check_seed(seed, who):
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise ValueError(f"{who} expected an integer seed or None; received seed={seed!r}.")
    return seed


def mix(seed: int, counter: int) -> int:
    """A 63-bit torch seed from `(seed, counter)` (SplitMix64 finalizer, so that nearby pairs
    give unrelated streams)."""
    z = (seed * 0x9E3779B97F4A7C15 + counter + 0x632BE59BD9B4E019) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return (z ^ (z >> 31)) & ((1 << 63) - 1)


def torch_generator(pair, device) -> torch.Generator:
    """A `torch.Generator` on `device` seeded from a `(seed, counter)` pair."""
    device = torch.device(device)
    generator = torch.Generator(device=device)
    generator.manual_seed(mix(int(pair[0]), int(pair[1])))
    return generator


class SeedGenerator:
    """Generates the seeds of successive random draws; its state is saveable.

    Args:
        seed: initial integer seed; None draws one from Python's `random` (which
            `strata.backend.set_random_seed` seeds), so runs stay reproducible.
        name: a name for the generator (Keras's default: `"seed_generator"`).

    Example:
        >>> import strata
        >>> gen = strata.random.SeedGenerator(42)
        >>> a = strata.random.uniform((2,), seed=gen)
        >>> b = strata.random.uniform((2,), seed=gen)
        >>> bool((a != b).all())
        True
        >>> again = strata.random.SeedGenerator(42)
        >>> bool((strata.random.uniform((2,), seed=again) == a).all())
        True
    """

    def __init__(self, seed=None, name=None, **kwargs):
        kwargs.pop("backend", None)  # Keras's choice of backend: strata has one.
        if kwargs:
            raise ValueError(f"SeedGenerator got unexpected keyword arguments {sorted(kwargs)}.")
        _check_seed(seed, "SeedGenerator")
        self._initial_seed = _py_random.randint(1, 10**9) if seed is None else seed
        self.name = name or "seed_generator"
        self._counter = 0

    @property
    def state(self) -> torch.Tensor:
        """The current `(seed, counter)` pair as an int64 tensor."""
        return torch.tensor([self._initial_seed, self._counter], dtype=torch.int64)

    def next(self, ordered=True):
        """The current `(seed, counter)` pair; advances the counter."""
        pair = (self._initial_seed, self._counter)
        self._counter += 1
        return pair

    def generator(self, device=None) -> torch.Generator:
        """A `torch.Generator` for the next draw on `device` (default: the model device)."""
        return torch_generator(self.next(), device or _default_device())

    def get_state(self) -> list:
        """`[seed, counter]`: what `set_state` needs to resume the sequence."""
        return [self._initial_seed, self._counter]

    def set_state(self, state) -> None:
        seed, counter = (int(v) for v in state)
        self._initial_seed, self._counter = seed, counter

    def state_dict(self) -> dict:
        """The state for checkpoints (`torch.save`-friendly)."""
        return {"state": self.state}

    def load_state_dict(self, state_dict) -> None:
        self.set_state(state_dict["state"].tolist())

    def get_config(self) -> dict:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self) -> str:
        return f"<SeedGenerator name={self.name!r} state={self.get_state()}>"


def generator_for(seed, device) -> torch.Generator | None:
    """The `torch.Generator` of one draw under Keras's seed rules (None: torch's global one)."""
    if seed is None:
        return None
    if isinstance(seed, SeedGenerator):
        return seed.generator(device)
    if isinstance(seed, torch.Tensor) and seed.numel() == 2:
        return torch_generator(seed.tolist(), device)
    if isinstance(seed, (tuple, list)) and len(seed) == 2:
        return torch_generator(seed, device)
    _check_seed(seed, "strata.random")
    return torch_generator((seed, 0), device)
