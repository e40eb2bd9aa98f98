"""Child process of the BackupAndRestore tests: trains a small seeded model.

Usage: python backup_child.py MODE WORKDIR SEED
  reference  trains 6 epochs without interruption
  killable   trains with BackupAndRestore; in epoch 2, after batch 3, it writes WORKDIR/ready
             and waits (at most 120 s) for the parent to kill it
  resume     trains with BackupAndRestore (resuming the backup if one is there)
Each finished run writes WORKDIR/MODE.npz (weights) and WORKDIR/MODE.json (history, epochs run).
"""

import json
import os
import sys
import time

import numpy as np
import torch

import strata
from strata import layers

EPOCHS = 6


def main():
    mode, workdir, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    x = rng.random((96, 6)).astype("float32")
    y = (x[:, :3].sum(axis=1) > x[:, 3:].sum(axis=1)).astype("float32")
    strata.backend.set_random_seed(seed)
    model = strata.Sequential(
        [
            layers.Input((6,)),
            layers.Dense(16, activation="relu"),
            layers.Dropout(0.3),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["acc"])
    epochs_run = []
    callbacks = [
        strata.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: epochs_run.append(e)),
        strata.callbacks.EarlyStopping(monitor="val_loss", patience=50),
        strata.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1),
    ]
    if mode != "reference":
        callbacks.append(strata.callbacks.BackupAndRestore(os.path.join(workdir, "backup")))
    if mode == "killable":

        def wait_for_kill(batch, logs):
            if epochs_run[-1] == 2 and batch == 3:
                with open(os.path.join(workdir, "ready"), "w") as handle:
                    handle.write("ready")
                time.sleep(120)
                sys.exit("killable child was not killed")

        callbacks.append(strata.callbacks.LambdaCallback(on_train_batch_end=wait_for_kill))
    history = model.fit(
        x, y, epochs=EPOCHS, batch_size=16, validation_split=0.25, verbose=0, callbacks=callbacks
    )
    np.savez(os.path.join(workdir, f"{mode}.npz"), *model.get_weights())
    with open(os.path.join(workdir, f"{mode}.json"), "w") as handle:
        json.dump({"history": history.history, "epochs_run": epochs_run}, handle)


if __name__ == "__main__":
    main()
