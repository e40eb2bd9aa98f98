"""Run under `torchrun --nproc_per_node=2 --max-restarts=1`: BackupAndRestore across a crash.

Usage: restart_checks.py OUT KILL_EPOCH [KILL_RANK]. With KILL_EPOCH >= 0, process KILL_RANK
(default 1) of the first attempt kills itself with SIGKILL in the middle of that epoch; torchrun
restarts the job, which resumes from the last backup (or starts again when the kill came before
the first one). Process 0 saves the final weights to OUT/final.npy.
"""

import os
import signal
import sys

import numpy as np

import strata
from strata import layers
from strata.distribution import DataParallel, process_index, set_distribution

out, kill_epoch = sys.argv[1], int(sys.argv[2])
kill_rank = int(sys.argv[3]) if len(sys.argv) > 3 else 1
set_distribution(DataParallel())
attempt = int(os.environ.get("TORCHELASTIC_RESTART_COUNT", "0"))
print(f"attempt {attempt} rank {process_index()}", flush=True)

rng = np.random.default_rng(0)
x = rng.normal(size=(512, 8)).astype("float32")
y = np.eye(4, dtype="float32")[rng.integers(0, 4, 512)]
strata.set_random_seed(21)
model = strata.Sequential(
    [strata.Input((8,)), layers.Dense(32, activation="relu"), layers.Dense(4, activation="softmax")]
)
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])


class KillMidEpoch(strata.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        here = process_index() == kill_rank and self.engine.epoch == kill_epoch
        if attempt == 0 and here and batch == 3:
            print(f"killing rank {kill_rank} in epoch {kill_epoch}", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)


backup = strata.callbacks.BackupAndRestore(os.path.join(out, "backup"))
history = model.fit(x, y, batch_size=64, epochs=5, verbose=0, callbacks=[KillMidEpoch(), backup])
assert len(history.history["loss"]) == 5, history.history
if process_index() == 0:
    np.save(
        os.path.join(out, "final.npy"), np.concatenate([w.ravel() for w in model.get_weights()])
    )
print(f"finished rank {process_index()} attempt {attempt}", flush=True)
