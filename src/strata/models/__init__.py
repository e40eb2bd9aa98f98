"""Models: Model (functional or subclassed), Sequential, cloning and loading."""

from strata.models.cloning import clone_model
from strata.models.functional import Functional
from strata.models.model import Model
from strata.models.sequential import Sequential
from strata.saving.saving_lib import load_model

__all__ = ["Functional", "Model", "Sequential", "clone_model", "load_model"]
