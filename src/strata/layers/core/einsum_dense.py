"""EinsumDense: a dense layer whose product is any einsum equation."""

from __future__ import annotations

import re

import torch

from strata import activations, constraints, initializers, regularizers
from strata.initializers.random_initializers import VarianceScaling
from strata.layers.layer import Layer

_FORMS = (
    # (pattern on the equation with "..." replaced by "0", ellipsis on the left)
    (re.compile(r"^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$"), False),
    (re.compile(r"^0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$"), True),
    (re.compile(r"^([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$"), False),
)


class EinsumDense(Layer):
    """`activation(einsum(equation, inputs, kernel) + bias)`, for projections of any rank.

    The kernel's shape follows from the equation: each kernel letter takes its size from the
    output (`output_shape`) when the letter appears there, else from the input. The weights are
    stored in Keras's layout, so Keras's weights load as they are.

    Args:
        equation: `"ab,bc->ac"`, `"...ab,bc->...ac"` or `"ab...,bc->ac..."` forms.
        output_shape: the output's shape without the batch axis and the axes the ellipsis
            stands for; `None` entries are taken from the input.
        activation: activation name or function (None: linear).
        bias_axes: output letters that get a bias (None: no bias).
        kernel_initializer, bias_initializer: initializers (glorot_uniform, zeros). A
            variance-scaling kernel initializer counts fans over the kernel's input and output
            letters, as Keras 3 does.
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties.
        kernel_constraint, bias_constraint: projections applied after each update.

    Input shape:
        A tensor matching the equation's input term.

    Output shape:
        `(batch, *output_shape)` with the ellipsis axes kept.

    Example:
        >>> import strata
        >>> layer = strata.layers.EinsumDense("abc,cde->abde", output_shape=(None, 4, 8),
        ...                                   bias_axes="de")
        >>> layer(strata.Input(shape=(5, 16))).shape
        (None, 5, 4, 8)
        >>> [tuple(w.shape) for w in layer.get_weights()]
        [(16, 4, 8), (4, 8)]
    """

    def __init__(
        self,
        equation,
        output_shape,
        activation=None,
        bias_axes=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        lora_rank=None,
        lora_alpha=None,
        gptq_unpacked_column_size=None,
        quantization_config=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(equation, str) or _match(equation) is None:
            raise ValueError(
                "EinsumDense expected an equation of the form 'ab,bc->ac', '...ab,bc->...ac' "
                f"or 'ab...,bc->ac...'; received {equation!r}."
            )
        for name, value in (
            ("lora_rank", lora_rank),
            ("gptq_unpacked_column_size", gptq_unpacked_column_size),
            ("quantization_config", quantization_config),
        ):
            if value is not None:
                raise ValueError(
                    f"EinsumDense expected {name}=None (LoRA and quantization are not "
                    f"supported); received {value!r}."
                )
        self.equation = equation
        if isinstance(output_shape, int) or output_shape is None:
            output_shape = (output_shape,)
        self.partial_output_shape = tuple(output_shape)
        if bias_axes is not None:
            outputs = _match(equation)[0].group(3)
            missing = [c for c in bias_axes if c not in outputs]
            if missing:
                raise ValueError(
                    f"EinsumDense expected bias_axes among the output letters {outputs!r}; "
                    f"received {bias_axes!r}."
                )
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.lora_alpha = lora_alpha

    def build(self, input_shape):
        kernel_shape, bias_shape, _, fans = analyze_equation(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape
        )
        initializer = self.kernel_initializer
        if isinstance(initializer, VarianceScaling):
            initializer = _FansOver(initializer, *fans)
        self.kernel = self.add_weight(
            name="kernel",
            shape=kernel_shape,
            initializer=initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if bias_shape is None:
            self.bias = None
        else:
            self.bias = self.add_weight(
                name="bias",
                shape=bias_shape,
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.built = True

    def call(self, inputs):
        outputs = torch.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        return analyze_equation(
            self.equation, self.bias_axes, input_shape, self.partial_output_shape
        )[2]

    def get_config(self):
        return {
            **super().get_config(),
            "output_shape": list(self.partial_output_shape),
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        }


class _FansOver:
    """A variance-scaling initializer whose fans are products over given kernel axes.

    Every value is drawn independently, so drawing a `(fan_in, fan_out)` matrix and reshaping
    it gives the distribution of the kernel's own shape with those fans.
    """

    def __init__(self, base, fan_in, fan_out):
        self.base, self.fan_in, self.fan_out = base, fan_in, fan_out

    def __call__(self, shape, dtype=None):
        return self.base((self.fan_in, self.fan_out), dtype=dtype).reshape(tuple(shape))


def _match(equation):
    flat = equation.replace("...", "0")
    for pattern, left in _FORMS:
        found = pattern.match(flat)
        if found:
            return found, left
    return None


def analyze_equation(equation, bias_axes, input_shape, partial_output_shape):
    """Shapes that an einsum projection implies.

    Returns:
        `(kernel_shape, bias_shape or None, full output shape, (fan_in, fan_out))`.
    """
    found = _match(equation)
    if found is None:
        raise ValueError(f"EinsumDense cannot parse the equation {equation!r}.")
    (match, left) = found
    in_spec, kernel_spec, out_spec = match.group(1), match.group(2), match.group(3)
    input_shape = tuple(input_shape)
    elided = len(input_shape) - len(in_spec)
    if elided < 0 or (elided > 0 and "..." not in equation):
        raise ValueError(
            f"EinsumDense with equation {equation!r} expected an input of rank {len(in_spec)}; "
            f"received shape {input_shape}."
        )
    output = [input_shape[0], *partial_output_shape]
    if left:
        output[1:1] = list(input_shape[1:elided])
        in_axis = {c: i + elided for i, c in enumerate(in_spec)}
        out_axis = {c: i + elided for i, c in enumerate(out_spec)}
    else:
        output += list(input_shape[len(input_shape) - elided :]) if elided else []
        in_axis = {c: i for i, c in enumerate(in_spec)}
        out_axis = {c: i for i, c in enumerate(out_spec)}
    if len(output) != len(out_spec) + elided:
        raise ValueError(
            f"EinsumDense with equation {equation!r} expected an output_shape of "
            f"{len(out_spec) - (0 if left else 1)} entries; "
            f"received {tuple(partial_output_shape)}."
        )
    for c in out_spec:
        if c in in_axis:
            given, implied = output[out_axis[c]], input_shape[in_axis[c]]
            if given is not None and implied is not None and given != implied:
                raise ValueError(
                    f"EinsumDense: input and output sizes differ at shared letter '{c}' of "
                    f"{equation!r}: input {implied}, output_shape {given}."
                )
            output[out_axis[c]] = implied
        elif c not in kernel_spec:
            raise ValueError(
                f"EinsumDense: output letter '{c}' of {equation!r} is neither in the input "
                "nor in the kernel."
            )
    kernel_shape, fan_in, fan_out = [], 1, 1
    for c in kernel_spec:
        if c in out_axis:
            size = output[out_axis[c]]
            fan_out *= size or 1
        elif c in in_axis:
            size = input_shape[in_axis[c]]
            fan_in *= size or 1
        else:
            raise ValueError(
                f"EinsumDense: kernel letter '{c}' of {equation!r} is neither in the input nor "
                "in the output."
            )
        if size is None:
            raise ValueError(
                f"EinsumDense: the size of kernel letter '{c}' of {equation!r} is unknown; "
                f"give it in output_shape (input shape {input_shape})."
            )
        kernel_shape.append(int(size))
    bias_shape = None
    if bias_axes:
        start = min(out_spec.index(c) for c in bias_axes)
        offset = elided if left else 0
        bias_shape = [
            output[i + start + offset] if c in bias_axes else 1
            for i, c in enumerate(out_spec[start:])
        ]
        if not left:
            bias_shape += [1] * elided
        bias_shape = tuple(int(d) for d in bias_shape)
    return tuple(kernel_shape), bias_shape, tuple(output), (fan_in, fan_out)
