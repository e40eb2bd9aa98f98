"""Distiller: a model that trains its student on the labels and on a frozen teacher."""

from __future__ import annotations

import torch

from strata.distillation.distillation_loss import _loss_function
from strata.models import Model


class Distiller(Model):
    """Knowledge distillation: `fit` trains `student`; `teacher` is frozen.

    The loss is `student_loss_weight * student_loss + (1 - student_loss_weight) *
    sum(weight_i * distillation_loss_i)`, where the student loss is the compiled loss on the
    labels and each distillation loss compares teacher and student outputs (or, for
    `FeatureDistillation` with layer names, intermediate layers). Calling the distiller runs
    the student. History keys: `loss`, `student_loss`, `distillation_loss`, `total_loss`, and
    the compiled metrics of the student's predictions.

    Args:
        teacher: a trained strata `Model`.
        student: the strata `Model` to train (same input and output shapes).
        distillation_losses: a `DistillationLoss` or a list of them.
        distillation_loss_weights: one weight per distillation loss (default 1 each).
        student_loss_weight: in [0, 1]; the share of the label loss.
        name: the model's name.

    Example:
        >>> import numpy as np, strata
        >>> from strata.distillation import Distiller, LogitsDistillation
        >>> teacher = strata.Sequential([strata.Input((4,)), strata.layers.Dense(3)])
        >>> student = strata.Sequential([strata.Input((4,)), strata.layers.Dense(3)])
        >>> distiller = Distiller(teacher, student, LogitsDistillation(temperature=2.0))
        >>> distiller.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
        >>> history = distiller.fit(np.ones((8, 4)), np.zeros(8), verbose=0)
        >>> sorted(history.history)
        ['distillation_loss', 'loss', 'student_loss', 'total_loss']
    """

    def __new__(cls, *args, **kwargs):
        # Positional (teacher, student, ...) must not read as Model(inputs, outputs).
        return super(Model, cls).__new__(cls)

    def __init__(
        self,
        teacher,
        student,
        distillation_losses,
        distillation_loss_weights=None,
        student_loss_weight=0.5,
        name="distiller",
        **kwargs,
    ):
        super().__init__(name=name, **kwargs)
        for role, model in (("teacher", teacher), ("student", student)):
            if not isinstance(model, Model):
                raise ValueError(
                    f"Distiller expected the {role} to be a strata Model; received "
                    f"{type(model).__name__}."
                )
        _check_shapes(teacher, student)
        if (
            isinstance(student_loss_weight, bool)
            or not isinstance(student_loss_weight, (int, float))
            or not 0.0 <= student_loss_weight <= 1.0
        ):
            raise ValueError(
                f"Distiller expected student_loss_weight a number in [0, 1]; received "
                f"{student_loss_weight!r}."
            )
        if distillation_losses is None:
            raise ValueError(
                "Distiller expected distillation_losses (e.g. LogitsDistillation()); received None."
            )
        if not isinstance(distillation_losses, (list, tuple)):
            distillation_losses = [distillation_losses]
        weights = distillation_loss_weights or [1.0] * len(distillation_losses)
        if len(weights) != len(distillation_losses):
            raise ValueError(
                f"Distiller expected one weight per distillation loss ({len(distillation_losses)}"
                f"); received {len(weights)} weights."
            )
        for loss in distillation_losses:
            loss.validate_model_compatibility(teacher, student)
        self.teacher = teacher
        self.student = student
        self.distillation_losses = list(distillation_losses)
        self.distillation_loss_weights = list(weights)
        self.student_loss_weight = student_loss_weight
        self.teacher.trainable = False
        self._teacher_features = _feature_model(teacher, "teacher_layer_name", self)
        self._student_features = _feature_model(student, "student_layer_name", self)

    def compile(self, optimizer="adam", loss=None, metrics=None, **kwargs):
        """Compile with the student's label `loss` (required) and optional `metrics`."""
        from strata import metrics as metrics_module

        if loss is None:
            raise ValueError("Distiller.compile expected a student loss; received loss=None.")
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise ValueError(
                f"Distiller.compile expected metrics as a list; received {type(metrics).__name__}."
            )
        self.student_loss = loss
        self._student_loss_fn = _loss_function(loss)
        self._extra_metrics = [metrics_module.get(m) for m in metrics or []]
        self._trackers = {
            name: metrics_module.Mean(name=name)
            for name in ("distillation_loss", "student_loss", "total_loss")
        }
        super().compile(optimizer=optimizer, loss=None, **kwargs)

    def call(self, inputs, training=None):
        return self.student(inputs, training=training)

    def build(self, input_shape):
        self.built = True

    def _features(self, extractor, model, x, names, training):
        outputs = extractor(x, training=training) if extractor else model(x, training=training)
        if extractor is None:
            return {None: outputs}
        return dict(zip([None, *names], outputs))

    def _losses(self, x, y):
        y_pred = None
        student = self._features(self._student_features, self.student, x, self._student_names, True)
        y_pred = student[None]
        student_loss = torch.zeros((), device=y_pred.device)
        if self.student_loss_weight > 0 and y is not None:
            student_loss = self._student_loss_fn(y, y_pred).mean()
        distillation = torch.zeros((), device=y_pred.device)
        if self.student_loss_weight < 1:
            with torch.no_grad():
                teacher = self._features(
                    self._teacher_features, self.teacher, x, self._teacher_names, False
                )
            for loss, weight in zip(self.distillation_losses, self.distillation_loss_weights):
                t = teacher[getattr(loss, "teacher_layer_name", None)]
                s = student[getattr(loss, "student_layer_name", None)]
                loss.validate_outputs(t, s)
                distillation = distillation + weight * loss.compute_loss(t, s)
        w = self.student_loss_weight
        total = w * student_loss + (1 - w) * distillation
        return total, student_loss, distillation, y_pred

    def _record(self, y, y_pred, total, student_loss, distillation):
        batch = len(y_pred)
        values = {
            "distillation_loss": distillation,
            "student_loss": student_loss,
            "total_loss": total,
        }
        for name, value in values.items():
            self._trackers[name].update_state(value.detach(), sample_weight=batch)
        for metric in self._extra_metrics:
            metric.update_state(y, y_pred.detach())
        logs = {name: tracker.result() for name, tracker in self._trackers.items()}
        logs["loss"] = logs["total_loss"]
        logs.update({m.name: m.result() for m in self._extra_metrics})
        return logs

    def train_step(self, data):
        x, y = data[0], data[1] if len(data) > 1 else None
        self.zero_grad(set_to_none=True)
        total, student_loss, distillation, y_pred = self._losses(x, y)
        total.backward()
        trainable = [w for w in self.student.trainable_weights if w.requires_grad]
        with torch.no_grad():
            self.optimizer.apply([w.grad for w in trainable], trainable)
        return self._record(y, y_pred, total, student_loss, distillation)

    def test_step(self, data):
        x, y = data[0], data[1] if len(data) > 1 else None
        with torch.no_grad():
            total, student_loss, distillation, y_pred = self._losses(x, y)
        return self._record(y, y_pred, total, student_loss, distillation)

    @property
    def metrics(self):
        return [*self._trackers.values(), *self._extra_metrics] if self.compiled else []

    def _metric_keys(self):
        # The epoch logs fit and evaluate report (the trainer's seam for log names).
        if not self.compiled:
            return
        yield from ((m.name, m) for m in self._extra_metrics)
        yield "loss", self._trackers["total_loss"]
        yield from self._trackers.items()

    def reset_metrics(self):
        for metric in self.metrics:
            metric.reset_state()

    @property
    def _student_names(self):
        return _layer_names(self.distillation_losses, "student_layer_name")

    @property
    def _teacher_names(self):
        return _layer_names(self.distillation_losses, "teacher_layer_name")

    def get_config(self):
        from strata.saving.registry import serialize_keras_object

        return {
            "name": self.name,
            "teacher": serialize_keras_object(self.teacher),
            "student": serialize_keras_object(self.student),
            "distillation_losses": [
                {"class_name": type(loss).__name__, "config": loss.get_config()}
                for loss in self.distillation_losses
            ],
            "distillation_loss_weights": self.distillation_loss_weights,
            "student_loss_weight": self.student_loss_weight,
        }


def _layer_names(losses, attribute):
    names = []
    for loss in losses:
        name = getattr(loss, attribute, None)
        if name and name not in names:
            names.append(name)
    return names


def _feature_model(model, attribute, distiller):
    names = _layer_names(distiller_losses(distiller), attribute)
    if not names:
        return None
    outputs = [model.outputs[0]] + [model.get_layer(name).output for name in names]
    return Model(model.inputs, outputs, name=f"{model.name}_features")


def distiller_losses(distiller):
    return distiller.__dict__.get("distillation_losses") or []


def _check_shapes(teacher, student):
    for kind in ("inputs", "outputs"):
        ours, theirs = getattr(teacher, kind, None), getattr(student, kind, None)
        if not ours or not theirs:
            continue
        for a, b in zip(ours, theirs):
            sa, sb = tuple(a.shape), tuple(b.shape)
            compatible = len(sa) == len(sb) and all(
                x is None or y is None or x == y for x, y in zip(sa, sb)
            )
            if not compatible:
                raise ValueError(
                    f"Distiller expected teacher and student {kind} of matching shapes; "
                    f"received {sa} and {sb}."
                )
