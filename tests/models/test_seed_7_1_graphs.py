"""Seed 000 §7.1 listings with only the imports changed: graphs, summaries, errors."""

import re

import numpy as np
import pytest
import torch

import strata as keras
from strata import Input, layers
from strata.models import Model, Sequential


def seed_7_1_1():
    seq_model = Sequential()
    seq_model.add(layers.Dense(32, activation="relu", input_shape=(64,)))
    seq_model.add(layers.Dense(32, activation="relu"))
    seq_model.add(layers.Dense(10, activation="softmax"))
    input_tensor = Input(shape=(64,))
    x = layers.Dense(32, activation="relu")(input_tensor)
    x = layers.Dense(32, activation="relu")(x)
    output_tensor = layers.Dense(10, activation="softmax")(x)
    model = Model(input_tensor, output_tensor)
    return seq_model, model, input_tensor, output_tensor


def test_7_1_1_sequential_and_functional_agree_and_count_3466(capsys):
    seq_model, model, _, _ = seed_7_1_1()
    assert seq_model.count_params() == model.count_params() == 3466
    model.summary()
    text = capsys.readouterr().out
    assert "Total params: 3,466" in text
    assert "Trainable params: 3,466" in text
    assert "Non-trainable params: 0" in text
    assert re.search(r"input_layer(_\d+)? \(InputLayer\)", text)
    for row in ("dense_3 (Dense)", "dense_5 (Dense)"):
        assert row in text
    assert re.search(r"dense_3 \(Dense\)\s+│ \(None, 32\)\s+│\s+2,080", text)
    assert re.search(r"dense_5 \(Dense\)\s+│ \(None, 10\)\s+│\s+330", text)
    seq_model.set_weights(model.get_weights())
    x = np.random.default_rng(0).random((5, 64)).astype("float32")
    np.testing.assert_allclose(seq_model.predict(x, verbose=0), model.predict(x, verbose=0))


def test_7_1_1_unrelated_input_is_a_disconnected_graph():
    _, _, input_tensor, output_tensor = seed_7_1_1()
    unrelated_input = Input(shape=(32,))
    with pytest.raises(ValueError) as error:
        Model(unrelated_input, output_tensor)
    message = str(error.value)
    assert "Graph disconnected" in message
    assert input_tensor.node.layer.name in message  # the input that cannot be reached
    assert output_tensor._keras_history[0].name in message  # the output that needs it


def test_7_1_2_two_input_model_builds_with_named_inputs():
    text_input = Input(shape=(None,), dtype="int32", name="text")
    embedded_text = layers.Embedding(10000, 64)(text_input)
    encoded_text = layers.LSTM(32)(embedded_text)
    question_input = Input(shape=(None,), dtype="int32", name="question")
    embedded_question = layers.Embedding(10000, 32)(question_input)
    encoded_question = layers.LSTM(16)(embedded_question)
    concatenated = layers.concatenate([encoded_text, encoded_question], axis=-1)
    answer = layers.Dense(500, activation="softmax")(concatenated)
    model = Model([text_input, question_input], answer)
    assert model.input_names == ["text", "question"]
    # Embeddings 640,000 and 320,000; LSTM(32) on 64: 12,416; LSTM(16) on 32: 3,136;
    # Dense 48 -> 500: 24,500. Keras 3 counts 1,000,052.
    assert model.count_params() == 640000 + 12416 + 320000 + 3136 + 24500 == 1_000_052
    text = np.random.randint(1, 10000, size=(4, 7))
    question = np.random.randint(1, 10000, size=(4, 5))
    by_list = model.predict([text, question], verbose=0)
    by_dict = model.predict({"text": text, "question": question}, verbose=0)
    np.testing.assert_allclose(by_list, by_dict)
    assert by_list.shape == (4, 500)


def test_7_1_3_three_head_model_output_names_and_shapes():
    posts_input = Input(shape=(None,), dtype="int32", name="posts")
    embedded_posts = layers.Embedding(2000, 64)(posts_input)
    x = layers.Conv1D(32, 5, activation="relu")(embedded_posts)
    x = layers.MaxPooling1D(5)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(16, activation="relu")(x)
    age = layers.Dense(1, name="age")(x)
    income = layers.Dense(10, activation="softmax", name="income")(x)
    gender = layers.Dense(1, activation="sigmoid", name="gender")(x)
    model = Model(posts_input, [age, income, gender])
    assert model.output_names == ["age", "income", "gender"]
    outputs = model.predict(np.random.randint(1, 2000, size=(3, 60)), verbose=0)
    assert [o.shape for o in outputs] == [(3, 1), (3, 10), (3, 1)]


def test_7_1_4_inception_module_with_valid_padding_fails_naming_every_shape():
    x = Input(shape=(32, 32, 64))
    branch_a = layers.Conv2D(128, 1, activation="relu", strides=2)(x)
    branch_b = layers.Conv2D(128, 1, activation="relu")(x)
    branch_b = layers.Conv2D(128, 3, activation="relu", strides=2)(branch_b)
    branch_c = layers.AveragePooling2D(3, strides=2)(x)
    branch_c = layers.Conv2D(128, 3, activation="relu")(branch_c)
    branch_d = layers.Conv2D(128, 1, activation="relu")(x)
    branch_d = layers.Conv2D(128, 3, activation="relu")(branch_d)
    branch_d = layers.Conv2D(128, 3, activation="relu", strides=2)(branch_d)
    shapes = [t.shape for t in (branch_a, branch_b, branch_c, branch_d)]
    assert shapes == [
        (None, 16, 16, 128),
        (None, 15, 15, 128),
        (None, 13, 13, 128),
        (None, 14, 14, 128),
    ]
    with pytest.raises(ValueError) as error:
        layers.concatenate([branch_a, branch_b, branch_c, branch_d], axis=-1)
    message = str(error.value)
    assert "concatenate" in message.lower()
    for shape in shapes:
        assert str(shape) in message


def test_7_1_4_inception_module_with_same_padding_builds():
    x = Input(shape=(32, 32, 64))
    a = layers.Conv2D(128, 1, activation="relu", strides=2)(x)
    b = layers.Conv2D(128, 3, activation="relu", strides=2, padding="same")(
        layers.Conv2D(128, 1, activation="relu")(x)
    )
    c = layers.Conv2D(128, 3, activation="relu", padding="same")(
        layers.AveragePooling2D(3, strides=2, padding="same")(x)
    )
    out = layers.concatenate([a, b, c], axis=-1)
    assert out.shape == (None, 16, 16, 384)


def test_7_1_4_residual_connections():
    x = Input(shape=(16, 16, 128))
    y = layers.Conv2D(128, 3, activation="relu", padding="same")(x)
    y = layers.Conv2D(128, 3, activation="relu", padding="same")(y)
    y = layers.add([y, x])
    x2 = Input(shape=(16, 16, 64))
    z = layers.Conv2D(128, 3, activation="relu", padding="same")(x2)
    z = layers.MaxPooling2D(2, strides=2)(z)
    residual = layers.Conv2D(128, 1, strides=2, padding="same")(x2)
    z = layers.add([z, residual])
    assert y.shape == (None, 16, 16, 128)
    assert z.shape == (None, 8, 8, 128)
    model = Model([x, x2], [y, z])
    outs = model.predict([np.zeros((2, 16, 16, 128)), np.zeros((2, 16, 16, 64))], verbose=0)
    assert outs[1].shape == (2, 8, 8, 128)


def test_7_1_5_siamese_lstm_shares_one_set_of_weights():
    lstm = layers.LSTM(32)
    left_input = Input(shape=(None, 128))
    left_output = lstm(left_input)
    right_input = Input(shape=(None, 128))
    right_output = lstm(right_input)
    merged = layers.concatenate([left_output, right_output], axis=-1)
    predictions = layers.Dense(1, activation="sigmoid")(merged)
    model = Model([left_input, right_input], predictions)
    assert model.count_params() == 4 * (128 * 32 + 32 * 32 + 32) + 65
    assert sum(1 for layer in model.layers if layer is lstm) == 1
    data = np.random.default_rng(1).random((3, 6, 128)).astype("float32")
    both = model.get_layer(index=-2)  # the concatenate layer's inputs are the same encoding
    sub = Model([left_input, right_input], both.output)
    encoded = sub.predict([data, data], verbose=0)
    np.testing.assert_allclose(encoded[:, :32], encoded[:, 32:], rtol=1e-6)


def test_7_1_6_models_as_layers_symbolic_and_eager_nested():
    inner_in = Input(shape=(8,))
    inner = Model(inner_in, layers.Dense(4, activation="relu")(inner_in), name="inner")
    seq = Sequential([layers.Dense(3)], name="head")
    x1, x2 = Input(shape=(8,)), Input(shape=(8,))
    y1, y2 = inner(x1), inner(x2)  # y = model(x), the same weights twice
    merged = layers.concatenate([y1, y2])
    out = seq(merged)
    outer = Model([x1, x2], out)
    data = torch.randn(5, 8)
    eager = outer([data, data])
    assert tuple(eager.shape) == (5, 3)
    assert outer.count_params() == inner.count_params() + seq.count_params()
    # three levels deep
    top_in = Input(shape=(8,))
    top = Model(
        top_in, Sequential([outer.layers[-1]])(layers.concatenate([inner(top_in), inner(top_in)]))
    )
    assert tuple(top(data).shape) == (5, 3)


def test_activation_logger_pattern_model_of_every_layer_output():
    model = Sequential(
        [layers.Dense(6, activation="relu", input_shape=(4,)), layers.Dropout(0.5), layers.Dense(2)]
    )
    layer_outputs = [layer.output for layer in model.layers]
    activations_model = keras.models.Model(model.input, layer_outputs)
    outs = activations_model.predict(np.ones((1, 4)), verbose=0)
    assert [o.shape for o in outs] == [(1, 6), (1, 6), (1, 2)]
