"""The new metrics and losses inside models: saved compile settings and per-class results."""

import numpy as np
import pytest

import strata
from strata import losses, metrics

RNG = np.random.default_rng(7)
X = RNG.normal(size=(24, 4)).astype("float32")
Y = np.eye(3, dtype="float32")[RNG.integers(0, 3, size=24)]


def _model():
    return strata.Sequential([strata.Input((4,)), strata.layers.Dense(3, activation="softmax")])


def test_saved_compile_settings_bring_back_the_same_metrics_and_loss(tmp_path):
    """Metric classes that share a loss's name (KLDivergence, CosineSimilarity, Hinge) come
    back as metrics, with their configs."""
    model = _model()
    model.compile(
        optimizer="sgd",
        loss=losses.CategoricalFocalCrossentropy(gamma=1.0, alpha=0.5),
        metrics=[
            metrics.KLDivergence(),
            metrics.CosineSimilarity(axis=-1),
            metrics.Hinge(),
            metrics.F1Score(average="weighted", threshold=0.4),
            metrics.OneHotMeanIoU(num_classes=3),
            metrics.SensitivityAtSpecificity(0.5, class_id=1, num_thresholds=11),
            "r2_score",
        ],
    )
    model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
    before = model.evaluate(X, Y, verbose=0, return_dict=True)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = strata.saving.load_model(path)
    after = loaded.evaluate(X, Y, verbose=0, return_dict=True)
    assert list(after) == list(before)
    for key in before:
        np.testing.assert_allclose(after[key], before[key], rtol=1e-6, err_msg=key)
    original = [m.get_config() for m in model._targets[0].metrics]
    restored = [m.get_config() for m in loaded._targets[0].metrics]
    assert restored == original
    assert [type(m) for m in loaded._targets[0].metrics] == [
        type(m) for m in model._targets[0].metrics
    ]
    loss = loaded._targets[0].loss
    assert isinstance(loss, losses.CategoricalFocalCrossentropy)
    assert (loss.gamma, loss.alpha) == (1.0, 0.5)


def test_per_class_results_are_arrays_in_the_history():
    """As in Keras, F1Score() (average=None) logs one value per class."""
    model = _model()
    model.compile(optimizer="sgd", loss="categorical_crossentropy", metrics=["f1_score"])
    history = model.fit(X, Y, batch_size=8, epochs=2, verbose=0, validation_data=(X, Y))
    assert sorted(history.history) == ["f1_score", "loss", "val_f1_score", "val_loss"]
    values = history.history["val_f1_score"][-1]
    assert np.shape(values) == (3,)
    m = metrics.F1Score()
    m.update_state(Y, model.predict(X, verbose=0))
    np.testing.assert_allclose(values, m.result().numpy(), rtol=1e-5)


@pytest.mark.parametrize("loss", ["binary_focal_crossentropy", "tversky", "dice"])
def test_string_losses_train(loss):
    model = strata.Sequential([strata.Input((4,)), strata.layers.Dense(1, activation="sigmoid")])
    y = (X[:, :1] > 0).astype("float32")
    model.compile(optimizer=strata.optimizers.SGD(0.5), loss=loss)
    history = model.fit(X, y, batch_size=24, epochs=5, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_data_parallel_sums_the_new_metrics_states(tmp_path):
    """Two torchrun processes (gloo) evaluate shards; results equal one process over all rows."""
    import os
    import socket
    import subprocess
    import sys
    from pathlib import Path

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    source = Path(strata.__file__).resolve().parents[1]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(source), os.environ.get("PYTHONPATH", "")]),
    }
    env.pop("STRATA_DEVICE", None)
    worker = Path(__file__).parent / "workers" / "ddp_metrics_worker.py"
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--nproc_per_node=2",
        f"--master_port={port}",
        str(worker),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=240, env=env)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert sorted(output.count(f"CHECK metrics OK rank={r}") for r in "01") == [1, 1], output[
        -4000:
    ]


@pytest.mark.parametrize(
    "metric",
    [
        metrics.F1Score(),
        metrics.FBetaScore(),
        metrics.R2Score(),
        metrics.PearsonCorrelation(),
        metrics.ConcordanceCorrelation(),
        metrics.CosineSimilarity(),
        metrics.IoU(2, [0]),
        metrics.MeanIoU(2),
        metrics.BinaryIoU(),
        metrics.OneHotIoU(2, [1]),
        metrics.OneHotMeanIoU(2),
        metrics.PrecisionAtRecall(0.5),
        metrics.RecallAtPrecision(0.5),
        metrics.SensitivityAtSpecificity(0.5),
        metrics.SpecificityAtSensitivity(0.5),
    ],
    ids=lambda m: m.name,
)
def test_callbacks_in_auto_mode_maximize_what_keras_maximizes(metric):
    """Keras marks these metrics `_direction = "up"`; EarlyStopping(mode="auto") maximizes."""
    from strata.callbacks._monitor import resolve_mode

    assert resolve_mode("auto", f"val_{metric.name}", "EarlyStopping") == "max"


@pytest.mark.parametrize(
    "name", ["hinge", "squared_hinge", "kl_divergence", "poisson", "logcosh", "val_loss"]
)
def test_callbacks_in_auto_mode_minimize_errors(name):
    from strata.callbacks._monitor import resolve_mode

    assert resolve_mode("auto", name, "EarlyStopping") == "min"
