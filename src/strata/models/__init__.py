"""Models: Model (functional or subclassed), Sequential, cloning and loading."""

from strata.models.functional import Functional
from strata.models.model import Model
from strata.models.sequential import Sequential

__all__ = ["Functional", "Model", "Sequential"]
