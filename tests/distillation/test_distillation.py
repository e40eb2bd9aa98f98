"""strata.distillation against Keras's Distiller fit (tools/keras_fixtures/distillation.py)."""

from pathlib import Path

import numpy as np
import pytest
import torch

import strata
from strata.distillation import (
    DistillationLoss,
    Distiller,
    FeatureDistillation,
    LogitsDistillation,
)

K = np.load(Path(__file__).parent / "fixtures" / "keras_distiller.npz")


def _net(prefix):
    model = strata.Sequential(
        [
            strata.Input((4,)),
            strata.layers.Dense(5, "relu", name="hidden"),
            strata.layers.Dense(3, name="logits"),
        ]
    )
    model.set_weights([K[f"{prefix}{i}"] for i in range(4)])
    return model


def _distiller():
    teacher, student = _net("teacher"), _net("student")
    losses = [
        LogitsDistillation(temperature=2.0, loss=strata.losses.KLDivergence()),
        FeatureDistillation(teacher_layer_name="hidden", student_layer_name="hidden"),
    ]
    distiller = Distiller(
        teacher, student, losses, distillation_loss_weights=[1.0, 0.5], student_loss_weight=0.3
    )
    distiller.compile(optimizer=strata.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy")
    return distiller


def test_fit_matches_keras_history_and_student_weights():
    distiller = _distiller()
    history = distiller.fit(K["x"], K["y"], batch_size=16, epochs=3, shuffle=False, verbose=0)
    for key in ("loss", "student_loss", "distillation_loss", "total_loss"):
        np.testing.assert_allclose(history.history[key], K[f"history_{key}"], rtol=1e-5)
    for i, weight in enumerate(distiller.student.get_weights()):
        np.testing.assert_allclose(weight, K[f"trained{i}"], rtol=1e-4, atol=1e-6)
    # The teacher did not move; calling the distiller runs the student.
    for i, weight in enumerate(distiller.teacher.get_weights()):
        np.testing.assert_array_equal(weight, K[f"teacher{i}"])
    x = torch.from_numpy(K["x"])
    torch.testing.assert_close(distiller(x), distiller.student(x))
    logs = distiller.evaluate(K["x"], K["y"], verbose=0, return_dict=True)
    assert set(logs) == {"loss", "student_loss", "distillation_loss", "total_loss"}


def test_logits_distillation_is_hintons_soft_target_loss():
    teacher, student = torch.randn(6, 4), torch.randn(6, 4)
    t = 3.0
    p, q = torch.softmax(teacher / t, -1), torch.softmax(student / t, -1)
    expected = (p * torch.log(p / q)).sum(-1).mean() * t**2
    got = LogitsDistillation(temperature=t).compute_loss(teacher, student)
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-6)
    mse = LogitsDistillation(temperature=2.0, loss="mse").compute_loss(teacher, student)
    torch.testing.assert_close(mse, ((teacher - student) / 2).pow(2).mean())


def test_student_loss_weight_one_ignores_the_teacher():
    distiller = Distiller(
        _net("teacher"), _net("student"), LogitsDistillation(), student_loss_weight=1.0
    )
    distiller.compile(
        optimizer="sgd",
        loss="sparse_categorical_crossentropy",
        metrics=["sparse_categorical_accuracy"],
    )
    logs = distiller.evaluate(K["x"], K["y"], verbose=0, return_dict=True)
    assert logs["distillation_loss"] == 0.0
    assert logs["loss"] == pytest.approx(logs["student_loss"])
    assert 0.0 <= logs["sparse_categorical_accuracy"] <= 1.0


def test_bad_arguments():
    teacher, student = _net("teacher"), _net("student")
    with pytest.raises(ValueError, match="student_loss_weight"):
        Distiller(teacher, student, LogitsDistillation(), student_loss_weight=1.5)
    with pytest.raises(ValueError, match="strata Model"):
        Distiller(teacher, "student", LogitsDistillation())
    with pytest.raises(ValueError, match="one weight per"):
        Distiller(teacher, student, [LogitsDistillation()], distillation_loss_weights=[1, 2])
    with pytest.raises(ValueError, match="matching shapes"):
        other = strata.Sequential([strata.Input((4,)), strata.layers.Dense(2)])
        Distiller(teacher, other, LogitsDistillation())
    with pytest.raises(ValueError, match="In the student model"):
        Distiller(teacher, student, FeatureDistillation(student_layer_name="nope"))
    with pytest.raises(ValueError, match="positive temperature"):
        LogitsDistillation(temperature=0)
    with pytest.raises(ValueError, match="student loss"):
        Distiller(teacher, student, LogitsDistillation()).compile(optimizer="sgd")
    with pytest.raises(NotImplementedError):
        DistillationLoss().compute_loss(None, None)
