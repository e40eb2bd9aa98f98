"""Callbacks: hooks called by `fit`, `evaluate` and `predict`."""

from strata.callbacks.activation_stats import ActivationStats
from strata.callbacks.backup_and_restore import BackupAndRestore
from strata.callbacks.callback import Callback
from strata.callbacks.callback_list import CallbackList
from strata.callbacks.csv_logger import CSVLogger
from strata.callbacks.early_stopping import EarlyStopping
from strata.callbacks.gradient_monitor import GradientMonitor, TrainingHealthWarning
from strata.callbacks.gradual_unfreezing import GradualUnfreezing
from strata.callbacks.history import History
from strata.callbacks.lambda_callback import LambdaCallback
from strata.callbacks.learning_rate_scheduler import LearningRateScheduler
from strata.callbacks.model_checkpoint import ModelCheckpoint
from strata.callbacks.progbar_logger import ProgbarLogger
from strata.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from strata.callbacks.remote_monitor import RemoteMonitor
from strata.callbacks.swap_ema_weights import SwapEMAWeights
from strata.callbacks.tensorboard import TensorBoard
from strata.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = [
    "ActivationStats",
    "BackupAndRestore",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "GradientMonitor",
    "GradualUnfreezing",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "RemoteMonitor",
    "SwapEMAWeights",
    "TensorBoard",
    "TerminateOnNaN",
    "TrainingHealthWarning",
]
