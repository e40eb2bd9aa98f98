"""Losses between a teacher's and a student's outputs (logits or intermediate features)."""

from __future__ import annotations

import torch


def _loss_function(loss):
    from strata import losses

    if loss is None:
        return None
    return losses.get(loss) if isinstance(loss, (str, dict)) else loss


def _flatten(value):
    if isinstance(value, dict):
        return [v for key in sorted(value) for v in _flatten(value[key])]
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _flatten(item)]
    return [value]


def _broadcast(losses, outputs):
    """One loss per output: a single loss applies to every output."""
    flat = _flatten(losses)
    count = len(_flatten(outputs))
    if len(flat) == 1:
        return flat * count
    if len(flat) != count:
        raise ValueError(
            f"Distillation expected one loss per output ({count} outputs); received "
            f"{len(flat)} losses."
        )
    return flat


class DistillationLoss:
    """Base class: `compute_loss(teacher_outputs, student_outputs)` returns a scalar tensor.

    Subclasses may also check the models (`validate_model_compatibility`) and the outputs
    (`validate_outputs`) before the first step.
    """

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement compute_loss.")

    def validate_outputs(self, teacher_outputs, student_outputs):
        if len(_flatten(teacher_outputs)) != len(_flatten(student_outputs)):
            raise ValueError(
                "Distillation expected the teacher and the student to give the same number of "
                f"outputs; received {len(_flatten(teacher_outputs))} and "
                f"{len(_flatten(student_outputs))}."
            )

    def validate_model_compatibility(self, teacher, student):
        """Raise ValueError when this loss cannot apply to these models (default: any)."""


class LogitsDistillation(DistillationLoss):
    """Match the student's logits to the teacher's, softened by a temperature.

    With a KL divergence loss (the default) both logits are divided by `temperature`, turned
    into probabilities with a softmax, compared with KL(teacher || student), and the result
    is multiplied by `temperature ** 2` (Hinton et al., 2015); other losses compare the scaled
    logits directly.

    Args:
        temperature: softening temperature, > 0.
        loss: a loss name, function or `Loss` (or a list/dict of them, one per output).

    Example:
        >>> import torch
        >>> loss = LogitsDistillation(temperature=2.0)
        >>> float(loss.compute_loss(torch.tensor([[1.0, 2.0]]), torch.tensor([[1.0, 2.0]])))
        0.0
    """

    def __init__(self, temperature=3.0, loss="kl_divergence"):
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)):
            raise ValueError(
                f"LogitsDistillation expected temperature a number; received {temperature!r}."
            )
        if temperature <= 0:
            raise ValueError(
                f"LogitsDistillation expected a positive temperature; received {temperature}."
            )
        self.temperature = temperature
        self.loss = loss
        if all(fn is None for fn in _flatten(loss)):
            raise ValueError("LogitsDistillation expected at least one loss that is not None.")

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        from strata import losses

        teachers, students = _flatten(teacher_outputs), _flatten(student_outputs)
        total = 0.0
        for spec, teacher, student in zip(_broadcast(self.loss, teachers), teachers, students):
            fn = _loss_function(spec)
            if fn is None:
                continue
            teacher, student = teacher / self.temperature, student / self.temperature
            if fn is losses.kl_divergence or isinstance(fn, losses.KLDivergence):
                value = fn(torch.softmax(teacher, dim=-1), torch.softmax(student, dim=-1))
                total = total + value.mean() * self.temperature**2
            else:
                total = total + fn(teacher, student).mean()
        return total

    def get_config(self):
        return {"temperature": self.temperature, "loss": self.loss}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class FeatureDistillation(DistillationLoss):
    """Match a student layer's output to a teacher layer's (or the final outputs).

    Args:
        loss: loss name, function or `Loss` comparing teacher and student features (default
            mean squared error).
        teacher_layer_name: the teacher layer whose output is the target (None: the output).
        student_layer_name: the student layer trained to match it (None: the output).

    Example:
        >>> import torch
        >>> loss = FeatureDistillation()
        >>> float(loss.compute_loss(torch.zeros(2, 3), torch.ones(2, 3)))
        1.0
    """

    def __init__(self, loss="mse", teacher_layer_name=None, student_layer_name=None):
        if all(fn is None for fn in _flatten(loss)):
            raise ValueError("FeatureDistillation expected at least one loss that is not None.")
        self.loss = loss
        self.teacher_layer_name = teacher_layer_name
        self.student_layer_name = student_layer_name

    def validate_model_compatibility(self, teacher, student):
        for role, model, name in (
            ("teacher", teacher, self.teacher_layer_name),
            ("student", student, self.student_layer_name),
        ):
            if name is None:
                continue
            if getattr(model, "inputs", None) is None:
                raise ValueError(
                    f"FeatureDistillation with a {role} layer name expected a Functional or "
                    f"Sequential {role}; received a subclassed {type(model).__name__}."
                )
            try:
                model.get_layer(name)
            except ValueError as error:
                raise ValueError(f"In the {role} model: {error}") from None

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        teachers, students = _flatten(teacher_outputs), _flatten(student_outputs)
        total = 0.0
        for spec, teacher, student in zip(_broadcast(self.loss, teachers), teachers, students):
            fn = _loss_function(spec)
            if fn is not None:
                total = total + fn(teacher, student).mean()
        return total

    def get_config(self):
        return {
            "loss": self.loss,
            "teacher_layer_name": self.teacher_layer_name,
            "student_layer_name": self.student_layer_name,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
