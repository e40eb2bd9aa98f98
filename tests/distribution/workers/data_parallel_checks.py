"""Run under `torchrun --nproc_per_node=2` (or 2 nodes of 1): data-parallel training checks.

Each check computes its one-process reference in this same process (distribution switched off)
and compares the data-parallel result with it; every process asserts, and prints
`CHECK <name> OK rank=<r>` when a check passes. Any failure ends the job with an error.
"""

import os
import sys

import numpy as np
import torch
import torch.distributed as dist

import strata
from strata import layers
from strata.distribution import DataParallel, distribution, set_distribution

OUT = sys.argv[1]
CHECKS = sys.argv[2].split(",") if len(sys.argv) > 2 else ["all"]
set_distribution(DataParallel())
RANK, WORLD = dist.get_rank(), dist.get_world_size()
assert WORLD == 2, WORLD
ACTIVE = distribution()


def wanted(name):
    return "all" in CHECKS or name in CHECKS


def passed(name):
    print(f"CHECK {name} OK rank={RANK}", flush=True)


def one_process(run):
    """`run()` with the distribution switched off (the one-process reference)."""
    set_distribution(None)
    try:
        return run()
    finally:
        set_distribution(ACTIVE)


def gathered(value):
    """The value (a float or flat array) of every process, in rank order."""
    tensor = torch.as_tensor(np.asarray(value, dtype=np.float64)).reshape(-1)
    parts = [torch.empty_like(tensor) for _ in range(WORLD)]
    dist.all_gather(parts, tensor)
    return [p.numpy() for p in parts]


def flat_weights(model):
    return np.concatenate([w.reshape(-1) for w in model.get_weights()])


class SameWeightsEverywhere(strata.callbacks.Callback):
    """Asserts after every epoch that every process holds the same weights."""

    def on_epoch_end(self, epoch, logs=None):
        mine, *others = gathered(flat_weights(self.model))
        for other in others:
            np.testing.assert_array_equal(mine, other)
        self.checked = getattr(self, "checked", 0) + 1


def data(rows, width=6, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, width)).astype("float32")
    y = rng.integers(0, classes, rows)
    return x, np.eye(classes, dtype="float32")[y]


def mlp(seed, width=6, synchronized_bn=False):
    strata.set_random_seed(seed)
    inputs = strata.Input((width,))
    hidden = layers.Dense(16, activation="relu")(inputs)
    if synchronized_bn:
        hidden = layers.BatchNormalization(synchronized=True)(hidden)
    model = strata.Model(inputs, layers.Dense(3, activation="softmax")(hidden))
    model.compile(
        optimizer=strata.optimizers.SGD(0.1), loss="categorical_crossentropy", metrics=["accuracy"]
    )
    return model


# --- 1. Same weights as one process, same global batch; exact metrics over 1,001 rows. --------
if wanted("equivalence"):
    x, y = data(1001)
    x_val, y_val = data(1001, seed=1)

    def train(seed_model):
        model = mlp(3)
        history = model.fit(
            x,
            y,
            batch_size=64,
            epochs=3,
            shuffle=False,
            verbose=0,
            validation_data=(x_val, y_val),
            callbacks=seed_model,
        )
        return model, history.history

    reference, ref_history = one_process(lambda: train([]))
    same = SameWeightsEverywhere()
    model, history = train([same])
    assert same.checked == 3
    np.testing.assert_allclose(flat_weights(model), flat_weights(reference), rtol=1e-5, atol=1e-6)
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_allclose(history[key], ref_history[key], rtol=1e-5, atol=1e-6)
    evaluated = model.evaluate(x_val, y_val, batch_size=100, verbose=0, return_dict=True)
    expected = one_process(lambda: model.evaluate(x_val, y_val, verbose=0, return_dict=True))
    assert evaluated["accuracy"] == expected["accuracy"], (evaluated, expected)
    correct = np.argmax(model.predict(x_val, verbose=0), -1) == np.argmax(y_val, -1)
    assert evaluated["accuracy"] == np.float32(correct.sum() / 1001), evaluated
    for value in gathered([evaluated["accuracy"], evaluated["loss"]]):
        np.testing.assert_array_equal(
            value, gathered([evaluated["accuracy"], evaluated["loss"]])[0]
        )
    passed("equivalence")

# --- 2. Shuffling: each epoch every row once over the processes, a new order each epoch. ------
if wanted("shuffle"):
    rows = 96
    x = np.arange(rows, dtype="float32").reshape(rows, 1).repeat(6, axis=1)
    _, y = data(rows)
    model = mlp(5)
    seen = []

    class RowsSeen(strata.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.engine.add_input_observer(lambda xs: seen.append(xs[0][:, 0].clone()))

    model.fit(
        x,
        y,
        batch_size=32,
        epochs=3,
        shuffle=True,
        verbose=0,
        callbacks=[RowsSeen(), SameWeightsEverywhere()],
    )
    assert len(seen) == 9 and all(len(s) == 16 for s in seen)  # 3 steps x 16 rows per epoch
    orders = []
    for epoch in range(3):
        mine = torch.cat(seen[epoch * 3 : epoch * 3 + 3]).numpy()
        everyone = np.concatenate(gathered(mine))
        assert sorted(everyone.tolist()) == list(range(rows)), "each row once per epoch"
        orders.append(everyone)
    assert not np.array_equal(orders[0], orders[1]) and not np.array_equal(orders[1], orders[2])
    passed("shuffle")

# --- 3. Callbacks: side effects on process 0 only; decisions the same everywhere. -------------
if wanted("callbacks"):
    x, y = data(256)
    x_val, y_val = data(64, seed=2)
    model = mlp(7)
    csv_path, checkpoint_path = os.path.join(OUT, "log.csv"), os.path.join(OUT, "best.keras")
    csv = strata.callbacks.CSVLogger(csv_path)
    checkpoint = strata.callbacks.ModelCheckpoint(checkpoint_path, save_best_only=True)

    class StopAtEpochTwoOnRankOne(strata.callbacks.Callback):
        """Asks to stop on one process only, mid-epoch: every process must stop with it."""

        def on_train_batch_end(self, batch, logs=None):
            if RANK == 1 and self.engine.epoch == 2 and batch == 1:
                self.model.stop_training = True

    early = strata.callbacks.EarlyStopping(monitor="val_loss", patience=100)
    history = model.fit(
        x,
        y,
        batch_size=32,
        epochs=6,
        verbose=0,
        validation_data=(x_val, y_val),
        callbacks=[csv, checkpoint, early, StopAtEpochTwoOnRankOne(), SameWeightsEverywhere()],
    )
    assert len(history.history["loss"]) == 3, history.history
    assert gathered(len(history.history["loss"]))[0] == gathered(len(history.history["loss"]))[1]
    assert (csv.model is not None) == (RANK == 0)  # process 1 never ran the CSV logger
    dist.barrier()
    if RANK == 0:
        assert os.path.exists(checkpoint_path)
        with open(csv_path) as handle:
            assert len(handle.read().strip().splitlines()) == 1 + 3
    passed("callbacks")

# --- 4. Frozen and unused layers; changing `trainable` between fits. --------------------------
if wanted("frozen"):
    x, y = data(128)
    strata.set_random_seed(11)
    inputs = strata.Input((6,))
    frozen = layers.Dense(8, activation="relu", name="frozen")
    side = layers.Dense(2, name="side")  # its output has no loss: unused by every step
    trunk = frozen(inputs)
    model = strata.Model(
        inputs, [layers.Dense(3, activation="softmax", name="main")(trunk), side(trunk)]
    )
    model.compile(optimizer="sgd", loss=["categorical_crossentropy", None])
    frozen.trainable = False
    before = frozen.get_weights()[0].copy()
    model.fit(
        x,
        [y, np.zeros((128, 2), "float32")],
        batch_size=32,
        epochs=2,
        verbose=0,
        callbacks=[SameWeightsEverywhere()],
    )
    np.testing.assert_array_equal(frozen.get_weights()[0], before)
    frozen.trainable = True
    model.fit(
        x,
        [y, np.zeros((128, 2), "float32")],
        batch_size=32,
        epochs=1,
        verbose=0,
        callbacks=[SameWeightsEverywhere()],
    )
    assert not np.array_equal(frozen.get_weights()[0], before)

    # Unfrozen in the middle of a fit (a new DDP wrapper), at a smaller rate: as one process.
    def unfreezing_run(checks):
        model = mlp(5)
        model.layers[1].trainable = False
        schedule = strata.callbacks.GradualUnfreezing({1: 1}, lr_multiplier=0.5)
        callbacks = [schedule, *checks]
        model.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0, callbacks=callbacks)
        return model

    reference = one_process(lambda: unfreezing_run([]))
    model = unfreezing_run([SameWeightsEverywhere()])
    np.testing.assert_allclose(flat_weights(model), flat_weights(reference), rtol=1e-5, atol=1e-6)
    assert not np.array_equal(model.layers[1].get_weights()[0], mlp(5).layers[1].get_weights()[0])
    passed("frozen")

# --- 5. Synchronized batch normalization: statistics over the global batch. -------------------
if wanted("syncbn"):
    x, y = data(256)

    def train_bn():
        model = mlp(13, synchronized_bn=True)
        model.fit(x, y, batch_size=64, epochs=2, shuffle=False, verbose=0)
        return model

    reference = one_process(train_bn)
    model = train_bn()
    np.testing.assert_allclose(flat_weights(model), flat_weights(reference), rtol=1e-4, atol=1e-5)
    passed("syncbn")

# --- 6. Datasets are sharded; generators are refused with what to do; predict is whole. -------
if wanted("inputs"):
    x, y = data(200)
    dataset = torch.utils.data.TensorDataset(torch.as_tensor(x), torch.as_tensor(y))
    model = mlp(17)
    model.fit(dataset, batch_size=40, epochs=2, verbose=0, callbacks=[SameWeightsEverywhere()])
    from_dataset = model.evaluate(dataset, batch_size=50, verbose=0, return_dict=True)
    from_arrays = one_process(lambda: model.evaluate(x, y, verbose=0, return_dict=True))
    assert from_dataset["accuracy"] == from_arrays["accuracy"]

    def batches():
        while True:
            yield x[:20], y[:20]

    try:
        model.fit(batches(), steps_per_epoch=2, verbose=0)
    except ValueError as error:
        assert "DistributedSampler" in str(error), error
    else:
        raise AssertionError("a generator was accepted in a data-parallel run")
    assert model.predict(x, verbose=0).shape == (200, 3)
    passed("inputs")

# --- 7. A custom train_step with its own forward pass: gradients averaged before the update. --
if wanted("custom_step"):
    x, y = data(256)

    class OwnStep(strata.Sequential):
        def train_step(self, data):
            inputs, targets = data
            predictions = self(torch.as_tensor(inputs), training=True)
            log_probabilities = predictions.clamp_min(1e-7).log()
            loss = -(torch.as_tensor(targets) * log_probabilities).sum(-1).mean()
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
            return {"loss": loss.detach()}

    def train_own():
        strata.set_random_seed(19)
        model = OwnStep(
            [
                strata.Input((6,)),
                layers.Dense(8, activation="relu"),
                layers.Dense(3, activation="softmax"),
            ]
        )
        model.compile(optimizer=strata.optimizers.SGD(0.1), loss="categorical_crossentropy")
        model.fit(
            x,
            y,
            batch_size=64,
            epochs=2,
            shuffle=False,
            verbose=0,
            callbacks=[SameWeightsEverywhere()],
        )
        return model

    reference = one_process(train_own)
    model = train_own()
    np.testing.assert_allclose(flat_weights(model), flat_weights(reference), rtol=1e-5, atol=1e-6)
    assert model.optimizer.gradient_reducer is None  # released when fit ended
    passed("custom_step")

with open(os.path.join(OUT, f"done-{RANK}"), "w") as handle:
    handle.write("ok")
