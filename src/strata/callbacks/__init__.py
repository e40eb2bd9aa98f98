"""Callbacks: hooks called by `fit`, `evaluate` and `predict`."""

from strata.callbacks.activation_stats import ActivationStats
from strata.callbacks.callback import Callback
from strata.callbacks.callback_list import CallbackList
from strata.callbacks.gradient_monitor import GradientMonitor, TrainingHealthWarning
from strata.callbacks.history import History
from strata.callbacks.progbar_logger import ProgbarLogger

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger"]
__all__ += ["ActivationStats", "GradientMonitor", "TrainingHealthWarning"]
