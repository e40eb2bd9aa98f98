"""CSVLogger, TerminateOnNaN, LambdaCallback and LearningRateScheduler in real fits."""

import csv
import math

import numpy as np
import pytest
from callback_helpers import binary_data, binary_model

import strata
from strata.callbacks import CSVLogger, LambdaCallback, LearningRateScheduler, TerminateOnNaN


def _rows(path):
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


def test_csv_logger_writes_a_header_and_one_row_per_epoch(tmp_path):
    x, y = binary_data()
    model = binary_model()
    path = tmp_path / "training.log"
    history = model.fit(
        x, y, epochs=3, verbose=0, validation_split=0.25, callbacks=[CSVLogger(path)]
    )
    rows = _rows(path)
    assert rows[0] == ["epoch", "acc", "loss", "val_acc", "val_loss"]
    assert [row[0] for row in rows[1:]] == ["0", "1", "2"]
    assert [float(row[2]) for row in rows[1:]] == history.history["loss"]
    assert path.read_text().endswith("\n")


def test_csv_logger_appends_under_the_existing_header(tmp_path):
    x, y = binary_data()
    model = binary_model()
    path = tmp_path / "training.log"
    model.fit(x, y, epochs=2, verbose=0, callbacks=[CSVLogger(path, separator=";")])
    model.fit(x, y, epochs=2, verbose=0, callbacks=[CSVLogger(path, separator=";", append=True)])
    rows = [line.split(";") for line in path.read_text().splitlines()]
    assert rows[0] == ["epoch", "acc", "loss"]
    assert [row[0] for row in rows[1:]] == ["0", "1", "0", "1"]
    # Without append, the file starts again.
    model.fit(x, y, epochs=1, verbose=0, callbacks=[CSVLogger(path, separator=";")])
    assert len(path.read_text().splitlines()) == 2


def test_csv_logger_never_leaves_a_partial_file(tmp_path, monkeypatch):
    x, y = binary_data()
    model = binary_model()
    path = tmp_path / "training.log"
    model.fit(x, y, epochs=1, verbose=0, callbacks=[CSVLogger(path)])
    before = path.read_text()

    import strata.utils.file_io as file_io

    def failing_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(file_io.os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="disk full"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[CSVLogger(path, append=True)])
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["training.log"]


def test_terminate_on_nan_stops_at_the_first_bad_batch():
    x, y = binary_data(n=64)
    x[40] = np.nan  # the 3rd batch of 16 (no shuffling)
    model = binary_model()
    seen = []
    record = LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(batch))
    with pytest.warns(UserWarning):  # strata warns about non-finite inputs before training
        history = model.fit(
            x,
            y,
            epochs=3,
            batch_size=16,
            shuffle=False,
            verbose=0,
            callbacks=[TerminateOnNaN(), record],
        )
    assert seen == [0, 1, 2]
    assert len(history.history["loss"]) == 1 and math.isnan(history.history["loss"][0])


def test_lambda_callback_calls_each_given_hook():
    x, y = binary_data(n=32)
    model = binary_model()
    calls = []
    callback = LambdaCallback(
        on_train_begin=lambda logs: calls.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: calls.append(f"epoch_begin {epoch}"),
        on_train_batch_begin=lambda batch, logs: calls.append(f"batch_begin {batch}"),
        on_train_batch_end=lambda batch, logs: calls.append(f"batch_end {batch} {'loss' in logs}"),
        on_epoch_end=lambda epoch, logs: calls.append(f"epoch_end {epoch} {sorted(logs)}"),
        on_train_end=lambda logs: calls.append("train_end"),
        on_test_begin=lambda logs: calls.append("test_begin"),
    )
    model.fit(
        x, y, epochs=2, batch_size=16, verbose=0, validation_data=(x, y), callbacks=[callback]
    )
    epoch = ["batch_begin 0", "batch_end 0 True", "batch_begin 1", "batch_end 1 True"]
    logs = "['acc', 'loss', 'val_acc', 'val_loss']"
    assert calls == (
        ["train_begin", "epoch_begin 0", *epoch, "test_begin", f"epoch_end 0 {logs}"]
        + ["epoch_begin 1", *epoch, "test_begin", f"epoch_end 1 {logs}", "train_end"]
    )


def test_lambda_callback_legacy_batch_names_and_errors():
    x, y = binary_data(n=32)
    model = binary_model()
    batches = []
    callback = LambdaCallback(on_batch_end=lambda batch, logs: batches.append(batch))
    model.fit(x, y, epochs=1, batch_size=8, verbose=0, callbacks=[callback])
    assert batches == [0, 1, 2, 3]
    with pytest.raises(TypeError, match="hook names"):
        LambdaCallback(on_epoch_finish=print)
    with pytest.raises(TypeError, match="callable"):
        LambdaCallback(on_epoch_end=3)


def test_learning_rate_scheduler_sets_the_rate_each_epoch():
    x, y = binary_data(n=32)
    model = binary_model(optimizer=strata.optimizers.SGD(learning_rate=0.1))
    seen = []

    def schedule(epoch, lr):
        seen.append((epoch, lr))
        return lr if epoch < 2 else lr * 0.5

    history = model.fit(
        x, y, epochs=4, verbose=0, callbacks=[LearningRateScheduler(schedule, verbose=0)]
    )
    assert seen == [(0, 0.1), (1, 0.1), (2, 0.1), (3, 0.05)]
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.1, 0.05, 0.025])
    assert model.optimizer.learning_rate == pytest.approx(0.025)
    assert model.optimizer.torch_optimizer.param_groups[0]["lr"] == pytest.approx(0.025)


def test_learning_rate_scheduler_accepts_epoch_only_and_rejects_non_numbers():
    x, y = binary_data(n=16)
    model = binary_model(optimizer=strata.optimizers.SGD(learning_rate=0.1))
    model.fit(
        x, y, epochs=2, verbose=0, callbacks=[LearningRateScheduler(lambda e: 0.01 * (e + 1))]
    )
    assert model.optimizer.learning_rate == pytest.approx(0.02)
    with pytest.raises(ValueError, match="return a float"):
        model.fit(x, y, epochs=1, verbose=0, callbacks=[LearningRateScheduler(lambda e, lr: "x")])
