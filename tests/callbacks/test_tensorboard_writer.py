"""The summary writer, read back with TensorBoard's own reader and served by a real server."""

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import numpy as np
import pytest
import torch

pytest.importorskip("tensorboard")

from google.protobuf import text_format  # noqa: E402
from PIL import Image  # noqa: E402
from tensorboard.backend.event_processing import event_accumulator  # noqa: E402
from tensorboard.plugins.projector import projector_config_pb2  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

from strata.callbacks import tensorboard_writer  # noqa: E402
from strata.callbacks.tensorboard_writer import (  # noqa: E402
    SummaryWriter,
    build_graph_def,
    write_projector,
)

NODES = [
    ("input_layer", "InputLayer", [], {"output_shape": "(None, 4)"}),
    ("dense", "Dense", ["input_layer"], {"output_shape": "(None, 8)"}),
    ("dense_1", "Dense", ["dense"], {"output_shape": "(None, 2)"}),
]


def _accumulator(run_dir):
    size_guidance = {key: 0 for key in event_accumulator.DEFAULT_SIZE_GUIDANCE}
    acc = event_accumulator.EventAccumulator(str(run_dir), size_guidance=size_guidance)
    acc.Reload()
    return acc


def _tensor_series(acc, tag):
    return [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]


def test_scalars_are_tensor_summaries_of_the_scalars_plugin(tmp_path):
    with SummaryWriter(tmp_path / "train") as writer:
        writer.scalar("epoch_loss", 0.5, step=0)
        writer.scalar("epoch_loss", np.float64(0.25), step=1)
        writer.scalar("epoch_loss", torch.tensor([0.125]), step=2)
        writer.scalar("epoch_learning_rate", 0.1, step=0)
    acc = _accumulator(tmp_path / "train")
    assert set(acc.Tags()["tensors"]) == {"epoch_loss", "epoch_learning_rate"}
    series = _tensor_series(acc, "epoch_loss")
    assert [step for step, _ in series] == [0, 1, 2]
    assert [float(value) for _, value in series] == [0.5, 0.25, 0.125]
    assert all(value.shape == () for _, value in series)
    assert float(_tensor_series(acc, "epoch_learning_rate")[0][1]) == float(np.float32(0.1))
    assert acc.SummaryMetadata("epoch_loss").plugin_data.plugin_name == "scalars"


def test_scalar_rejects_several_values(tmp_path):
    with SummaryWriter(tmp_path) as writer, pytest.raises(ValueError, match="single value"):
        writer.scalar("epoch_loss", np.array([1.0, 2.0]), step=0)


def test_histogram_buckets_are_exact(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        writer.histogram("dense/kernel", np.arange(10.0), step=3, bins=3)
        writer.histogram("dense/bias", torch.tensor([[2.0, 2.0], [2.0, float("nan")]]), step=4)
        writer.histogram("half", torch.linspace(-1, 1, 5, dtype=torch.bfloat16), step=0, bins=2)
    acc = _accumulator(tmp_path)
    assert set(acc.Tags()["histograms"]) == {"dense/kernel", "dense/bias", "half"}
    (event,) = acc.Histograms("dense/kernel")
    histo = event.histogram_value
    assert event.step == 3
    # Edges 0, 3, 6, 9 with right-closed buckets: {0, 1, 2, 3}, {4, 5, 6}, {7, 8, 9}.
    assert (histo.min, histo.max, histo.num) == (0.0, 9.0, 10.0)
    assert (histo.sum, histo.sum_squares) == (45.0, 285.0)
    assert list(histo.bucket_limit) == [3.0, 6.0, 9.0]
    assert list(histo.bucket) == [4.0, 3.0, 3.0]
    # A constant tensor gives one bucket; NaN is left out.
    (event,) = acc.Histograms("dense/bias")
    histo = event.histogram_value
    assert (histo.min, histo.max, histo.num, histo.sum) == (2.0, 2.0, 3.0, 6.0)
    assert list(histo.bucket_limit) == [2.0] and list(histo.bucket) == [3.0]
    (event,) = acc.Histograms("half")
    assert list(event.histogram_value.bucket) == [3.0, 2.0]
    assert list(event.histogram_value.bucket_limit) == [0.0, 1.0]


def test_histogram_rejects_zero_bins(tmp_path):
    with SummaryWriter(tmp_path) as writer, pytest.raises(ValueError, match="bins >= 1"):
        writer.histogram("w", np.ones(3), step=0, bins=0)


def test_images_are_png_with_the_same_pixels(tmp_path):
    rng = np.random.default_rng(0)
    rgb = rng.integers(0, 256, size=(5, 7, 3), dtype=np.uint8)
    grey = np.array([[0.0, 0.5], [1.0, 2.0]])  # 2.0 is clipped to white
    with SummaryWriter(tmp_path) as writer:
        writer.image("samples/rgb", rgb, step=1)
        writer.image("samples/grey", grey[:, :, None], step=2)
    acc = _accumulator(tmp_path)
    (event,) = acc.Images("samples/rgb")
    assert (event.step, event.height, event.width) == (1, 5, 7)
    decoded = np.asarray(Image.open(io.BytesIO(event.encoded_image_string)))
    np.testing.assert_array_equal(decoded, rgb)
    (event,) = acc.Images("samples/grey")
    decoded = np.asarray(Image.open(io.BytesIO(event.encoded_image_string)))
    np.testing.assert_array_equal(decoded, [[0, 128], [255, 255]])


@pytest.mark.parametrize(
    "bad, message",
    [(np.zeros((2, 2, 2)), "1, 3 or 4"), (np.zeros((2, 2, 3), dtype=np.int64), "dtype")],
)
def test_image_rejects_bad_arrays(tmp_path, bad, message):
    with SummaryWriter(tmp_path) as writer, pytest.raises(ValueError, match=message):
        writer.image("bad", bad, step=0)


def test_text_uses_the_text_plugin_tensor_format(tmp_path):
    with SummaryWriter(tmp_path) as writer:
        writer.text("notes", "first **run** ✓", step=0)
        writer.text("notes", "second", step=5)
    acc = _accumulator(tmp_path)
    series = _tensor_series(acc, "notes")
    assert [(step, value.item().decode("utf-8")) for step, value in series] == [
        (0, "first **run** ✓"),
        (5, "second"),
    ]
    assert acc.SummaryMetadata("notes").plugin_data.plugin_name == "text"


def test_graph_round_trips(tmp_path):
    graph = build_graph_def(NODES)
    with SummaryWriter(tmp_path) as writer:
        writer.graph(graph)
    read = _accumulator(tmp_path).Graph()
    assert [(n.name, n.op, list(n.input)) for n in read.node] == [
        ("input_layer", "InputLayer", []),
        ("dense", "Dense", ["input_layer"]),
        ("dense_1", "Dense", ["dense"]),
    ]
    assert read.node[2].attr["output_shape"].s == b"(None, 2)"


@pytest.mark.parametrize(
    "nodes, message",
    [
        ([("a", "Dense", [], {}), ("a", "Dense", [], {})], "'a' repeats"),
        ([("a", "Dense", ["missing"], None)], "unknown inputs \\['missing'\\]"),
    ],
)
def test_build_graph_def_rejects_bad_nodes(nodes, message):
    with pytest.raises(ValueError, match=message):
        build_graph_def(nodes)


def test_closed_writer_refuses_records(tmp_path):
    writer = SummaryWriter(tmp_path)
    with writer:
        pass
    assert writer.closed
    writer.close()  # a second close is harmless
    with pytest.raises(RuntimeError, match="closed"):
        writer.scalar("epoch_loss", 1.0, step=0)


def _projector_files(tmp_path):
    words = np.array([[0.1, -2.5, 3.0], [1e-8, 4.25, -0.3333333]], dtype=np.float32)
    chars = np.arange(8, dtype=np.float64).reshape(4, 2)
    config_path = write_projector(
        tmp_path,
        [
            ("embedding/embeddings:0", words, ["the", "tab\there"]),
            ("chars", torch.from_numpy(chars), None),
        ],
    )
    return config_path, words, chars


def test_projector_config_and_tsv_files(tmp_path):
    config_path, words, chars = _projector_files(tmp_path)
    assert config_path == str(tmp_path / "projector_config.pbtxt")
    config = text_format.Parse(
        (tmp_path / "projector_config.pbtxt").read_text(), projector_config_pb2.ProjectorConfig()
    )
    first, second = config.embeddings
    assert first.tensor_name == "embedding/embeddings:0"
    assert first.tensor_path == "embedding_embeddings_0/tensors.tsv"
    assert first.metadata_path == "embedding_embeddings_0/metadata.tsv"
    assert list(first.tensor_shape) == [2, 3]
    assert (second.tensor_name, second.metadata_path) == ("chars", "")
    assert list(second.tensor_shape) == [4, 2]
    read = np.loadtxt(tmp_path / first.tensor_path, delimiter="\t", dtype=np.float32)
    np.testing.assert_array_equal(read, words)
    read = np.loadtxt(tmp_path / second.tensor_path, delimiter="\t", dtype=np.float32)
    np.testing.assert_array_equal(read, chars.astype(np.float32))
    assert (tmp_path / first.metadata_path).read_text() == "the\ntab here\n"
    leftovers = [name for _, _, files in os.walk(tmp_path) for name in files if ".tmp" in name]
    assert leftovers == []


def test_projector_rejects_mismatched_labels_and_shapes(tmp_path):
    with pytest.raises(ValueError, match="expected 2 labels"):
        write_projector(tmp_path, [("e", np.zeros((2, 3)), ["a"])])
    with pytest.raises(ValueError, match="2-D"):
        write_projector(tmp_path, [("e", np.zeros(3), None)])


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    write_projector(tmp_path, [("e", np.ones((1, 2)), None)])
    before = (tmp_path / "projector_config.pbtxt").read_bytes()

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(tensorboard_writer.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_projector(tmp_path, [("other", np.ones((3, 2)), None)])
    monkeypatch.undo()
    assert (tmp_path / "projector_config.pbtxt").read_bytes() == before
    assert not (tmp_path / "other").exists() or os.listdir(tmp_path / "other") == []


# -- a real TensorBoard server on the loopback interface ------------------------------------


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(opener, url):
    with opener.open(url, timeout=10) as response:
        return response.read()


def _wait_for(opener, url, ready, deadline, log_path):
    last = None
    while time.monotonic() < deadline:
        try:
            body = _get(opener, url)
            last = body
            if ready(body):
                return body
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            last = error
        time.sleep(0.5)
    log = log_path.read_text(errors="replace")[-3000:]
    pytest.fail(f"TensorBoard never served {url}; last answer {last!r}; log:\n{log}")


def test_real_tensorboard_server_serves_the_logs(tmp_path):
    logs = tmp_path / "logs"
    with SummaryWriter(logs / "train") as train, SummaryWriter(logs / "validation") as val:
        for epoch, (loss, val_loss) in enumerate([(1.0, 1.5), (0.5, 0.75), (0.25, 0.375)]):
            train.scalar("epoch_loss", loss, step=epoch)
            val.scalar("epoch_loss", val_loss, step=epoch)
        train.histogram("dense/kernel", np.arange(10.0), step=0, bins=3)
        train.text("notes", "hello", step=0)
        train.image("sample", np.zeros((2, 3, 3), dtype=np.uint8), step=0)
        train.graph(build_graph_def(NODES))
    _, words, _ = _projector_files(logs)

    port = _free_port()
    base = f"http://127.0.0.1:{port}/data/plugin"
    # Never route loopback requests through a proxy from the environment.
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

        tags = json.loads(_wait_for(opener, f"{base}/scalars/tags", both_runs, deadline, log_path))
        assert set(tags) == {"train", "validation"}
        for run, expected in (("train", [1.0, 0.5, 0.25]), ("validation", [1.5, 0.75, 0.375])):
            points = json.loads(_get(opener, f"{base}/scalars/scalars?run={run}&tag=epoch_loss"))
            assert [(step, value) for _, step, value in points] == list(enumerate(expected))

        histograms = json.loads(_get(opener, f"{base}/histograms/tags"))
        assert list(histograms["train"]) == ["dense/kernel"]
        served = json.loads(
            _get(opener, f"{base}/histograms/histograms?run=train&tag=dense/kernel")
        )
        (_, step, buckets) = served[0]
        assert step == 0 and [b[2] for b in buckets] == [4.0, 3.0, 3.0]

        assert json.loads(_get(opener, f"{base}/text/tags"))["train"] == ["notes"]
        assert list(json.loads(_get(opener, f"{base}/images/tags"))["train"]) == ["sample"]

        info = json.loads(_get(opener, f"{base}/graphs/info"))
        assert info["train"]["run_graph"] is True
        graph_text = _get(opener, f"{base}/graphs/graph?run=train").decode("utf-8")
        assert 'name: "dense_1"' in graph_text and 'input: "dense"' in graph_text

        def has_projector_run(body):
            return "." in json.loads(body)

        _wait_for(opener, f"{base}/projector/runs", has_projector_run, deadline, log_path)
        raw = _get(opener, f"{base}/projector/tensor?run=.&name=embedding/embeddings")
        np.testing.assert_array_equal(np.frombuffer(raw, dtype=np.float32).reshape(2, 3), words)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
