"""Models: Model (functional or subclassed), Sequential, cloning, saving and loading."""

from strata.models.cloning import clone_model
from strata.models.functional import Functional
from strata.models.model import Model
from strata.models.sequential import Sequential
from strata.models.serialization import model_from_json
from strata.models.truncate import truncate
from strata.models.wide_and_deep import wide_and_deep
from strata.saving.saving_lib import load_model, save_model

__all__ = [
    "Functional",
    "Model",
    "Sequential",
    "clone_model",
    "load_model",
    "model_from_json",
    "save_model",
    "truncate",
    "wide_and_deep",
]
