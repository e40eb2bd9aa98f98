"""A recording callback pins the exact hook order of fit, evaluate and predict."""

import numpy as np
import pytest

import strata as keras
from strata import Input, layers
from strata.callbacks import Callback
from strata.models import Model

_HOOKS = (
    "on_train_begin",
    "on_train_end",
    "on_epoch_begin",
    "on_epoch_end",
    "on_test_begin",
    "on_test_end",
    "on_predict_begin",
    "on_predict_end",
    "on_test_batch_begin",
    "on_test_batch_end",
    "on_predict_batch_begin",
    "on_predict_batch_end",
)


class Recorder(Callback):
    """Records every hook call; the train batch hooks defer to the legacy names as the base does."""

    def __init__(self):
        super().__init__()
        self.calls = []
        self.seen = {}

    def on_train_batch_begin(self, batch, logs=None):
        self.calls.append(("on_train_batch_begin", batch))
        super().on_train_batch_begin(batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("on_train_batch_end", batch))
        super().on_train_batch_end(batch, logs)

    def on_batch_begin(self, batch, logs=None):
        self.calls.append(("on_batch_begin", batch))

    def on_batch_end(self, batch, logs=None):
        self.calls.append(("on_batch_end", batch))


def _recording(name):
    def hook(self, *args, **kwargs):
        self.calls.append((name, *[a for a in args if isinstance(a, int)]))

    return hook


for _name in _HOOKS:
    setattr(Recorder, _name, _recording(_name))


class LegacyOnly(Callback):
    """Overrides only Keras 2's on_batch_begin/end: fit must still reach them."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def on_batch_begin(self, batch, logs=None):
        self.calls.append(("begin", batch))

    def on_batch_end(self, batch, logs=None):
        self.calls.append(("end", batch, sorted(logs)))


def _model():
    inputs = Input(shape=(3,))
    outputs = layers.Dense(1, activation="sigmoid")(layers.Dense(4, activation="relu")(inputs))
    model = Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["acc"])
    return model


def _data(rows=10):
    rng = np.random.default_rng(0)
    return rng.normal(size=(rows, 3)).astype("float32"), rng.integers(0, 2, size=(rows, 1))


def _epoch(epoch, train_batches, val_batches):
    calls = [("on_epoch_begin", epoch)]
    for b in range(train_batches):
        calls += [("on_train_batch_begin", b), ("on_batch_begin", b)]
        calls += [("on_train_batch_end", b), ("on_batch_end", b)]
    if val_batches:
        calls.append(("on_test_begin",))
        for b in range(val_batches):
            calls += [("on_test_batch_begin", b), ("on_test_batch_end", b)]
        calls.append(("on_test_end",))
    calls.append(("on_epoch_end", epoch))
    return calls


def test_fit_with_validation_calls_every_hook_in_keras_order():
    x, y = _data(10)
    xv, yv = _data(5)
    recorder = Recorder()
    _model().fit(
        x,
        y,
        batch_size=4,
        epochs=2,
        verbose=0,
        callbacks=[recorder],
        validation_data=(xv, yv),
        validation_batch_size=3,
    )
    expected = [("on_train_begin",)]
    expected += _epoch(0, 3, 2) + _epoch(1, 3, 2)
    expected.append(("on_train_end",))
    assert recorder.calls == expected


def test_fit_without_validation_has_no_test_hooks():
    x, y = _data(8)
    recorder = Recorder()
    _model().fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[recorder])
    assert recorder.calls == [("on_train_begin",)] + _epoch(0, 2, 0) + [("on_train_end",)]


def test_validation_freq_limits_the_test_hooks_to_validated_epochs():
    x, y = _data(4)
    recorder = Recorder()
    _model().fit(
        x,
        y,
        batch_size=4,
        epochs=3,
        verbose=0,
        callbacks=[recorder],
        validation_split=0.5,
        validation_freq=2,
    )
    tests = [c for c in recorder.calls if c[0] in ("on_test_begin", "on_epoch_end")]
    assert tests == [
        ("on_epoch_end", 0),
        ("on_test_begin",),
        ("on_epoch_end", 1),
        ("on_epoch_end", 2),
    ]


def test_legacy_batch_hooks_are_called_through_the_base_defaults():
    x, y = _data(6)
    legacy = LegacyOnly()
    _model().fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[legacy])
    assert legacy.calls == [
        ("begin", 0),
        ("end", 0, ["acc", "loss"]),
        ("begin", 1),
        ("end", 1, ["acc", "loss"]),
    ]


def test_evaluate_hook_order():
    x, y = _data(10)
    recorder = Recorder()
    model = _model()
    model.evaluate(x, y, batch_size=4, verbose=0, callbacks=[recorder])
    expected = [("on_test_begin",)]
    for b in range(3):
        expected += [("on_test_batch_begin", b), ("on_test_batch_end", b)]
    assert recorder.calls == expected + [("on_test_end",)]


def test_predict_hook_order():
    x, _ = _data(10)
    recorder = Recorder()
    _model().predict(x, batch_size=4, verbose=0, callbacks=[recorder])
    expected = [("on_predict_begin",)]
    for b in range(3):
        expected += [("on_predict_batch_begin", b), ("on_predict_batch_end", b)]
    assert recorder.calls == expected + [("on_predict_end",)]


def test_callback_sees_model_params_and_validation_data():
    x, y = _data(8)
    xv, yv = _data(4)
    seen = {}

    class Look(Callback):
        def on_train_begin(self, logs=None):
            seen["model"] = self.model
            seen["params"] = dict(self.params)
            seen["validation_data"] = self.validation_data

        def on_epoch_end(self, epoch, logs=None):
            seen.setdefault("epoch_logs", []).append(dict(logs))

    model = _model()
    model.fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[Look()], validation_data=(xv, yv))
    assert seen["model"] is model
    assert seen["params"]["epochs"] == 2
    assert seen["params"]["steps"] == 2
    assert seen["params"]["verbose"] == 0
    val_x, val_y = seen["validation_data"][:2]
    np.testing.assert_array_equal(np.asarray(val_x), xv)
    np.testing.assert_array_equal(np.asarray(val_y), yv)
    assert set(seen["epoch_logs"][0]) == {"loss", "acc", "val_loss", "val_acc"}


def test_batch_logs_hold_the_running_mean_of_the_epoch():
    x, y = _data(8)
    batch_losses = []

    class Watch(Callback):
        def on_train_batch_end(self, batch, logs=None):
            batch_losses.append(logs["loss"])

    model = _model()
    history = model.fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[Watch()], shuffle=False)
    assert len(batch_losses) == 2
    # The epoch's logged loss is the running mean after the last batch.
    assert history.history["loss"][0] == pytest.approx(batch_losses[-1], rel=1e-6)


def test_stop_training_from_a_callback_ends_fit_after_that_batch():
    x, y = _data(16)

    class Stop(Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 1:
                self.model.stop_training = True

    recorder = Recorder()
    history = _model().fit(x, y, batch_size=4, epochs=5, verbose=0, callbacks=[Stop(), recorder])
    assert len(history.history["loss"]) == 1
    ends = [c for c in recorder.calls if c[0] == "on_train_batch_end"]
    assert ends == [("on_train_batch_end", 0), ("on_train_batch_end", 1)]
    assert recorder.calls[-1] == ("on_train_end",)


def test_non_callback_objects_are_refused():
    x, y = _data(4)
    with pytest.raises(ValueError, match="expected strata.callbacks.Callback.*received list"):
        _model().fit(x, y, epochs=1, verbose=0, callbacks=[[]])


@pytest.mark.parametrize("verbose", [0, 1, 2])
def test_progress_output_by_verbosity(verbose, capsys):
    x, y = _data(8)
    _model().fit(x, y, batch_size=4, epochs=2, verbose=verbose)
    out = capsys.readouterr().out
    if verbose == 0:
        assert out == ""
        return
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "2/2" in out
    assert "loss:" in out and "acc:" in out
    if verbose == 2:
        # One summary line per epoch, no bar characters.
        lines = [line for line in out.splitlines() if "loss:" in line]
        assert len(lines) == 2
        assert "━" not in out


def test_evaluate_verbose_prints_the_metrics(capsys):
    x, y = _data(8)
    model = _model()
    model.evaluate(x, y, verbose=0)
    assert capsys.readouterr().out == ""
    model.evaluate(x, y, verbose=1)
    out = capsys.readouterr().out
    assert "loss:" in out and "acc:" in out


def test_history_is_returned_and_set_on_the_model():
    x, y = _data(8)
    model = _model()
    history = model.fit(x, y, epochs=3, verbose=0)
    assert isinstance(history, keras.callbacks.History)
    assert model.history is history
    assert history.epoch == [0, 1, 2]
    assert all(len(v) == 3 for v in history.history.values())
