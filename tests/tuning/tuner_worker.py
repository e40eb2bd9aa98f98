"""A whole KerasTuner-style search run as a worker process, for test_tuner_workers.py.

Every build writes a marker file `<trial number>-<pid>` (the trial number read from the live
Optuna trial behind `hp`), so the tests count which process trained which trial independently
of what the study records. `sleep` slows each epoch so a test can kill a worker mid-trial.
"""

import os
import time
from pathlib import Path

import numpy as np

import strata as keras
import strata.tuning as kt


class SlowEpochs(keras.callbacks.Callback):
    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    def on_epoch_end(self, epoch, logs=None):
        time.sleep(self.seconds)


def run_search(config):
    def build(hp):
        units = hp.Int("units", 2, 64)
        rate = hp.Float("learning_rate", 1e-3, 1e-1, sampling="log")
        Path(config["markers"], f"{hp.trial.number}-{os.getpid()}").write_text(f"{units} {rate}")
        model = keras.Sequential(
            [keras.Input((4,)), keras.layers.Dense(units, "relu"), keras.layers.Dense(2, "softmax")]
        )
        model.compile(
            keras.optimizers.Adam(rate), "sparse_categorical_crossentropy", metrics=["accuracy"]
        )
        return model

    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    tuner = kt.RandomSearch(
        build,
        objective="val_accuracy",
        max_trials=config["max_trials"],
        seed=config.get("seed"),
        directory=config["directory"],
        project_name="search",
        storage=config.get("storage"),
        study_name=config.get("study"),
        heartbeat_interval=config.get("heartbeat_interval", 30),
        grace_period=config.get("grace_period", 120),
        verbose=0,
    )
    tuner._worker.poll_interval = 0.1
    callbacks = [SlowEpochs(config["sleep"])] if config.get("sleep") else []
    tuner.search(x, y, epochs=2, batch_size=16, validation_split=0.25, callbacks=callbacks)
