"""Seed 000 §7.1 training listings, run with only the import lines changed.

§7.1.1 (compile/fit/evaluate on random data), 7-1/7-2 (two-input question answering, fitted with
a list and with a dict of inputs), 7-3..7-6 (three heads: age, income, gender; losses and loss
weights as lists and dicts, targets as lists and dicts). Sizes are smaller than the book's where
noted, to stay fast.
"""

import io

import numpy as np
import pytest

import strata as keras
from strata import Input, layers
from strata.models import Model, Sequential


# --------------------------------------------------------------------------------- §7.1.1
def test_7_1_1_sequential_and_functional_twins():
    seq_model = Sequential()
    seq_model.add(layers.Dense(32, activation="relu", input_shape=(64,)))
    seq_model.add(layers.Dense(32, activation="relu"))
    seq_model.add(layers.Dense(10, activation="softmax"))
    input_tensor = Input(shape=(64,))
    x = layers.Dense(32, activation="relu")(input_tensor)
    x = layers.Dense(32, activation="relu")(x)
    output_tensor = layers.Dense(10, activation="softmax")(x)
    model = Model(input_tensor, output_tensor)
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    for count in ("2,080", "1,056", "330", "3,466"):
        assert count in text
    assert seq_model.count_params() == model.count_params() == 3466

    unrelated_input = Input(shape=(32,))
    with pytest.raises(ValueError, match="Graph disconnected"):
        Model(unrelated_input, output_tensor)

    model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
    x_train = np.random.random((1000, 64))
    y_train = np.random.random((1000, 10))
    history = model.fit(x_train, y_train, epochs=10, batch_size=128, verbose=0)
    score = model.evaluate(x_train, y_train, verbose=0)
    assert set(history.history) == {"loss"}
    assert len(history.history["loss"]) == 10
    assert isinstance(score, float) and np.isfinite(score)
    # Random targets that do not sum to one: the loss is Keras's -sum(y * log(p)) all the same.
    p = np.clip(model.predict(x_train, verbose=0), 1e-7, 1 - 1e-7)
    assert score == pytest.approx(-(y_train * np.log(p)).sum(1).mean(), rel=1e-4)
    assert history.history["loss"][-1] < history.history["loss"][0]


# ------------------------------------------------------------------------------ 7-1, 7-2
def _question_answering_model(text_vocabulary_size, question_vocabulary_size, answer_size):
    # Listing 7-1, with the vocabulary sizes as arguments.
    text_input = Input(shape=(None,), dtype="int32", name="text")
    embedded_text = layers.Embedding(text_vocabulary_size, 64)(text_input)
    encoded_text = layers.LSTM(32)(embedded_text)
    question_input = Input(shape=(None,), dtype="int32", name="question")
    embedded_question = layers.Embedding(question_vocabulary_size, 32)(question_input)
    encoded_question = layers.LSTM(16)(embedded_question)
    concatenated = layers.concatenate([encoded_text, encoded_question], axis=-1)
    answer = layers.Dense(answer_size, activation="softmax")(concatenated)
    model = Model([text_input, question_input], answer)
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["acc"])
    return model


def test_7_1_and_7_2_two_input_model_fits_with_a_list_and_a_dict():
    text_vocabulary_size = 10000
    question_vocabulary_size = 10000
    answer_vocabulary_size = 500
    model = _question_answering_model(
        text_vocabulary_size, question_vocabulary_size, answer_vocabulary_size
    )
    # The book's shapes, parameters included.
    assert model.count_params() == (
        10000 * 64
        + 4 * (64 * 32 + 32 * 32 + 32)
        + 10000 * 32
        + 4 * (32 * 16 + 16 * 16 + 16)
        + 48 * 500
        + 500
    )
    # Listing 7-2 with num_samples 1000 -> 128 and max_length 100 -> 20.
    num_samples = 128
    max_length = 20
    text = np.random.randint(1, text_vocabulary_size, size=(num_samples, max_length))
    question = np.random.randint(1, question_vocabulary_size, size=(num_samples, max_length))
    answers = np.random.randint(answer_vocabulary_size, size=(num_samples))
    answers = keras.utils.to_categorical(answers, answer_vocabulary_size)
    history = model.fit([text, question], answers, epochs=2, batch_size=64, verbose=0)
    assert set(history.history) == {"loss", "acc"}
    history = model.fit(
        {"text": text, "question": question}, answers, epochs=2, batch_size=64, verbose=0
    )
    assert set(history.history) == {"loss", "acc"}
    assert all(np.isfinite(v).all() for v in history.history.values())


def test_7_2_list_and_dict_inputs_train_identically():
    runs = []
    rng = np.random.default_rng(0)
    text = rng.integers(1, 50, size=(32, 6))
    question = rng.integers(1, 40, size=(32, 5))
    answers = keras.utils.to_categorical(rng.integers(7, size=32), 7)
    for x in ([text, question], {"question": question, "text": text}):
        keras.set_random_seed(11)
        model = _question_answering_model(50, 40, 7)
        history = model.fit(x, answers, epochs=2, batch_size=16, verbose=0)
        runs.append((history.history, model.predict([text, question], verbose=0)))
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])


# ----------------------------------------------------------------------------- 7-3..7-6
def _three_head_model(vocabulary_size, num_income_groups, embedding):
    posts_input = Input(shape=(None,), dtype="int32", name="posts")
    embedded_posts = embedding(posts_input)
    x = layers.Conv1D(128, 5, activation="relu")(embedded_posts)
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(256, 5, activation="relu")(x)
    x = layers.Conv1D(256, 5, activation="relu")(x)
    x = layers.MaxPooling1D(5)(x)
    x = layers.Conv1D(256, 5, activation="relu")(x)
    x = layers.Conv1D(256, 5, activation="relu")(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(128, activation="relu")(x)
    age_prediction = layers.Dense(1, name="age")(x)
    income_prediction = layers.Dense(num_income_groups, activation="softmax", name="income")(x)
    gender_prediction = layers.Dense(1, activation="sigmoid", name="gender")(x)
    return Model(posts_input, [age_prediction, income_prediction, gender_prediction])


def test_7_3_literal_listing_builds_and_summarizes():
    # The book's `Embedding(256, vocabulary_size)` swaps the arguments (input_dim=256,
    # output_dim=50000); built as printed, it must still build and summarize.
    vocabulary_size = 50000
    num_income_groups = 10
    model = _three_head_model(
        vocabulary_size, num_income_groups, layers.Embedding(256, vocabulary_size)
    )
    assert model.output_names == ["age", "income", "gender"]
    assert [tuple(t.shape) for t in model.outputs] == [(None, 1), (None, 10), (None, 1)]
    out = io.StringIO()
    model.summary(print_fn=lambda line, **_: out.write(line + "\n"))
    text = out.getvalue()
    assert "age" in text and "income" in text and "gender" in text
    assert f"{256 * 50000:,}" in text  # the swapped Embedding's weights


VOCABULARY = 200
MAX_LENGTH = 270  # the shortest posts that survive conv(5)/pool(5)/conv/conv/pool/conv/conv
SAMPLES = 48


@pytest.fixture
def posts_and_targets():
    rng = np.random.default_rng(0)
    posts = rng.integers(1, VOCABULARY, size=(SAMPLES, MAX_LENGTH))
    age_targets = rng.normal(30, 5, size=(SAMPLES, 1)).astype("float32") / 10
    income_targets = keras.utils.to_categorical(rng.integers(10, size=SAMPLES), 10)
    gender_targets = rng.integers(0, 2, size=(SAMPLES, 1)).astype("float32")
    return posts, age_targets, income_targets, gender_targets


def _trainable_three_heads():
    return _three_head_model(VOCABULARY, 10, layers.Embedding(VOCABULARY, 256))


_HEAD_KEYS = {"loss", "age_loss", "income_loss", "gender_loss"}


@pytest.mark.parametrize("loss_form", ["list", "dict"])
def test_7_4_multiple_losses_and_7_6_targets(posts_and_targets, loss_form):
    posts, age_targets, income_targets, gender_targets = posts_and_targets
    model = _trainable_three_heads()
    if loss_form == "list":
        model.compile(
            optimizer="rmsprop", loss=["mse", "categorical_crossentropy", "binary_crossentropy"]
        )
    else:
        model.compile(
            optimizer="rmsprop",
            loss={
                "age": "mse",
                "income": "categorical_crossentropy",
                "gender": "binary_crossentropy",
            },
        )
    history = model.fit(
        posts, [age_targets, income_targets, gender_targets], epochs=1, batch_size=16, verbose=0
    )
    assert set(history.history) == _HEAD_KEYS
    history = model.fit(
        posts,
        {"age": age_targets, "income": income_targets, "gender": gender_targets},
        epochs=1,
        batch_size=16,
        verbose=0,
    )
    assert set(history.history) == _HEAD_KEYS
    logs = model.evaluate(
        posts, [age_targets, income_targets, gender_targets], verbose=0, return_dict=True
    )
    # Unweighted: the total is the plain sum of the three head losses.
    assert logs["loss"] == pytest.approx(
        logs["age_loss"] + logs["income_loss"] + logs["gender_loss"], rel=1e-5
    )


@pytest.mark.parametrize("weight_form", ["list", "dict"])
def test_7_5_loss_weights(posts_and_targets, weight_form):
    posts, age_targets, income_targets, gender_targets = posts_and_targets
    model = _trainable_three_heads()
    if weight_form == "list":
        model.compile(
            optimizer="rmsprop",
            loss=["mse", "categorical_crossentropy", "binary_crossentropy"],
            loss_weights=[0.25, 1.0, 10.0],
        )
    else:
        model.compile(
            optimizer="rmsprop",
            loss={
                "age": "mse",
                "income": "categorical_crossentropy",
                "gender": "binary_crossentropy",
            },
            loss_weights={"age": 0.25, "income": 1.0, "gender": 10.0},
        )
    targets = {"age": age_targets, "income": income_targets, "gender": gender_targets}
    history = model.fit(posts, targets, epochs=2, batch_size=16, verbose=0)
    assert set(history.history) == _HEAD_KEYS
    logs = model.evaluate(posts, targets, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(
        0.25 * logs["age_loss"] + 1.0 * logs["income_loss"] + 10.0 * logs["gender_loss"],
        rel=1e-5,
    )
    # The per-head losses are the heads' own losses on the predictions.
    age, income, gender = model.predict(posts, verbose=0)
    assert logs["age_loss"] == pytest.approx(((age - age_targets) ** 2).mean(), rel=1e-4)
    p = np.clip(gender, 1e-7, 1 - 1e-7)
    bce = -(gender_targets * np.log(p) + (1 - gender_targets) * np.log(1 - p)).mean()
    assert logs["gender_loss"] == pytest.approx(bce, rel=1e-4, abs=1e-6)
    q = np.clip(income, 1e-7, 1 - 1e-7)
    assert logs["income_loss"] == pytest.approx(
        -(income_targets * np.log(q)).sum(1).mean(), rel=1e-4
    )


def test_7_3_posts_too_short_for_the_conv_stack_fail_clearly():
    model = _trainable_three_heads()
    model.compile(
        optimizer="rmsprop", loss=["mse", "categorical_crossentropy", "binary_crossentropy"]
    )
    posts = np.random.randint(1, VOCABULARY, size=(4, 40))
    targets = [np.zeros((4, 1)), keras.utils.to_categorical([0, 1, 2, 3], 10), np.zeros((4, 1))]
    before = [w.copy() for w in model.get_weights()]
    with pytest.raises((ValueError, RuntimeError)):
        model.fit(posts, targets, epochs=1, verbose=0)
    for w0, w1 in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(w0, w1)
