"""cross_validate: folds without leakage, fresh seeded models, out-of-fold predictions row by
row, inner validation, resuming a killed run, parallel folds."""

import matplotlib
import numpy as np
import pytest
import torch
from sklearn.model_selection import GroupKFold, KFold, RepeatedKFold

import strata
from strata.evaluation import CVResult, cross_validate

matplotlib.use("Agg")

ROWS = 30


def _data(rows=ROWS, classes=3, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.rand(rows, 4).astype("float32")
    y = (x[:, 0] * classes).astype("int64").clip(0, classes - 1)
    return x, y


def _classifier(seed=0, loss="sparse_categorical_crossentropy"):
    strata.utils.set_random_seed(seed)
    model = strata.Sequential([strata.Input((4,)), strata.layers.Dense(3, activation="softmax")])
    model.compile("adam", loss, metrics=["accuracy"])
    return model


def build_classifier():
    """A top-level build function (importable by spawned worker processes)."""
    model = strata.Sequential([strata.Input((4,)), strata.layers.Dense(3, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class InitialWeights(strata.callbacks.Callback):
    """Records every fold model's weights as its training begins."""

    def __init__(self):
        super().__init__()
        self.weights = []

    def on_train_begin(self, logs=None):
        self.weights.append([w.copy() for w in self.model.get_weights()])


def test_folds_do_not_leak_and_hold_out_every_row_once_per_repeat():
    x, y = _data()
    result = cross_validate(_classifier(), x, y, cv=3, repeats=2, epochs=1, seed=0, verbose=0)
    assert isinstance(result, CVResult)
    assert (result.n_splits, result.repeats, len(result.fold_indices)) == (3, 2, 6)
    for repeat in range(2):
        held_out = np.zeros(ROWS, dtype=int)
        for train, test in result.fold_indices[3 * repeat : 3 * repeat + 3]:
            assert train.dtype.kind == "i" and test.dtype.kind == "i"
            assert not set(train) & set(test)
            assert sorted(set(train) | set(test)) == list(range(ROWS))
            held_out[test] += 1
        assert (held_out == 1).all()
    # Repeats are reshuffled: the two repeats split the rows differently.
    first = [set(t) for _, t in result.fold_indices[:3]]
    second = [set(t) for _, t in result.fold_indices[3:]]
    assert first != second
    assert result.oof_predictions.shape == (2, ROWS, 3)
    assert not np.isnan(result.oof_predictions).any()
    assert len(result.scores) == len(result.histories) == 6
    assert set(result.mean) == {"loss", "accuracy"}
    np.testing.assert_allclose(result.mean["loss"], np.mean([s["loss"] for s in result.scores]))
    np.testing.assert_allclose(result.std["loss"], np.std([s["loss"] for s in result.scores]))
    assert result.models is None


def test_the_original_model_is_never_trained():
    x, y = _data()
    model = _classifier()
    before = [w.copy() for w in model.get_weights()]
    cross_validate(model, x, y, cv=3, epochs=2, seed=0, verbose=0)
    for old, new in zip(before, model.get_weights()):
        np.testing.assert_array_equal(old, new)
    assert model.history is None or not getattr(model.history, "history", None)


def test_every_fold_starts_from_a_fresh_reproducible_initialization():
    x, y = _data()
    runs = []
    for _ in range(2):
        recorder = InitialWeights()
        cross_validate(_classifier(), x, y, cv=3, epochs=1, seed=7, callbacks=[recorder], verbose=0)
        runs.append(recorder.weights)
    kernels = [weights[0] for weights in runs[0]]
    assert len(kernels) == 3
    assert not np.allclose(kernels[0], kernels[1]) and not np.allclose(kernels[1], kernels[2])
    for a, b in zip(runs[0], runs[1]):
        np.testing.assert_array_equal(a[0], b[0])
    other = InitialWeights()
    cross_validate(_classifier(), x, y, cv=3, epochs=1, seed=8, callbacks=[other], verbose=0)
    assert not np.allclose(other.weights[0][0], kernels[0])


def test_out_of_fold_predictions_come_row_by_row_from_the_model_that_held_the_row_out():
    x, y = _data()
    result = cross_validate(
        _classifier(), x, y, cv=3, epochs=2, seed=0, verbose=0, return_models=True
    )
    assert len(result.models) == 3
    oof = result.oof_predictions
    for (_, test), model in zip(result.fold_indices, result.models):
        for row in test:
            expected = model.predict(x[row : row + 1], verbose=0)[0]
            np.testing.assert_allclose(oof[row], expected, rtol=1e-5, atol=1e-6)
        # The other fold models predict these rows differently (they trained on them).
    assert not np.allclose(result.models[0].predict(x, verbose=0), oof)


def test_classification_targets_are_stratified_by_default():
    rng = np.random.RandomState(1)
    y = np.array([0] * 18 + [1] * 9 + [2] * 3)
    x = rng.rand(len(y), 4).astype("float32")
    for target, loss in (
        (y, "sparse_categorical_crossentropy"),
        (np.eye(3, dtype="float32")[y], "categorical_crossentropy"),
    ):
        result = cross_validate(
            _classifier(loss=loss), x, target, cv=3, epochs=1, seed=0, verbose=0
        )
        for _, test in result.fold_indices:
            assert np.bincount(y[test], minlength=3).tolist() == [6, 3, 1]
    plain = cross_validate(_classifier(), x, y, cv=3, epochs=1, seed=0, verbose=0, stratify=False)
    expected = KFold(3, shuffle=True, random_state=0).split(x)
    for (_, test), (_, want) in zip(plain.fold_indices, expected):
        np.testing.assert_array_equal(test, want)
    with pytest.raises(ValueError, match="classification target"):
        cross_validate(_classifier(), x, x[:, :1], cv=3, stratify=True, verbose=0)


def test_groups_never_straddle_train_and_held_out_rows():
    x, y = _data()
    groups = np.repeat(np.arange(10), 3)
    result = cross_validate(_classifier(), x, y, cv=5, groups=groups, epochs=1, seed=0, verbose=0)
    for train, test in result.fold_indices:
        assert not set(groups[train]) & set(groups[test])
    assert not np.isnan(result.oof_predictions).any()


def test_a_splitter_object_is_used_as_given_and_its_repeats_recognized():
    x, y = _data()
    result = cross_validate(
        _classifier(),
        x,
        y,
        cv=RepeatedKFold(n_splits=3, n_repeats=2, random_state=0),
        epochs=1,
        seed=0,
        verbose=0,
    )
    assert (result.repeats, result.n_splits) == (2, 3)
    for (_, test), (_, want) in zip(
        result.fold_indices, RepeatedKFold(n_splits=3, n_repeats=2, random_state=0).split(x)
    ):
        np.testing.assert_array_equal(test, want)
    grouped = cross_validate(
        _classifier(),
        x,
        y,
        cv=GroupKFold(3),
        groups=np.arange(ROWS) % 6,
        epochs=1,
        seed=0,
        verbose=0,
    )
    assert grouped.n_splits == 3


def _two_headed():
    a = strata.Input((4,), name="a")
    b = strata.Input((2,), name="b")
    hidden = strata.layers.Concatenate()([a, b])
    label = strata.layers.Dense(3, activation="softmax", name="label")(hidden)
    value = strata.layers.Dense(1, name="value")(hidden)
    model = strata.Model({"a": a, "b": b}, {"label": label, "value": value})
    model.compile("adam", {"label": "sparse_categorical_crossentropy", "value": "mse"})
    return model


def test_dict_inputs_and_outputs_are_split_alike():
    x, y = _data()
    inputs = {"a": x, "b": x[:, :2] * 2}
    targets = {"label": y, "value": x[:, :1]}
    result = cross_validate(
        _two_headed(), inputs, targets, cv=3, epochs=1, seed=0, verbose=0, return_models=True
    )
    label, value = result.oof_predictions
    assert label.shape == (ROWS, 3) and value.shape == (ROWS, 1)
    for (_, test), model in zip(result.fold_indices, result.models):
        predicted = model.predict({"a": x[test], "b": x[test, :2] * 2}, verbose=0)
        np.testing.assert_allclose(label[test], predicted["label"], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(value[test], predicted["value"], rtol=1e-5, atol=1e-6)
    assert "value_loss" in result.scores[0]


# --------------------------------------------------------------------------- validation data
SEEN = {"active": False, "rows": []}


class RowRecorder(strata.metrics.Metric):
    """Records the targets (row ids) it is shown while validation runs."""

    def __init__(self, name="rows", **kwargs):
        super().__init__(name=name, **kwargs)

    def update_state(self, y_true, y_pred, sample_weight=None):
        if SEEN["active"]:
            SEEN["rows"][-1].extend(int(v) for v in torch.as_tensor(y_true).reshape(-1))

    def result(self):
        return torch.tensor(0.0)

    def reset_state(self):
        pass


class ValidationPhase(strata.callbacks.Callback):
    def on_train_begin(self, logs=None):
        SEEN["rows"].append([])

    def on_test_begin(self, logs=None):
        SEEN["active"] = True

    def on_test_end(self, logs=None):
        SEEN["active"] = False


def _row_id_model():
    model = strata.Sequential([strata.Input((1,)), strata.layers.Dense(1)])
    model.compile("sgd", "mse", metrics=[RowRecorder()])
    return model


def _validation_rows(validation):
    SEEN["rows"].clear()
    rows = np.arange(ROWS, dtype="float32")[:, None]
    result = cross_validate(
        _row_id_model,
        rows,
        rows,
        cv=3,
        epochs=1,
        seed=0,
        verbose=0,
        validation=validation,
        callbacks=[ValidationPhase()],
    )
    return result, [sorted(set(seen)) for seen in SEEN["rows"]]


def test_inner_validation_never_shows_callbacks_the_held_out_rows():
    result, seen = _validation_rows("inner")
    for (train, test), rows in zip(result.fold_indices, seen):
        assert rows, "validation ran on no rows"
        assert set(rows) <= set(train.tolist())
        assert not set(rows) & set(test.tolist())
        assert len(rows) == round(0.2 * len(train))
    assert "val_loss" in result.histories[0]
    assert result.curves["loss"].shape == (1,) and result.best_epoch == 1


def test_fold_validation_monitors_the_held_out_rows_with_a_warning():
    with pytest.warns(UserWarning, match="optimistic"):
        result, seen = _validation_rows("fold")
    for (_, test), rows in zip(result.fold_indices, seen):
        assert rows == sorted(test.tolist())


def test_without_validation_there_are_no_curves():
    result, seen = _validation_rows(None)
    assert all(not rows for rows in seen)
    assert result.curves == {} and result.best_epoch is None
    assert "loss" in result.train_curves


def test_curves_average_the_folds_with_early_stopped_folds_padded():
    x, y = _data()
    stop = strata.callbacks.EarlyStopping(monitor="val_loss", patience=0, min_delta=10.0)
    result = cross_validate(
        _classifier(), x, y, cv=3, epochs=4, seed=0, verbose=0, callbacks=[stop]
    )
    lengths = [len(h["val_loss"]) for h in result.histories]
    assert max(lengths) < 4  # min_delta=10 stops every fold early
    padded = np.full((3, max(lengths)), np.nan)
    for i, history in enumerate(result.histories):
        padded[i, : lengths[i]] = history["val_loss"]
    np.testing.assert_allclose(result.curves["loss"], np.nanmean(padded, axis=0))
    assert result.best_epoch == int(np.nanargmin(np.nanmean(padded, axis=0))) + 1
    assert result.monitor == "val_loss"


def test_scoring_functions_summary_and_plot(capsys):
    x, y = _data()

    def top1(y_true, y_pred):
        return float(np.mean(np.argmax(y_pred, axis=1) == y_true))

    result = cross_validate(_classifier(), x, y, cv=3, epochs=3, seed=0, scoring=top1, verbose=1)
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("fold")]
    assert len(lines) == 3 and "running mean" in lines[-1] and "±" in lines[-1]
    for score in result.scores:
        np.testing.assert_allclose(score["top1"], score["accuracy"], atol=1e-6)
    text = result.summary(print_fn=None)
    assert "mean" in text and "top1" in text and len(text.splitlines()) >= 7
    figure = result.plot("loss")
    assert isinstance(figure, matplotlib.figure.Figure)
    assert len(figure.axes[0].lines) >= 2
    with pytest.raises(ValueError, match="recorded curves"):
        result.plot("nope")


def test_bad_arguments_say_what_was_expected():
    x, y = _data()
    uncompiled = strata.Sequential([strata.Input((4,)), strata.layers.Dense(3)])
    with pytest.raises(ValueError, match="compiled"):
        cross_validate(uncompiled, x, y)
    with pytest.raises(ValueError, match="cv to be an integer >= 2"):
        cross_validate(_classifier(), x, y, cv=1)
    with pytest.raises(ValueError, match="validation 'inner'"):
        cross_validate(_classifier(), x, y, validation="test")
    with pytest.raises(ValueError, match="same number of rows"):
        cross_validate(_classifier(), x, y[:-1])
    with pytest.raises(ValueError, match="shuffle=True"):
        cross_validate(_classifier(), x, y, repeats=2, shuffle=False)


# ------------------------------------------------------------------------------ resume, n_jobs
class Interrupted(BaseException):
    """Stands for a kill (like KeyboardInterrupt, not an Exception)."""


class KillAtFold(strata.callbacks.Callback):
    def __init__(self, fold):
        super().__init__()
        self.fold, self.started = fold, 0

    def on_train_begin(self, logs=None):
        if self.started == self.fold:
            raise Interrupted()
        self.started += 1


def test_a_killed_run_resumes_at_the_first_unfinished_fold_with_identical_results(tmp_path):
    x, y = _data()
    arguments = {"cv": 4, "epochs": 2, "seed": 3, "verbose": 0, "directory": str(tmp_path)}
    reference = cross_validate(_classifier(), x, y, cv=4, epochs=2, seed=3, verbose=0)
    with pytest.raises(Interrupted):
        cross_validate(_classifier(), x, y, callbacks=[KillAtFold(2)], **arguments)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("fold_")) == [
        "fold_000",
        "fold_001",
    ]
    counter = KillAtFold(99)
    resumed = cross_validate(_classifier(), x, y, callbacks=[counter], **arguments)
    assert counter.started == 2  # folds 3 and 4 only
    assert resumed.scores == reference.scores
    np.testing.assert_array_equal(resumed.oof_predictions, reference.oof_predictions)
    assert resumed.histories == reference.histories
    again = cross_validate(_classifier(), x, y, callbacks=[counter], **arguments)
    assert counter.started == 2 and again.scores == reference.scores
    with pytest.raises(ValueError, match="different arguments.*seed"):
        cross_validate(_classifier(), x, y, **{**arguments, "seed": 4})
    with pytest.raises(ValueError, match="different arguments.*data"):
        cross_validate(_classifier(), x + 1, y, **arguments)


def test_resume_with_models_and_a_drawn_seed(tmp_path):
    x, y = _data()
    first = cross_validate(
        _classifier(), x, y, cv=3, epochs=1, verbose=0, directory=str(tmp_path), return_models=True
    )
    second = cross_validate(
        _classifier(), x, y, cv=3, epochs=1, verbose=0, directory=str(tmp_path), return_models=True
    )
    assert first.seed == second.seed and first.scores == second.scores
    for a, b in zip(first.models, second.models):
        for wa, wb in zip(a.get_weights(), b.get_weights()):
            np.testing.assert_array_equal(wa, wb)


@pytest.mark.slow
@pytest.mark.parametrize("source", ["model", "build_fn"])
def test_parallel_folds_give_the_sequential_results(source):
    x, y = _data(rows=20)
    given = _classifier() if source == "model" else build_classifier
    kwargs = {"cv": 2, "epochs": 2, "seed": 5, "verbose": 0, "return_models": True}
    sequential = cross_validate(given, x, y, **kwargs)
    parallel = cross_validate(given, x, y, n_jobs=2, **kwargs)
    assert parallel.scores == sequential.scores
    np.testing.assert_array_equal(parallel.oof_predictions, sequential.oof_predictions)
    for a, b in zip(parallel.models, sequential.models):
        for wa, wb in zip(a.get_weights(), b.get_weights()):
            np.testing.assert_array_equal(wa, wb)


def test_sample_weights_are_split_with_the_rows_and_weight_the_held_out_scores():
    x, y = _data()
    weights = np.linspace(0.1, 2.0, ROWS).astype("float32")
    result = cross_validate(
        _classifier(),
        x,
        y,
        cv=3,
        epochs=1,
        seed=0,
        verbose=0,
        return_models=True,
        sample_weight=weights,
    )
    for (_, test), model, scores in zip(result.fold_indices, result.models, result.scores):
        expected = model.evaluate(
            x[test], y[test], sample_weight=weights[test], verbose=0, return_dict=True
        )
        np.testing.assert_allclose(scores["loss"], expected["loss"], rtol=1e-5)
        unweighted = model.evaluate(x[test], y[test], verbose=0, return_dict=True)
        assert not np.isclose(scores["loss"], unweighted["loss"], rtol=1e-6)


def test_binary_float_labels_are_stratified():
    x, _ = _data()
    y = (np.arange(ROWS) < 6).astype("float32")  # 6 positives, 24 negatives
    model = strata.Sequential([strata.Input((4,)), strata.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    result = cross_validate(model, x, y, cv=3, epochs=1, seed=0, verbose=0)
    for _, test in result.fold_indices:
        assert y[test].sum() == 2


def test_callbacks_may_be_made_per_fold_and_the_inner_fraction_set():
    made = {}

    def per_fold(index):
        made[index] = InitialWeights()
        return [made[index]]

    _, seen = _validation_rows(0.5)
    assert all(len(rows) == 10 for rows in seen)  # half of each fold's 20 training rows
    x, y = _data()
    cross_validate(_classifier(), x, y, cv=3, epochs=1, seed=0, verbose=0, callbacks=per_fold)
    assert sorted(made) == [0, 1, 2]
    assert all(len(callback.weights) == 1 for callback in made.values())


def test_a_call_with_bad_arguments_leaves_no_fingerprint_behind(tmp_path):
    x, y = _data()
    with pytest.raises(ValueError, match="shuffle=True"):
        cross_validate(_classifier(), x, y, repeats=2, shuffle=False, directory=str(tmp_path))
    assert not (tmp_path / "fingerprint.json").exists()
    result = cross_validate(
        _classifier(), x, y, cv=3, repeats=2, seed=np.int64(1), directory=str(tmp_path), verbose=0
    )
    assert result.seed == 1 and (tmp_path / "fingerprint.json").exists()
