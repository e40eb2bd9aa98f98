"""Bad data fails before the first step with a message naming what was expected and what came.

Every failing call must leave the weights exactly as they were (nothing half-trained).
"""

import warnings

import numpy as np
import pytest

from strata import Input, layers
from strata import losses as strata_losses
from strata.models import Model, Sequential
from strata.trainers.compile_utils import LossActivationWarning
from strata.trainers.data_checks import NonFiniteDataWarning


def _weights(model):
    return [w.copy() for w in model.get_weights()]


def _assert_unchanged(model, before):
    after = model.get_weights()
    assert len(after) == len(before)
    for w0, w1 in zip(before, after, strict=True):
        np.testing.assert_array_equal(w0, w1)


def _binary_model(width=4):
    model = Sequential([Input(shape=(width,)), layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["acc"])
    return model


def _softmax_model(classes=10, loss="categorical_crossentropy"):
    model = Sequential([Input(shape=(4,)), layers.Dense(classes, activation="softmax")])
    model.compile(optimizer="sgd", loss=loss)
    return model


def _two_by_two():
    a = Input(shape=(3,), name="a")
    b = Input(shape=(2,), name="b")
    hidden = layers.concatenate([layers.Dense(4)(a), layers.Dense(4)(b)])
    model = Model(
        [a, b],
        [
            layers.Dense(1, name="score", activation="sigmoid")(hidden),
            layers.Dense(1, name="value")(hidden),
        ],
    )
    model.compile(optimizer="sgd", loss={"score": "binary_crossentropy", "value": "mse"})
    return model


X = np.random.default_rng(0).normal(size=(10, 4)).astype("float32")
Y = (X[:, :1] > 0).astype("float32")


def _generator(x, y):
    while True:
        yield x, y


def _fit(model, x, y, **kwargs):
    kwargs.setdefault("verbose", 0)
    return model.fit(x, y, epochs=1, **kwargs)


def _fit_generator(model, x, y, **kwargs):
    return model.fit(_generator(x, y), steps_per_epoch=2, epochs=1, verbose=0, **kwargs)


def _train_on_batch(model, x, y, **kwargs):
    return model.train_on_batch(x, y, **kwargs)


ROUTES = {"fit": _fit, "generator": _fit_generator, "train_on_batch": _train_on_batch}


def _fails(route, model, x, y, match, **kwargs):
    before = _weights(model)
    with pytest.raises(ValueError, match=match):
        ROUTES[route](model, x, y, **kwargs)
    _assert_unchanged(model, before)


@pytest.mark.parametrize("route", ROUTES)
def test_wrong_width(route):
    x = np.zeros((10, 5), dtype="float32")
    _fails(
        route,
        _binary_model(),
        x,
        Y,
        r"expected shape \(None, 4\); received shape \(10, 5\) \(axis 1 should be 4, is 5\)",
    )


@pytest.mark.parametrize("route", ROUTES)
def test_wrong_rank(route):
    x = np.zeros((10, 4, 1), dtype="float32")
    _fails(
        route,
        _binary_model(),
        x,
        Y,
        r"expected shape \(None, 4\) \(rank 2\); received shape \(10, 4, 1\) \(rank 3\)",
    )


@pytest.mark.parametrize("route", ROUTES)
def test_x_and_y_lengths_differ(route):
    _fails(
        route,
        _binary_model(),
        X,
        Y[:7],
        r"same number of rows; received input '[^']+': 10, target '[^']+': 7",
    )


def test_sample_weight_length_differs():
    _fails(
        "fit",
        _binary_model(),
        X,
        Y,
        r"received input '[^']+': 10, target '[^']+': 10, sample_weight: 3",
        sample_weight=np.ones(3),
    )


@pytest.mark.parametrize("route", ROUTES)
def test_ten_class_softmax_with_binary_targets(route):
    _fails(
        route,
        _softmax_model(10),
        X,
        Y,
        r"shape \(None, 10\) and loss categorical_crossentropy, which expects targets of shape "
        r"\(None, 10\); received targets of shape \(10, 1\)\. Integer labels go with "
        r"sparse_categorical_crossentropy",
    )


@pytest.mark.parametrize("route", ROUTES)
def test_sparse_labels_out_of_range(route):
    labels = np.arange(10) % 4
    labels[3] = 7
    _fails(
        route,
        _softmax_model(5, "sparse_categorical_crossentropy"),
        X,
        labels,
        r"has 5 classes, so sparse_categorical_crossentropy expected labels in \[0, 4\]; "
        r"received labels from 0 to 7",
    )


def test_negative_and_fractional_sparse_labels():
    model = _softmax_model(5, "sparse_categorical_crossentropy")
    _fails("fit", model, X, -np.ones(10), r"expected labels in \[0, 4\]; received labels from -1")
    _fails("fit", model, X, np.full(10, 0.5), "expected integer class labels; received non-integer")


def test_binary_targets_outside_zero_one():
    _fails(
        "fit",
        _binary_model(),
        X,
        np.full((10, 1), 3.0),
        r"binary_crossentropy\) expected targets in \[0, 1\]; received values from 3 to 3",
    )


def test_regression_targets_of_the_wrong_width():
    model = Sequential([Input(shape=(4,)), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="mse")
    _fails(
        "fit",
        model,
        X,
        np.zeros((10, 3)),
        r"expects targets of shape \(None, 2\); received targets of shape \(10, 3\)",
    )


def test_missing_targets():
    _fails(
        "fit",
        _binary_model(),
        X,
        None,
        r"expected targets y for outputs \['dense'\]; received none",
    )
    model = _binary_model()
    with pytest.raises(ValueError, match="expected targets y"):
        model.evaluate(X, verbose=0)


def test_validation_data_is_checked_before_training():
    model = _binary_model()
    before = _weights(model)
    with pytest.raises(ValueError, match=r"expected shape \(None, 4\); received shape \(3, 2\)"):
        model.fit(X, Y, epochs=1, verbose=0, validation_data=(np.zeros((3, 2)), np.zeros((3, 1))))
    _assert_unchanged(model, before)


def test_evaluate_and_predict_check_shapes():
    model = _binary_model()
    with pytest.raises(ValueError, match=r"expected shape \(None, 4\); received shape \(10, 3\)"):
        model.evaluate(np.zeros((10, 3)), Y, verbose=0)
    with pytest.raises(ValueError, match=r"expected shape \(None, 4\); received shape \(10, 3\)"):
        model.predict(np.zeros((10, 3)), verbose=0)


# ----------------------------------------------------------------------- names and structure
def test_unknown_and_missing_input_keys():
    model = _two_by_two()
    a, b = np.zeros((6, 3)), np.zeros((6, 2))
    y = {"score": np.zeros((6, 1)), "value": np.zeros((6, 1))}
    before = _weights(model)
    with pytest.raises(
        ValueError,
        match=r"expected inputs named \['a', 'b'\]; received keys \['a', 'c'\] "
        r"\(unknown: \['c'\]\) \(missing: \['b'\]\)",
    ):
        model.fit({"a": a, "c": b}, y, epochs=1, verbose=0)
    _assert_unchanged(model, before)


def test_unknown_and_missing_target_keys():
    model = _two_by_two()
    x = {"a": np.zeros((6, 3)), "b": np.zeros((6, 2))}
    before = _weights(model)
    with pytest.raises(
        ValueError,
        match=r"expected targets keyed by output names \['score', 'value'\]; received keys "
        r"\['score', 'valu'\] \(unknown: \['valu'\]\) \(missing: \['value'\]\)",
    ):
        model.fit(x, {"score": np.zeros((6, 1)), "valu": np.zeros((6, 1))}, epochs=1, verbose=0)
    _assert_unchanged(model, before)


def test_wrong_number_of_inputs_and_targets():
    model = _two_by_two()
    a, b = np.zeros((6, 3)), np.zeros((6, 2))
    y = [np.zeros((6, 1)), np.zeros((6, 1))]
    before = _weights(model)
    with pytest.raises(
        ValueError, match=r"expected 2 input\(s\) \['a', 'b'\]; received a list of 3"
    ):
        model.fit([a, b, b], y, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"expected 2 targets \['score', 'value'\]; received 1"):
        model.fit([a, b], y[:1], epochs=1, verbose=0)
    with pytest.raises(
        ValueError, match=r"2 outputs \['score', 'value'\]: expected a list or dict"
    ):
        model.fit([a, b], y[0], epochs=1, verbose=0)
    _assert_unchanged(model, before)


def test_compile_dict_with_an_unknown_output_name():
    model = _two_by_two()
    with pytest.raises(
        ValueError,
        match=r"among the output names \['score', 'value'\]; received "
        r"unknown key\(s\) \['age'\]",
    ):
        model.compile(optimizer="sgd", loss={"score": "mse", "age": "mse"})
    with pytest.raises(
        ValueError,
        match=r"one entry per output \(2: \['score', 'value'\]\); "
        r"received 3",
    ):
        model.compile(optimizer="sgd", loss=["mse", "mse", "mse"])


def test_unknown_loss_and_optimizer_names():
    model = Sequential([Input(shape=(4,)), layers.Dense(1)])
    with pytest.raises(ValueError, match="Unknown optimizer: 'adamm'"):
        model.compile(optimizer="adamm", loss="mse")
    with pytest.raises(ValueError, match="Unknown loss: 'msee'"):
        model.compile(optimizer="sgd", loss="msee")
        model.fit(X, Y, verbose=0)


def test_fit_before_compile():
    model = Sequential([Input(shape=(4,)), layers.Dense(1)])
    with pytest.raises(ValueError, match=r"fit\(\) expected a compiled model"):
        model.fit(X, Y, verbose=0)


def test_validation_split_needs_arrays_and_a_valid_fraction():
    model = _binary_model()
    with pytest.raises(
        ValueError, match="validation_split expected array data.*received generator"
    ):
        model.fit(_generator(X, Y), steps_per_epoch=1, validation_split=0.2, verbose=0)
    with pytest.raises(ValueError, match="validation_split >= 0.0 and < 1.0; received 1.5"):
        model.fit(X, Y, validation_split=1.5, verbose=0)


# ---------------------------------------------------------------------- warnings, not errors
@pytest.mark.parametrize("route", ["fit", "generator", "train_on_batch"])
def test_nan_in_inputs_warns_before_training(route):
    x = X.copy()
    x[2, 1] = np.nan
    x[5, 0] = np.inf
    with pytest.warns(NonFiniteDataWarning, match="holds 2 NaN or infinite value"):
        ROUTES[route](_binary_model(), x, Y)


def test_nan_in_targets_warns():
    model = Sequential([Input(shape=(4,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    y = np.zeros((10, 1), dtype="float32")
    y[0] = np.nan
    with pytest.warns(NonFiniteDataWarning, match=r"Target '[^']+' holds 1 NaN"):
        model.fit(X, y, epochs=1, verbose=0)


def test_softmax_with_binary_crossentropy_warns_citing_the_seed_003_table():
    model = Sequential([Input(shape=(4,)), layers.Dense(3, activation="softmax")])
    with pytest.warns(
        LossActivationWarning, match=r"ends in softmax.*binary_crossentropy.*seed 003"
    ):
        model.compile(optimizer="sgd", loss="binary_crossentropy")


def test_single_sigmoid_with_categorical_crossentropy_warns():
    model = Sequential([Input(shape=(4,)), layers.Dense(1, activation="sigmoid")])
    with pytest.warns(
        LossActivationWarning,
        match=r"single sigmoid unit trained with categorical_crossentropy.*seed 003.*sigmoid \+ "
        r"binary_crossentropy",
    ):
        model.compile(optimizer="sgd", loss="categorical_crossentropy")


def test_matching_pairs_do_not_warn(recwarn):
    for units, activation, loss in (
        (1, "sigmoid", "binary_crossentropy"),
        (3, "softmax", "categorical_crossentropy"),
        (3, "softmax", "sparse_categorical_crossentropy"),
        (3, "sigmoid", "binary_crossentropy"),
        (1, None, "mse"),
    ):
        model = Sequential([Input(shape=(4,)), layers.Dense(units, activation=activation)])
        model.compile(optimizer="sgd", loss=loss)
    assert not [w for w in recwarn if issubclass(w.category, LossActivationWarning)]


def test_mismatch_warning_on_one_head_of_a_multi_output_model():
    inputs = Input(shape=(4,))
    hidden = layers.Dense(4)(inputs)
    model = Model(
        inputs,
        [
            layers.Dense(1, name="ok")(hidden),
            layers.Dense(5, activation="softmax", name="bad")(hidden),
        ],
    )
    with pytest.warns(LossActivationWarning, match="Output 'bad' ends in softmax"):
        model.compile(optimizer="sgd", loss=["mse", "binary_crossentropy"])


def test_crossentropy_on_an_output_without_activation_warns():
    # Seed 000's listing 7-7 ends in Dense(1) with binary_crossentropy: nothing is learned.
    model = Sequential([layers.Dense(1, input_shape=(3,))])
    with pytest.warns(LossActivationWarning, match=r"no activation.*from_logits=True.*seed 003"):
        model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    quiet = Sequential([layers.Dense(1, input_shape=(3,))])
    with warnings.catch_warnings():
        warnings.simplefilter("error", LossActivationWarning)
        quiet.compile(optimizer="rmsprop", loss=strata_losses.BinaryCrossentropy(from_logits=True))
