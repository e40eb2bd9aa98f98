"""strata.models.wide_and_deep: a linear wide part and a deep part summed, trained jointly."""

import numpy as np
import pytest

import strata
from strata import layers


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _deep_sequential(n_in=4, hidden=5, units=1, name="deep"):
    return strata.Sequential(
        [
            strata.Input((n_in,), name="numbers"),
            layers.Dense(hidden, activation="relu", name="deep_hidden"),
            layers.Dense(units, name="deep_out"),
        ],
        name=name,
    )


def _data(n=12, n_wide=6, n_deep=4, seed=0):
    rng = np.random.default_rng(seed)
    wide = (rng.random((n, n_wide)) < 0.4).astype("float32")  # multi-hot
    deep = rng.normal(size=(n, n_deep)).astype("float32")
    y = rng.integers(0, 2, size=(n, 1)).astype("float32")
    return wide, deep, y


def _deep_by_hand(deep_model, x):
    w1, b1, w2, b2 = deep_model.get_weights()
    return np.maximum(x @ w1 + b1, 0.0) @ w2 + b2


def test_the_output_is_the_activation_of_wide_plus_deep_logits_computed_by_hand():
    wide_x, deep_x, _ = _data()
    deep = _deep_sequential()
    model = strata.models.wide_and_deep(strata.Input((6,), name="words"), deep)
    assert model.input_names == ["words", "numbers"]
    kernel, bias = model.get_layer("wide").get_weights()
    expected = _sigmoid(wide_x @ kernel + bias + _deep_by_hand(deep, deep_x))
    got = model.predict([wide_x, deep_x], verbose=0)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_a_hidden_deep_output_is_projected_and_softmax_covers_several_classes():
    wide_x, deep_x, _ = _data()
    hidden = strata.Input((4,), name="numbers")
    deep = layers.Dense(5, activation="tanh", name="deep_hidden")(hidden)
    model = strata.models.wide_and_deep(
        strata.Input((6,), name="words"),
        deep,
        num_outputs=3,
        activation="softmax",
        deep_output="hidden",
    )
    wk, wb = model.get_layer("wide").get_weights()
    hk, hb = model.get_layer("deep_hidden").get_weights()
    (pk,) = model.get_layer("deep_logits").get_weights()  # no bias: the wide part holds b
    logits = wide_x @ wk + wb + np.tanh(deep_x @ hk + hb) @ pk
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict([wide_x, deep_x], verbose=0), expected, rtol=1e-5)


def test_one_fit_with_one_loss_trains_both_parts():
    wide_x, deep_x, y = _data(n=32)
    deep = _deep_sequential()
    model = strata.models.wide_and_deep(strata.Input((6,), name="words"), deep)
    model.compile(optimizer=strata.optimizers.Adagrad(0.1), loss="binary_crossentropy")
    wide_before = [w.copy() for w in model.get_layer("wide").get_weights()]
    deep_before = [w.copy() for w in deep.get_weights()]
    history = model.fit([wide_x, deep_x], y, epochs=3, batch_size=8, verbose=0)
    for before, after in zip(wide_before, model.get_layer("wide").get_weights()):
        assert not np.allclose(before, after)
    for before, after in zip(deep_before, deep.get_weights()):
        assert not np.allclose(before, after)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_crossed_features_are_one_hot_hashed_crossings_feeding_the_wide_layer():
    rng = np.random.default_rng(1)
    a_x = rng.integers(0, 5, size=(10, 1)).astype("int64")
    b_x = rng.integers(0, 3, size=(10, 1)).astype("int64")
    deep_x = rng.normal(size=(10, 4)).astype("float32")
    a = strata.Input((1,), dtype="int64", name="a")
    b = strata.Input((1,), dtype="int64", name="b")
    a_hot = layers.CategoryEncoding(5, output_mode="one_hot", name="a_hot")(a)
    deep = _deep_sequential()
    model = strata.models.wide_and_deep(a_hot, deep, crosses=[(a, b, 7)])
    assert model.input_names == ["a", "b", "numbers"]
    kernel, bias = model.get_layer("wide").get_weights()
    assert kernel.shape == (5 + 7, 1)
    crossed = strata.layers.HashedCrossing(7, output_mode="one_hot")([a_x, b_x])
    crossed = np.asarray(crossed)
    assert crossed.shape == (10, 7)
    np.testing.assert_array_equal(crossed.sum(axis=1), np.ones(10))
    wide_x = np.concatenate([np.eye(5, dtype="float32")[a_x[:, 0]], crossed], axis=1)
    expected = _sigmoid(wide_x @ kernel + bias + _deep_by_hand(deep, deep_x))
    got = model.predict([a_x, b_x, deep_x], verbose=0)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def _shared_input_model():
    tokens = strata.Input((8,), dtype="int64", name="tokens")
    bag = layers.CategoryEncoding(10, output_mode="multi_hot", name="bag")(tokens)
    x = layers.Embedding(10, 3, name="embedding")(tokens)
    x = layers.GlobalAveragePooling1D(name="pool")(x)
    deep = layers.Dense(1, name="deep_out")(x)
    return strata.models.wide_and_deep(bag, deep, wide_regularizer="l1")


def test_wide_and_deep_parts_may_share_one_input():
    model = _shared_input_model()
    assert model.input_names == ["tokens"]
    tokens = np.random.default_rng(2).integers(0, 10, size=(6, 8))
    bag = np.zeros((6, 10), "float32")
    for row, ids in enumerate(tokens):
        bag[row, ids] = 1.0
    kernel, bias = model.get_layer("wide").get_weights()
    (table,) = model.get_layer("embedding").get_weights()
    dk, db = model.get_layer("deep_out").get_weights()
    expected = _sigmoid(bag @ kernel + bias + table[tokens].mean(axis=1) @ dk + db)
    np.testing.assert_allclose(model.predict(tokens, verbose=0), expected, rtol=1e-5, atol=1e-6)


def test_save_and_load_keep_predictions_with_crosses_and_a_nested_deep_model(tmp_path):
    a = strata.Input((1,), dtype="int64", name="a")
    b = strata.Input((1,), dtype="int64", name="b")
    words = strata.Input((6,), name="words")
    model = strata.models.wide_and_deep([words], _deep_sequential(), crosses=[(a, b, 7)])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    rng = np.random.default_rng(3)
    x = [
        (rng.random((9, 6)) < 0.5).astype("float32"),
        rng.integers(0, 4, size=(9, 1)),
        rng.integers(0, 4, size=(9, 1)),
        rng.normal(size=(9, 4)).astype("float32"),
    ]
    model.fit(x, rng.integers(0, 2, size=(9, 1)).astype("float32"), epochs=1, verbose=0)
    path = tmp_path / "wide_and_deep.keras"
    model.save(path)
    loaded = strata.models.load_model(path)
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in model.layers]
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_summary_and_plot_show_both_parts(tmp_path):
    pytest.importorskip("pydot")
    model = _shared_input_model()
    lines = []
    model.summary(print_fn=lambda line, **kwargs: lines.append(line))
    text = "\n".join(lines)
    for name in ("bag", "wide", "embedding", "deep_out", "wide_deep_logits", "prediction"):
        assert name in text
    dot = tmp_path / "model.dot"
    strata.utils.plot_model(model, to_file=str(dot), show_shapes=True)
    assert "wide_deep_logits" in dot.read_text()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"num_outputs": 3}, "num_outputs=3 units"),
        ({"num_outputs": 0}, "num_outputs as a positive int"),
        ({"deep_output": "last"}, "deep_output in"),
        ({"crosses": [("a", 5)]}, "each cross as a tuple"),
        ({"name": ""}, "non-empty str"),
    ],
)
def test_bad_arguments_raise_clear_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        strata.models.wide_and_deep(strata.Input((6,)), _deep_sequential(), **kwargs)


def test_bad_wide_inputs_and_deep_models_raise_clear_value_errors():
    deep = _deep_sequential()
    with pytest.raises(ValueError, match="float wide inputs"):
        strata.models.wide_and_deep(strata.Input((3,), dtype="int64"), deep)
    with pytest.raises(ValueError, match=r"shape \(batch, features\)"):
        strata.models.wide_and_deep(strata.Input((3, 2)), deep)
    with pytest.raises(ValueError, match="symbolic tensors"):
        strata.models.wide_and_deep(np.zeros((2, 3)), deep)
    with pytest.raises(ValueError, match="at least one wide feature"):
        strata.models.wide_and_deep([], deep)
    with pytest.raises(ValueError, match="deep_model as a strata.Model"):
        strata.models.wide_and_deep(strata.Input((3,)), layers.Dense(1))
    a = strata.Input((1,), dtype="int64")
    with pytest.raises(ValueError, match="num_bins, a positive int"):
        strata.models.wide_and_deep(
            strata.Input((3,)), deep, crosses=[(a, strata.Input((1,), dtype="int64"), 0)]
        )
    inputs = strata.Input((4,))
    two_outputs = strata.Model(inputs, [layers.Dense(1)(inputs), layers.Dense(1)(inputs)])
    with pytest.raises(ValueError, match="one output"):
        strata.models.wide_and_deep(strata.Input((3,)), two_outputs)


def test_per_part_learning_rates_through_an_optimizer_variable_group():
    wide_x, deep_x, y = _data(n=16)
    deep = _deep_sequential()
    model = strata.models.wide_and_deep(strata.Input((6,), name="words"), deep)
    model.compile(optimizer=strata.optimizers.Adagrad(0.1), loss="binary_crossentropy")
    model.optimizer.add_variable_group(model.get_layer("wide").trainable_weights, 0.0)
    wide_before = [w.copy() for w in model.get_layer("wide").get_weights()]
    deep_before = deep.get_weights()[0].copy()
    model.fit([wide_x, deep_x], y, epochs=1, batch_size=8, verbose=0)
    for before, after in zip(wide_before, model.get_layer("wide").get_weights()):
        np.testing.assert_array_equal(before, after)
    assert not np.allclose(deep_before, deep.get_weights()[0])


def test_clone_model_rebuilds_the_same_architecture_with_fresh_weights():
    model = _shared_input_model()
    clone = strata.models.clone_model(model)
    assert [layer.name for layer in clone.layers] == [layer.name for layer in model.layers]
    assert clone.count_params() == model.count_params()
    tokens = np.random.default_rng(4).integers(0, 10, size=(5, 8))
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(tokens, verbose=0), model.predict(tokens, verbose=0))
