"""plot_model / model_to_dot drawn by the real Graphviz `dot` on the seed's kinds of graphs."""

import os
import re
import struct
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import torch

import strata
from strata import layers
from strata.utils import model_to_dot, plot_model

pydot = pytest.importorskip("pydot")
needs_dot = pytest.mark.skipif(
    not any(Path(p, "dot").exists() for p in os.environ.get("PATH", "").split(os.pathsep)),
    reason="Graphviz's `dot` is not installed (apt-get install graphviz)",
)
SRC = Path(__file__).resolve().parents[2] / "src"


class Concat(layers.Layer):
    """Joins its inputs on the last axis (a merge layer that needs no other module)."""

    def call(self, inputs):
        return torch.cat(inputs, dim=-1)


def question_answering_model():
    """Seed listing 7-1's shape: two inputs merged, one softmax answer."""
    text = strata.Input(shape=(32,), name="text")
    question = strata.Input(shape=(16,), name="question")
    encoded_text = layers.Dense(12, activation="relu", name="text_encoder")(text)
    encoded_question = layers.Dense(6, activation="relu", name="question_encoder")(question)
    merged = Concat(name="concatenated")([encoded_text, encoded_question])
    answer = layers.Dense(50, activation="softmax", name="answer")(merged)
    return strata.Model([text, question], answer, name="qa")


def multi_output_model():
    """Seed listing 7-3's shape: one trunk, age / income / gender heads."""
    posts = strata.Input(shape=(64,), name="posts")
    x = layers.Dense(32, activation="relu", name="trunk")(posts)
    age = layers.Dense(1, name="age")(x)
    income = layers.Dense(10, activation="softmax", name="income")(x)
    gender = layers.Dense(1, activation="sigmoid", name="gender")(x)
    return strata.Model(posts, [age, income, gender], name="social")


def nested_shared_model():
    """A shared layer used twice and a model used as a layer (the dual-camera pattern)."""
    inner_input = strata.Input(shape=(8,), name="inner_in")
    hidden = layers.Dense(6, activation="relu", name="inner_hidden")(inner_input)
    inner = strata.Model(inner_input, layers.Dense(4, name="inner_out")(hidden), name="camera")
    left = strata.Input(shape=(8,), name="left")
    right = strata.Input(shape=(8,), name="right")
    shared = layers.Dense(8, name="shared")
    merged = Concat(name="merge")([inner(shared(left)), inner(shared(right))])
    output = layers.Dense(1, activation="sigmoid", name="same")(merged)
    return strata.Model([left, right], output, name="siamese")


def edges(dot_text):
    return set(re.findall(r'^"?([^"\s]+)"? -> "?([^"\s;]+)"?;$', dot_text, re.MULTILINE))


def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_dot_source_has_every_edge_of_a_multi_input_graph(tmp_path):
    path = tmp_path / "qa.dot"
    assert plot_model(question_answering_model(), to_file=str(path)) is None
    text = path.read_text()
    assert text.startswith("digraph")
    assert edges(text) == {
        ("text", "text_encoder"),
        ("question", "question_encoder"),
        ("text_encoder", "concatenated"),
        ("question_encoder", "concatenated"),
        ("concatenated", "answer"),
    }


def test_multi_output_edges_and_shapes():
    dot = model_to_dot(multi_output_model(), show_shapes=True)
    text = dot.to_string()
    assert edges(text) == {
        ("posts", "trunk"),
        ("trunk", "age"),
        ("trunk", "income"),
        ("trunk", "gender"),
    }
    assert "Input shape: (None, 64)" in text
    assert "Output shape: (None, 10)" in text
    plain = model_to_dot(multi_output_model())
    assert "Output shape" not in plain.to_string()


def test_shared_layer_and_collapsed_nested_model():
    text = model_to_dot(nested_shared_model(), show_shapes=True).to_string()
    assert edges(text) == {
        ("left", "shared"),
        ("right", "shared"),
        ("shared", "camera"),
        ("camera", "merge"),
        ("merge", "same"),
    }
    assert "cluster" not in text
    assert "camera (Functional)" in text
    assert "Input shape: [(None, 4), (None, 4)]" in text  # the merge of two camera outputs


def test_expand_nested_draws_a_cluster_wired_to_its_layers():
    text = model_to_dot(nested_shared_model(), expand_nested=True).to_string()
    assert "subgraph cluster_camera" in text
    assert "camera (Functional)" in text
    assert edges(text) == {
        ("left", "shared"),
        ("right", "shared"),
        ("shared", "camera/inner_in"),
        ("camera/inner_in", "camera/inner_hidden"),
        ("camera/inner_hidden", "camera/inner_out"),
        ("camera/inner_out", "merge"),
        ("merge", "same"),
    }


def test_labels_dtype_activation_trainable_and_names():
    model = multi_output_model()
    model.get_layer("trunk").trainable = False
    text = model_to_dot(
        model, show_dtype=True, show_layer_activations=True, show_trainable=True
    ).to_string()
    assert "dtype: float32" in text
    assert "Activation: softmax" in text and "Activation: linear" in text
    assert text.count("Trainable: N") == 1
    assert text.count("Trainable: Y") == 3
    assert "trunk (Dense)" in text
    nameless = model_to_dot(model, show_layer_names=False).to_string()
    assert "trunk (Dense)" not in nameless and "<b>Dense</b>" in nameless


@needs_dot
def test_png_svg_pdf_are_rendered(tmp_path):
    model = nested_shared_model()
    names = [layer.name for layer in model.layers]
    png = tmp_path / "model.png"
    plot_model(model, to_file=str(png), show_shapes=True)
    width, height = png_size(png.read_bytes())
    assert width > 100 and height > 100

    svg = tmp_path / "model.svg"
    plot_model(model, to_file=svg, show_shapes=True, expand_nested=True)
    root = ET.fromstring(svg.read_bytes())
    texts = " ".join(t.text or "" for t in root.iter() if t.tag.endswith("text"))
    for name in names + ["inner_hidden", "inner_out"]:
        assert name in texts
    assert "(None, 6)" in texts

    pdf = tmp_path / "sub" / "model.pdf"
    plot_model(model, to_file=pdf)
    assert pdf.read_bytes()[:5] == b"%PDF-"


@needs_dot
def test_dpi_and_rankdir_change_the_picture(tmp_path):
    model = strata.Sequential(
        [layers.Dense(4, input_shape=(3,)), layers.Dense(4), layers.Dense(4), layers.Dense(1)]
    )
    plot_model(model, to_file=tmp_path / "low.png", dpi=50)
    plot_model(model, to_file=tmp_path / "high.png", dpi=100)
    plot_model(model, to_file=tmp_path / "wide.png", dpi=50, rankdir="LR")
    low = png_size((tmp_path / "low.png").read_bytes())
    high = png_size((tmp_path / "high.png").read_bytes())
    wide = png_size((tmp_path / "wide.png").read_bytes())
    assert high[0] == pytest.approx(2 * low[0], rel=0.05)
    assert low[1] > low[0]  # a chain of five boxes drawn top to bottom is tall
    assert wide[0] > wide[1]  # and drawn left to right it is wide
    assert "rankdir=LR" in model_to_dot(model, rankdir="LR").to_string()


@needs_dot
def test_returns_an_ipython_image_when_available(tmp_path):
    display = pytest.importorskip("IPython.display")
    result = plot_model(multi_output_model(), to_file=tmp_path / "m.png")
    assert isinstance(result, display.Image)
    assert result.data[:4] == b"\x89PNG"


@needs_dot
def test_sequential_model(tmp_path):
    model = strata.Sequential(
        [layers.Dense(16, activation="relu", input_shape=(10,)), layers.Dense(1)], name="seq"
    )
    text = model_to_dot(model, show_shapes=True).to_string()
    first, second = (layer.name for layer in model.layers)
    input_name = model.inputs[0]._keras_history[0].name
    assert edges(text) == {(input_name, first), (first, second)}
    plot_model(model, to_file=tmp_path / "seq.png")
    assert (tmp_path / "seq.png").read_bytes()[:4] == b"\x89PNG"


def test_errors_for_models_that_cannot_be_drawn(tmp_path):
    with pytest.raises(ValueError, match="built"):
        model_to_dot(strata.Sequential([layers.Dense(2)]))

    class Sub(strata.Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    with pytest.raises(ValueError, match="functional or Sequential"):
        model_to_dot(Sub())
    with pytest.raises(ValueError, match="rankdir"):
        model_to_dot(multi_output_model(), rankdir="UP")
    with pytest.raises(ValueError, match=".jpeg"):
        plot_model(multi_output_model(), to_file=tmp_path / "m.jpeg")


def test_missing_dot_program_says_how_to_install(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    script = textwrap.dedent(
        f"""
        import strata
        from strata import layers
        from strata.utils import plot_model
        model = strata.Sequential([layers.Dense(2, input_shape=(3,))])
        plot_model(model, to_file={str(tmp_path / "m.dot")!r})
        try:
            plot_model(model, to_file={str(tmp_path / "m.png")!r})
        except OSError as error:
            print("ERROR:", error)
        """
    )
    env = {**os.environ, "PATH": str(empty), "PYTHONPATH": str(SRC)}
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "ERROR:" in result.stdout
    assert "apt-get install graphviz" in result.stdout and "`dot`" in result.stdout
    assert (tmp_path / "m.dot").exists()  # the DOT source needs no Graphviz program
    assert not (tmp_path / "m.png").exists()


def test_missing_pydot_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(ImportError, match="pip install pydot"):
        plot_model(multi_output_model(), to_file=tmp_path / "m.png")
