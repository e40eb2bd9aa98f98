"""The TensorBoard callback: files read back with TensorBoard's reader and a real server."""

import json
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

pytest.importorskip("tensorboard")

from google.protobuf import text_format  # noqa: E402
from tensorboard.plugins.projector import projector_config_pb2  # noqa: E402
from test_tensorboard_writer import (  # noqa: E402
    _accumulator,
    _free_port,
    _get,
    _tensor_series,
    _wait_for,
)

import strata as keras  # noqa: E402
from strata import layers  # noqa: E402
from strata.callbacks import TensorBoard  # noqa: E402


def embedding_model(max_features=50, max_len=12):
    model = keras.models.Sequential(
        [
            layers.Input((max_len,), dtype="int32"),
            layers.Embedding(max_features, 8, name="embed"),
            layers.Flatten(),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    return model


def imdb_like(n=64, max_features=50, max_len=12):
    rng = np.random.default_rng(0)
    x = rng.integers(0, max_features, size=(n, max_len))
    return x, (x[:, 0] > max_features // 2).astype("float32")


def test_seed_listing_histograms_embeddings_scalars_and_graph(tmp_path):
    log_dir = tmp_path / "my_log_dir"
    model = embedding_model()
    x, y = imdb_like()
    callbacks = [
        keras.callbacks.TensorBoard(log_dir=str(log_dir), histogram_freq=1, embeddings_freq=1)
    ]
    history = model.fit(
        x, y, epochs=3, batch_size=16, validation_split=0.25, callbacks=callbacks, verbose=0
    )
    train = _accumulator(log_dir / "train")
    validation = _accumulator(log_dir / "validation")
    assert {"epoch_loss", "epoch_acc", "epoch_learning_rate"} <= set(train.Tags()["tensors"])
    assert set(validation.Tags()["tensors"]) == {"epoch_loss", "epoch_acc"}
    for run, prefix in ((train, ""), (validation, "val_")):
        series = _tensor_series(run, "epoch_loss")
        assert [step for step, _ in series] == [0, 1, 2]
        np.testing.assert_allclose(
            [float(v) for _, v in series], history.history[f"{prefix}loss"], rtol=1e-6
        )
    rates = [float(v) for _, v in _tensor_series(train, "epoch_learning_rate")]
    np.testing.assert_allclose(rates, [0.001] * 3, rtol=1e-6)
    # Weight and gradient histograms, one per epoch.
    tags = set(train.Tags()["histograms"])
    for weight in ("embed/embeddings", "dense/kernel", "dense/bias"):
        assert f"{weight}/histogram" in tags and f"{weight}/gradient" in tags
        assert [e.step for e in train.Histograms(f"{weight}/histogram")] == [0, 1, 2]
    (last,) = [e for e in train.Histograms("dense/kernel/histogram") if e.step == 2]
    kernel = model.layers[-1].get_weights()[0]
    assert last.histogram_value.num == kernel.size
    assert last.histogram_value.sum == pytest.approx(
        float(kernel.astype(np.float64).sum()), abs=1e-5
    )
    # The graph: the input, then each layer fed by the one before.
    graph = train.Graph()
    assert [(n.name, n.op, list(n.input)) for n in graph.node] == [
        ("input_layer", "InputLayer", []),
        ("embed", "Embedding", ["input_layer"]),
        ("flatten", "Flatten", ["embed"]),
        ("dense", "Dense", ["flatten"]),
    ]
    # The projector: the Embedding's (vocabulary, dim) matrix after the last epoch.
    config = projector_config_pb2.ProjectorConfig()
    text_format.Parse((log_dir / "projector_config.pbtxt").read_text(), config)
    (embedding,) = config.embeddings
    assert embedding.tensor_name == "embed/embeddings"
    assert list(embedding.tensor_shape) == [50, 8]
    matrix = np.loadtxt(log_dir / embedding.tensor_path, delimiter="\t", dtype=np.float32)
    np.testing.assert_array_equal(matrix, model.get_layer("embed").get_weights()[0])


def test_seed_imdb_embedding_is_2000_by_128_in_the_projector(tmp_path):
    model = keras.models.Sequential(
        [
            layers.Input((20,), dtype="int32"),
            layers.Embedding(2000, 128, name="embed"),
            layers.Flatten(),
            layers.Dense(1),
        ]
    )
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["acc"])
    x = np.random.default_rng(0).integers(0, 2000, size=(32, 20))
    y = np.zeros(32, "float32")
    metadata = {"embed": "words.tsv"}
    callback = TensorBoard(log_dir=str(tmp_path), embeddings_freq=1, embeddings_metadata=metadata)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[callback])
    config = projector_config_pb2.ProjectorConfig()
    text_format.Parse((tmp_path / "projector_config.pbtxt").read_text(), config)
    (embedding,) = config.embeddings
    assert list(embedding.tensor_shape) == [2000, 128]
    assert embedding.metadata_path == "words.tsv"
    rows = (tmp_path / embedding.tensor_path).read_text().splitlines()
    assert len(rows) == 2000 and len(rows[0].split("\t")) == 128


def test_batch_scalars_images_and_steps_per_second(tmp_path):
    model = embedding_model()
    x, y = imdb_like(n=64)
    callback = TensorBoard(
        log_dir=str(tmp_path),
        histogram_freq=2,
        write_images=True,
        write_graph=False,
        write_steps_per_second=True,
        update_freq=2,
    )
    model.fit(x, y, epochs=3, batch_size=16, verbose=0, callbacks=[callback])
    train = _accumulator(tmp_path / "train")
    # 4 batches per epoch, 12 in all: batch scalars at every 2nd one.
    assert [step for step, _ in _tensor_series(train, "batch_loss")] == [2, 4, 6, 8, 10, 12]
    assert "batch_steps_per_second" in train.Tags()["tensors"]
    speeds = [float(v) for _, v in _tensor_series(train, "epoch_steps_per_second")]
    assert len(speeds) == 3 and all(s > 0 for s in speeds)
    assert [e.step for e in train.Histograms("dense/kernel/histogram")] == [0, 2]
    (image,) = [e for e in train.Images("dense/kernel/image") if e.step == 2]
    assert (image.height, image.width) == (96, 1)  # the (96, 1) kernel, upright
    assert not (tmp_path / "validation").exists()
    assert train.Tags()["graph"] is False  # write_graph=False


def test_bad_arguments(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NotImplementedError, match="profile_batch"):
        TensorBoard(profile_batch=2)
    with pytest.raises(ValueError, match="update_freq"):
        TensorBoard(update_freq="sometimes")
    model = keras.Sequential([layers.Input((3,)), layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="Embedding"):
        model.fit(
            np.ones((4, 3)), np.ones((4, 1)), verbose=0, callbacks=[TensorBoard(embeddings_freq=1)]
        )


def test_real_tensorboard_server_serves_the_epoch_loss(tmp_path):
    logs = tmp_path / "logs"
    model = embedding_model()
    x, y = imdb_like()
    history = model.fit(
        x,
        y,
        epochs=2,
        batch_size=16,
        validation_split=0.25,
        verbose=0,
        callbacks=[TensorBoard(log_dir=str(logs), histogram_freq=1)],
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}/data/plugin"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    log_path = tmp_path / "tensorboard.log"
    command = [
        sys.executable, "-m", "tensorboard.main", "--logdir", str(logs),
        "--host", "127.0.0.1", "--port", str(port), "--load_fast=false",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60

        def both_runs(body):
            tags = json.loads(body)
            return all("epoch_loss" in tags.get(run, {}) for run in ("train", "validation"))

        _wait_for(opener, f"{base}/scalars/tags", both_runs, deadline, log_path)
        for run, key in (("train", "loss"), ("validation", "val_loss")):
            points = json.loads(_get(opener, f"{base}/scalars/scalars?run={run}&tag=epoch_loss"))
            assert [step for _, step, _ in points] == [0, 1]
            np.testing.assert_allclose([v for _, _, v in points], history.history[key], rtol=1e-6)
        histograms = json.loads(_get(opener, f"{base}/histograms/tags"))
        assert "dense/kernel/histogram" in histograms["train"]
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
