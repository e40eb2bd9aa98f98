"""EarlyStopping: patience, min_delta, modes, baseline, warm-up, best weights and state."""

import numpy as np
import pytest
from callback_helpers import binary_data, binary_model, frozen_model, scripted_logs

import strata
from strata.callbacks import EarlyStopping


@pytest.mark.parametrize(
    "monitor, expected",
    [
        ("acc", "max"),
        ("val_acc", "max"),
        ("accuracy", "max"),
        ("val_binary_accuracy", "max"),
        ("auc", "max"),
        ("loss", "min"),
        ("val_loss", "min"),
        ("mae", "min"),
    ],
)
def test_auto_mode_follows_the_metric_name(monitor, expected):
    assert EarlyStopping(monitor=monitor).mode == expected


def test_unknown_mode_warns_and_falls_back_to_auto():
    with pytest.warns(UserWarning, match="mode"):
        assert EarlyStopping(monitor="acc", mode="sideways").mode == "max"


def test_patience_counts_epochs_without_improvement():
    model = frozen_model()
    # min mode: best 1.0 at epoch 1, then three epochs no better.
    stop = EarlyStopping(monitor="val_loss", patience=2)
    ran = scripted_logs(stop, model, [2.0, 1.0, 1.5, 1.2, 0.5, 0.1])
    assert ran == [0, 1, 2, 3]
    assert stop.stopped_epoch == 3 and stop.best == 1.0 and stop.best_epoch == 1


def test_max_mode_for_the_legacy_acc_name():
    model = frozen_model()
    stop = EarlyStopping(monitor="acc", patience=1)
    ran = scripted_logs(stop, model, [0.5, 0.7, 0.6, 0.9], key="acc")
    assert ran == [0, 1, 2] and stop.best == 0.7


def test_min_delta_ignores_small_improvements():
    model = frozen_model()
    stop = EarlyStopping(monitor="val_loss", patience=1, min_delta=0.1)
    ran = scripted_logs(stop, model, [1.0, 0.95, 0.5])
    assert ran == [0, 1]


def test_baseline_must_be_beaten():
    model = frozen_model()
    # Improvements above the baseline of 0.5 do not reset the count...
    values = [1.0, 0.9, 0.9, 0.9, 0.9]
    stop = EarlyStopping(monitor="val_loss", patience=2, baseline=0.5)
    assert scripted_logs(stop, model, values) == [0, 1, 2]
    # ...as they do without a baseline.
    stop = EarlyStopping(monitor="val_loss", patience=2)
    assert scripted_logs(stop, model, values) == [0, 1, 2, 3]
    # Beating it resets the count.
    stop = EarlyStopping(monitor="val_loss", patience=2, baseline=0.5)
    ran = scripted_logs(stop, model, [0.4, 0.45, 0.3, 0.35, 0.36, 0.37])
    assert ran == [0, 1, 2, 3, 4]


def test_start_from_epoch_ignores_the_warm_up():
    model = frozen_model()
    stop = EarlyStopping(monitor="val_loss", patience=1, start_from_epoch=3)
    ran = scripted_logs(stop, model, [0.1, 5.0, 5.0, 5.0, 6.0, 7.0])
    assert ran == [0, 1, 2, 3, 4] and stop.best == 5.0


def test_missing_key_warns_with_the_available_keys():
    model = frozen_model()
    stop = EarlyStopping(monitor="val_loss", patience=0)
    with pytest.warns(UserWarning, match=r"'val_loss'.*available: acc, loss"):
        stop.set_model(model)
        stop.on_train_begin()
        stop.on_epoch_end(0, {"loss": 1.0, "acc": 0.5})
    assert not model.stop_training


def test_stops_a_real_fit_on_a_plateau():
    x = np.ones((16, 3), "float32")
    y = np.ones((16, 1), "float32")
    model = frozen_model()
    history = model.fit(
        x, y, epochs=20, verbose=0, callbacks=[EarlyStopping(monitor="loss", patience=3)]
    )
    assert len(history.history["loss"]) == 4


def test_restore_best_weights_puts_back_the_best_epoch():
    x, y = binary_data()
    model = binary_model(optimizer=strata.optimizers.SGD(0.5))
    snapshots = []
    record = strata.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: snapshots.append(model.get_weights())
    )
    # Scripted monitor: the values of "score" make epoch 1 the best.
    scores = iter([0.3, 0.1, 0.2, 0.25, 0.4])

    class Score(strata.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            logs["score"] = next(scores)

    stop = EarlyStopping(monitor="score", mode="min", patience=2, restore_best_weights=True)
    model.fit(x, y, epochs=5, verbose=0, callbacks=[Score(), record, stop])
    assert stop.stopped_epoch == 3 and stop.best_epoch == 1
    for restored, best in zip(model.get_weights(), snapshots[1], strict=True):
        np.testing.assert_array_equal(restored, best)
    assert not np.array_equal(model.get_weights()[0], snapshots[-1][0])


def test_state_dict_round_trip_continues_the_count():
    model = frozen_model()
    first = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    first.set_model(model)
    first.on_train_begin()
    for epoch, value in enumerate([1.0, 0.5, 0.7]):
        first.on_epoch_end(epoch, {"val_loss": value})
    state = first.state_dict()
    second = EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    second.set_model(model)
    second.on_train_begin()
    second.load_state_dict(state)
    assert (second.wait, second.best, second.best_epoch) == (1, 0.5, 1)
    second.on_epoch_end(3, {"val_loss": 0.9})
    assert not model.stop_training
    second.on_epoch_end(4, {"val_loss": 0.9})
    assert model.stop_training and second.stopped_epoch == 4
