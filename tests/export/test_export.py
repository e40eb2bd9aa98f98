"""model.export: ONNX files run by onnxruntime and torch.export programs give predict's outputs."""

import os

import numpy as np
import pytest
import torch

import strata
from strata import layers

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")


def _onnx_outputs(path, feeds):
    session = ort.InferenceSession(path)
    names = [i.name for i in session.get_inputs()]
    return session.run(None, dict(zip(names, feeds)))


def _cnn():
    inputs = strata.Input(shape=(12, 12, 3))
    x = layers.Conv2D(4, 3, activation="relu")(inputs)
    x = layers.BatchNormalization()(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Dropout(0.5)(x)
    x = layers.Flatten()(x)
    return strata.Model(inputs, layers.Dense(3, activation="softmax")(x))


def _text_model(length=7):
    return strata.Sequential(
        [
            strata.Input(shape=(length,), dtype="int32"),
            layers.Embedding(50, 8),
            layers.LSTM(6),
            layers.Dense(1, activation="sigmoid"),
        ]
    )


def _two_in_two_out():
    image = strata.Input(shape=(5,), name="image")
    meta = strata.Input(shape=(2,), name="meta")
    merged = layers.Concatenate()([layers.Dense(4)(image), meta])
    first = layers.Dense(3, activation="softmax", name="kind")(merged)
    second = layers.Dense(1, name="score")(merged)
    return strata.Model({"image": image, "meta": meta}, [first, second])


@pytest.mark.parametrize(
    "build, make_inputs",
    [
        (_cnn, lambda n, rng: [rng.random((n, 12, 12, 3), dtype=np.float32)]),
        (_text_model, lambda n, rng: [rng.integers(1, 50, (n, 7)).astype(np.int32)]),
    ],
    ids=["cnn", "embedding-lstm"],
)
def test_onnx_matches_predict_for_any_batch_size(tmp_path, build, make_inputs):
    model = build()
    path = model.export(str(tmp_path / "model.onnx"))
    rng = np.random.default_rng(0)
    for batch in (1, 6):
        inputs = make_inputs(batch, rng)
        expected = model.predict(inputs[0], verbose=0)
        (got,) = _onnx_outputs(path, inputs)
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_onnx_free_sequence_length_stays_dynamic_in_a_convolutional_model(tmp_path):
    model = strata.Sequential(
        [
            strata.Input(shape=(None,), dtype="int32"),
            layers.Embedding(50, 8),
            layers.Conv1D(4, 3, activation="relu"),
            layers.GlobalMaxPooling1D(),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    path = model.export(str(tmp_path / "text.onnx"))
    rng = np.random.default_rng(1)
    for length in (4, 13):
        tokens = rng.integers(1, 50, (2, length)).astype(np.int32)
        (got,) = _onnx_outputs(path, [tokens])
        np.testing.assert_allclose(got, model.predict(tokens, verbose=0), rtol=1e-4, atol=1e-5)


def test_onnx_recurrent_model_keeps_a_free_sequence_length(tmp_path):
    model = _text_model(length=None)
    path = model.export(str(tmp_path / "lstm.onnx"))
    rng = np.random.default_rng(5)
    for length in (3, 11):
        tokens = rng.integers(1, 50, (2, length)).astype(np.int32)
        (got,) = _onnx_outputs(path, [tokens])
        np.testing.assert_allclose(got, model.predict(tokens, verbose=0), rtol=1e-4, atol=1e-5)


class _LengthBranching(strata.Model):
    """Python code that branches on a free dimension: torch.export must fix that dimension."""

    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(2)

    def call(self, inputs):
        if inputs.shape[1] == 5:
            inputs = inputs * 2.0
        return self.dense(inputs.mean(axis=1, keepdims=False)[:, None].expand(-1, 3))


@pytest.mark.parametrize("format, suffix", [("onnx", "onnx"), ("torch", "pt2")])
def test_a_free_dimension_that_export_would_fix_is_refused_then_a_fixed_one_works(
    tmp_path, format, suffix
):
    model = _LengthBranching()
    x = np.random.default_rng(6).random((4, 5), dtype=np.float32)
    expected = model.predict(x, verbose=0)
    target = tmp_path / f"branching.{suffix}"
    with pytest.raises(ValueError, match=r"free dimension.*input_signature"):
        model.export(str(target), format=format, input_signature=[((None, None), "float32")])
    assert not target.exists()
    model.export(str(target), format=format, input_signature=[((None, 5), "float32")])
    if format == "onnx":
        (got,) = _onnx_outputs(str(target), [x])
    else:
        with torch.no_grad():
            (got,) = torch.export.load(str(target)).module()(torch.from_numpy(x))
        got = got.numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


class _Subclassed(strata.Model):
    def __init__(self):
        super().__init__()
        self.hidden = layers.Dense(5, activation="tanh")
        self.out = layers.Dense(2)

    def call(self, inputs):
        return self.out(self.hidden(inputs))


def test_subclassed_model_needs_and_uses_an_input_signature(tmp_path):
    model = _Subclassed()
    x = np.random.default_rng(3).random((3, 4), dtype=np.float32)
    model.predict(x, verbose=0)
    with pytest.raises(ValueError, match="input_signature"):
        model.export(str(tmp_path / "sub.onnx"))
    path = model.export(str(tmp_path / "sub.onnx"), input_signature=[((None, 4), "float32")])
    (got,) = _onnx_outputs(path, [x])
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


def test_torch_format_is_a_torch_export_program(tmp_path):
    model = _cnn()
    path = model.export(str(tmp_path / "cnn.pt2"), format="torch")
    program = torch.export.load(path)
    x = np.random.default_rng(4).random((5, 12, 12, 3), dtype=np.float32)
    with torch.no_grad():
        (got,) = program.module()(torch.from_numpy(x))
    np.testing.assert_allclose(got.numpy(), model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("format", ["tf_saved_model", "litert", "pickle"])
def test_unsupported_formats_are_refused_naming_the_supported_ones(tmp_path, format):
    model = _cnn()
    with pytest.raises(ValueError, match="'onnx', 'torch'"):
        model.export(str(tmp_path / "model"), format=format)
    assert not os.listdir(tmp_path)


def test_failed_export_keeps_the_previous_file(tmp_path):
    target = tmp_path / "model.onnx"
    target.write_bytes(b"previous export")
    model = _Subclassed()
    with pytest.raises(ValueError):
        model.export(str(target), input_signature=[("not", "a shape", "at all")])
    assert target.read_bytes() == b"previous export"


def test_training_mode_is_restored_after_export(tmp_path):
    model = _cnn()
    model.train()
    model.export(str(tmp_path / "m.pt2"), format="torch")
    assert model.training
