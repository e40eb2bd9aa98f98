"""One seed for every source of randomness a run uses."""

import random

import numpy as np
import torch


def set_random_seed(seed: int) -> None:
    """Seed Python's `random`, NumPy and torch (all devices) with one integer.

    After this, the same model built and fitted the same way gives the same result on the CPU.
    """
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError(f"set_random_seed expected an integer seed; received {seed!r}.")
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)
