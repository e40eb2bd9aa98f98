"""What the built-in recurrent cells share: arguments, dropout masks, weight layouts.

A built-in cell computes one timestep in two parts so that the RNN loop can do the input half
for every timestep in one matrix product: `project_inputs(sequence)` gives `x @ kernel + bias`
for the whole `(batch, time, features)` sequence, and `step(projected_t, states)` adds the
recurrent half. `call(inputs, states)` (Keras's cell API, one timestep) chains the two.

Kernels are stored as torch's recurrent kernels want them (`(gates * units, features)`, torch's
gate order), so the fused `torch.lstm` / `torch.gru` / `torch.rnn_tanh` functions take them as
they are; `get_weights()` shows Keras's `(features, gates * units)` in Keras's gate order.
"""

from __future__ import annotations

import torch

from strata import activations, constraints, initializers, regularizers
from strata.layers.layer import Layer, WeightLayout


class GateLayout(WeightLayout):
    """Reorders gate blocks along the gate axis (and transposes 2-D kernels) for Keras.

    Args:
        order: for each Keras gate block, the index of the stored block holding it.
        transpose: whether the stored tensor is the transpose of Keras's (kernels).
    """

    def __init__(self, order, transpose):
        self.order = tuple(order)
        self.transpose = transpose
        self.inverse = tuple(self.order.index(i) for i in range(len(self.order)))

    @staticmethod
    def _reorder(tensor, order, axis):
        blocks = tensor.chunk(len(order), dim=axis)
        return torch.cat([blocks[i] for i in order], dim=axis)

    def to_keras(self, tensor):
        if self.transpose:
            return self._reorder(tensor, self.order, 0).t()
        return self._reorder(tensor, self.order, tensor.dim() - 1)

    def from_keras(self, tensor):
        if self.transpose:
            return self._reorder(tensor.t(), self.inverse, 0)
        return self._reorder(tensor, self.inverse, tensor.dim() - 1)


class DropoutRNNCell(Layer):
    """Base of the built-in cells: shared arguments, weights and per-sequence dropout masks.

    Dropout masks are drawn once per sequence (the same mask at every timestep, as in Keras):
    the RNN layer calls `reset_dropout_masks()` before each sequence.
    """

    #: number of gate blocks in the kernels (LSTM 4, GRU 3, SimpleRNN 1).
    gates = 1

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(
                f"{type(self).__name__} expected a positive integer `units`; received {units!r}."
            )
        for what, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0.0 <= float(rate) <= 1.0:
                raise ValueError(
                    f"{type(self).__name__} expected `{what}` in [0, 1]; received {rate!r}."
                )
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.seed = seed
        self._generators = {}
        self.reset_dropout_masks()

    # ------------------------------------------------------------------------------ weights
    def _add_kernels(self, input_dim, layout):
        """Create `kernel` and `recurrent_kernel` in the stored layout given by `layout`."""
        width = self.gates * self.units
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_dim, width),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            keras_layout=layout,
        )
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel",
            shape=(self.units, width),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
            keras_layout=layout,
        )

    def _add_bias(self, shape, initializer=None, layout=None):
        self.bias = self.add_weight(
            name="bias",
            shape=shape,
            initializer=initializer or self.bias_initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint,
            keras_layout=layout,
        )

    # ------------------------------------------------------------------------------ dropout
    def reset_dropout_masks(self):
        """Forget the masks of the previous sequence (the RNN layer calls this per sequence)."""
        self._input_mask = None
        self._recurrent_mask = None

    def _generator(self, device):
        if self.seed is None:
            return None
        key = str(device)
        if key not in self._generators:
            self._generators[key] = torch.Generator(device=device).manual_seed(int(self.seed))
        return self._generators[key]

    def _mask_like(self, like, rate):
        keep = 1.0 - rate
        if keep <= 0.0:
            return torch.zeros_like(like)
        draw = torch.full_like(like, keep)
        return torch.bernoulli(draw, generator=self._generator(like.device)) / keep

    def input_dropout_mask(self, inputs_t, training):
        """The `(batch, features)` input mask of this sequence, or None when inactive."""
        if not training or self.dropout <= 0.0:
            return None
        if self._input_mask is None or self._input_mask.shape != inputs_t.shape:
            self._input_mask = self._mask_like(inputs_t, self.dropout)
        return self._input_mask

    def recurrent_dropout_mask(self, h, training):
        """The `(batch, units)` mask applied to the previous output, or None when inactive."""
        if not training or self.recurrent_dropout <= 0.0:
            return None
        if self._recurrent_mask is None or self._recurrent_mask.shape != h.shape:
            self._recurrent_mask = self._mask_like(h, self.recurrent_dropout)
        return self._recurrent_mask

    # ----------------------------------------------------------------------------- running
    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def get_initial_state(self, batch_size, like=None):
        """Zero states, one `(batch_size, size)` tensor per state."""
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [self.state_size]
        device = like.device if like is not None else None
        dtype = like.dtype if like is not None else None
        return [torch.zeros(batch_size, s, device=device, dtype=dtype) for s in sizes]

    def _input_bias(self):
        return self.bias

    def project_inputs(self, sequence, training=False):
        """`inputs @ kernel + input bias` for every timestep at once (dropout applied)."""
        mask = self.input_dropout_mask(sequence[:, 0], training)
        if mask is not None:
            sequence = sequence * mask.unsqueeze(1)
        return torch.nn.functional.linear(sequence, self.kernel, self._input_bias())

    def call(self, inputs, states=None, training=None):
        """One timestep: returns `(output, new_states)` (new_states is a list).

        `states` may also come inside `inputs` as `[inputs, *states]` (one list argument, as
        functional graphs pass them); without states the cell starts from zeros.
        """
        inputs, states = split_step_inputs(self, inputs, states)
        projected = self.project_inputs(inputs.unsqueeze(1), bool(training)).squeeze(1)
        return self.step(projected, list(states), bool(training))

    def step(self, projected, states, training=False):
        raise NotImplementedError

    def fused_kind(self, training):
        """The name of the fused torch function for this configuration, or None."""
        return None

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }


def split_step_inputs(cell, inputs, states):
    """`(inputs, states as a list)` from a cell's call arguments (see `DropoutRNNCell.call`)."""
    if states is None and isinstance(inputs, (list, tuple)):
        inputs, states = inputs[0], list(inputs[1:])
    if states is None:
        states = cell.get_initial_state(inputs.shape[0], like=inputs)
    if isinstance(states, torch.Tensor):
        states = [states]
    return inputs, list(states)


def check_step_input(cell, input_shape):
    """The feature size of a cell's `(batch, features)` input; errors name what came."""
    if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple)):
        input_shape = input_shape[0]  # [inputs, *states] given as one list
    if len(input_shape) != 2 or input_shape[-1] is None:
        raise ValueError(
            f"{type(cell).__name__} expected a per-timestep input of shape (batch, features) "
            f"with known features; received shape {tuple(input_shape)}."
        )
    return int(input_shape[-1])
