"""RNN: runs a cell over the time axis; the base of LSTM, GRU and SimpleRNN."""

from __future__ import annotations

import inspect

import torch

from strata.backend.keras_tensor import KerasTensor
from strata.layers.layer import Layer
from strata.layers.recurrent import _fused
from strata.layers.recurrent.stacked_rnn_cells import StackedRNNCells, output_size, state_sizes


def zero_states(cell, batch_size, like):
    """Zero initial states of `cell` for `batch_size` rows, with `like`'s dtype and device."""
    if hasattr(cell, "get_initial_state"):
        try:
            return list(cell.get_initial_state(batch_size, like=like))
        except TypeError:
            return list(cell.get_initial_state(batch_size))
    return [like.new_zeros(batch_size, n) for n in state_sizes(cell)]


def call_cell(cell, inputs, states, training):
    """One step of any cell; returns `(output, new_states as a list)`."""
    if _accepts_training(cell):
        output, new_states = cell.call(inputs, states, training=training)
    else:
        output, new_states = cell.call(inputs, states)
    if isinstance(new_states, torch.Tensor):
        new_states = [new_states]
    return output, list(new_states)


def _accepts_training(cell) -> bool:
    return "training" in inspect.signature(cell.call).parameters


class RNN(Layer):
    """Runs `cell` over the timesteps of `(batch, time, features)` sequences.

    A cell has `call(inputs, states, training=None) -> (output, new_states)` and `state_size`
    (an int or a list); a list of cells runs as `StackedRNNCells`. Built-in cells run through
    torch's fused kernels where their configuration allows (see `LSTM`), else in a loop whose
    input projections are one matrix product for all timesteps.

    With a mask (from `Embedding(mask_zero=True)` or `Masking`), a masked timestep keeps the
    previous states and repeats the previous output (zeros before the first valid step; zeros
    throughout with `zero_output_for_mask=True`); the last output is the last valid step's.

    Args:
        cell: a cell instance or a list of cells.
        return_sequences: return every timestep's output (else the last one).
        return_state: also return the final states: `[output, *states]`.
        go_backwards: process the sequence in reverse; returned sequences stay reversed.
        stateful: each batch starts from the previous batch's final states (rows matched by
            index); `reset_states()` sets them back to zeros. The batch size must not change.
        unroll: accepted for compatibility; loops are never unrolled.
        zero_output_for_mask: output zeros (instead of the previous output) at masked steps.

    Call arguments:
        sequences: a `(batch, time, features)` tensor.
        initial_state: a list of `(batch, size)` tensors, one per state.
        mask: a `(batch, time)` boolean tensor; True marks valid steps.
        training: whether dropout is active.

    Input shape:
        `(batch, time, features)`.

    Output shape:
        `(batch, time, units)` with `return_sequences`, else `(batch, units)`; with
        `return_state`, a list `[output, *states]`, each state `(batch, size)`.

    Example:
        >>> import strata
        >>> layer = strata.layers.RNN(strata.layers.SimpleRNNCell(4), return_sequences=True)
        >>> layer(strata.Input(shape=(10, 8))).shape
        (None, 10, 4)
    """

    #: the class of cell that subclasses such as LSTM build from their own arguments.
    cell_class = None

    def __init__(
        self,
        cell,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        zero_output_for_mask=False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError(
                f"RNN expected a cell with `call` and `state_size` (or a list of cells); "
                f"received {cell!r}."
            )
        self.cell = cell
        self.return_sequences = bool(return_sequences)
        self.return_state = bool(return_state)
        self.go_backwards = bool(go_backwards)
        self.stateful = bool(stateful)
        self.unroll = bool(unroll)
        self.zero_output_for_mask = bool(zero_output_for_mask)
        self.supports_masking = True
        self._state_count = 0
        self._force_loop = False  # tests compare the loop with the fused kernels

    # ---------------------------------------------------------------------------------- build
    def build(self, input_shape):
        if len(input_shape) != 3 or input_shape[-1] is None:
            raise ValueError(
                f"{type(self).__name__} expected an input of shape (batch, time, features) with "
                f"known features; received shape {tuple(input_shape)}."
            )
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell._build_for((input_shape[0], input_shape[-1]))
        self.built = True

    # -------------------------------------------------------------------------------- states
    @property
    def states(self):
        """The kept states of a stateful layer (None before its first call)."""
        if not self._state_count:
            return None
        return [getattr(self, f"state_{i}") for i in range(self._state_count)]

    def reset_states(self, states=None):
        """Set a stateful layer's kept states to zeros (or to `states`)."""
        if not self.stateful:
            raise AttributeError(f"Layer '{self.name}' is not stateful; it keeps no states.")
        if self._state_count == 0:
            if states is None:
                return
            states = list(states) if isinstance(states, (list, tuple)) else [states]
            self._keep([torch.as_tensor(s) for s in states])
            return
        with torch.no_grad():
            for index, kept in enumerate(self.states):
                kept.copy_(torch.as_tensor(states[index]) if states is not None else 0.0)

    def reset_state(self, states=None):
        self.reset_states(states)

    def _keep(self, states):
        for index, state in enumerate(states):
            name = f"state_{index}"
            if index < self._state_count:
                setattr(self, name, state.detach())
            else:
                self.register_buffer(name, state.detach(), persistent=False)
        self._state_count = len(states)

    def _initial_states(self, sequences, initial_state):
        batch = sequences.shape[0]
        count = len(state_sizes(self.cell))
        if initial_state is not None:
            states = initial_state if isinstance(initial_state, (list, tuple)) else [initial_state]
            if len(states) != count:
                raise ValueError(
                    f"Layer '{self.name}' expected {count} initial state tensor(s); "
                    f"received {len(states)}."
                )
            return [
                torch.as_tensor(s, dtype=sequences.dtype, device=sequences.device) for s in states
            ]
        if self.stateful and self._state_count:
            kept = self.states
            if kept[0].shape[0] != batch:
                raise ValueError(
                    f"Stateful layer '{self.name}' expected batches of {kept[0].shape[0]} rows "
                    f"(the size it started with); received {batch}. Use a fixed batch size."
                )
            return kept
        return zero_states(self.cell, batch, sequences)

    # -------------------------------------------------------------------------------- calling
    def call(self, sequences, initial_state=None, mask=None, training=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if sequences.dim() != 3:
            raise ValueError(
                f"{type(self).__name__} expected an input of shape (batch, time, features); "
                f"received shape {tuple(sequences.shape)}."
            )
        training = bool(training)
        states = self._initial_states(sequences, initial_state)
        if hasattr(self.cell, "reset_dropout_masks"):
            self.cell.reset_dropout_masks()
        if self.go_backwards:
            sequences = sequences.flip(1)
            mask = None if mask is None else mask.flip(1)
        last, outputs, states = self._run(sequences, states, mask, training)
        if self.stateful:
            self._keep(states)
        output = outputs if self.return_sequences else last
        if self.return_state:
            return [output, *states]
        return output

    def _run(self, sequences, states, mask, training):
        kind = None if self._force_loop else _fused_kind(self.cell, training)
        if kind is not None and (mask is None or sequences.device.type != "meta"):
            span = "all" if mask is None else _fused.contiguous_span(mask)
            if span is not None:
                mask_out = self.cell.input_dropout_mask(sequences[:, 0], training)
                if mask_out is not None:
                    sequences = sequences * mask_out.unsqueeze(1)
                params, has_biases = self.cell.fused_params()
                if span == "all":
                    return _fused.run(kind, sequences, states, params, has_biases)
                return _fused.run_span(
                    kind,
                    sequences,
                    states,
                    params,
                    has_biases,
                    span,
                    mask,
                    self.zero_output_for_mask,
                )
        return self._loop(sequences, states, mask, training)

    def _loop(self, sequences, states, mask, training):
        cell = self.cell
        steps = sequences.shape[1]
        if hasattr(cell, "project_inputs") and hasattr(cell, "step"):
            projected = cell.project_inputs(sequences, training)

            def step(t, states):
                return cell.step(projected[:, t], states, training)

        else:

            def step(t, states):
                return call_cell(cell, sequences[:, t], states, training)

        if mask is not None:
            mask = mask.to(torch.bool)
        outputs, carried = [], None
        for t in range(steps):
            output, new_states = step(t, states)
            if mask is not None:
                valid = mask[:, t, None]
                if carried is None:
                    carried = torch.zeros_like(output)
                new_states = [
                    torch.where(valid, n, s) for n, s in zip(new_states, states, strict=True)
                ]
                carried = torch.where(valid, output, carried)
                output = torch.where(valid, output, 0.0) if self.zero_output_for_mask else carried
            outputs.append(output)
            states = new_states
        last = carried if mask is not None else outputs[-1]
        return last, torch.stack(outputs, dim=1), states

    # --------------------------------------------------------------------------------- shapes
    def compute_output_shape(self, input_shape):
        batch, steps = input_shape[0], input_shape[1]
        units = output_size(self.cell)
        output = (batch, steps, units) if self.return_sequences else (batch, units)
        if self.return_state:
            return [output] + [(batch, n) for n in state_sizes(self.cell)]
        return output

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(state_sizes(self.cell))
        return output_mask

    def compute_output_spec(self, sequences, initial_state=None, **kwargs):
        # Shapes from compute_output_shape, never from running the loop on the meta device.
        return symbolic_outputs(self, sequences)

    def get_config(self):
        from strata import layers

        config = {
            **super().get_config(),
            "return_sequences": self.return_sequences,
            "return_state": self.return_state,
            "go_backwards": self.go_backwards,
            "stateful": self.stateful,
            "unroll": self.unroll,
        }
        if self.cell_class is None:  # the cell is an argument (not made from flat arguments)
            config["zero_output_for_mask"] = self.zero_output_for_mask
            config["cell"] = layers.serialize(self.cell)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from strata import layers

        config = dict(config)
        if "cell" in config:
            cell = config.pop("cell")
            if isinstance(cell, list):
                cell = [layers.deserialize(c, custom_objects) for c in cell]
            else:
                cell = layers.deserialize(cell, custom_objects)
            return cls(cell, **config)
        return cls(**config)


def _fused_kind(cell, training):
    fused_kind = getattr(cell, "fused_kind", None)
    if fused_kind is None:
        return None
    # A subclass that changes the step computes something the fused kernel does not.
    for name in ("step", "call", "project_inputs"):
        own = getattr(type(cell), name)
        if own is not getattr(_builtin_base(cell), name):
            return None
    return fused_kind(training)


def _builtin_base(cell):
    from strata.layers.recurrent.gru_cell import GRUCell
    from strata.layers.recurrent.lstm_cell import LSTMCell
    from strata.layers.recurrent.simple_rnn_cell import SimpleRNNCell

    for base in (LSTMCell, GRUCell, SimpleRNNCell):
        if isinstance(cell, base):
            return base
    return type(cell)


def symbolic_outputs(layer, sequences):
    """KerasTensors for `layer.compute_output_shape`, masks as `layer.compute_mask` gives."""
    if not isinstance(sequences, KerasTensor):
        raise ValueError(
            f"Layer '{layer.name}' expected one symbolic sequence tensor as its input; "
            f"received {sequences!r}."
        )
    shapes = layer.compute_output_shape(sequences.shape)
    dtype = layer._output_dtype(sequences)
    masks = layer.compute_mask(sequences, True if sequences.has_mask else None)
    if isinstance(shapes, list):
        masks = masks if isinstance(masks, list) else [masks] * len(shapes)
        return [
            KerasTensor(s, dtype, has_mask=m is not None)
            for s, m in zip(shapes, masks, strict=True)
        ]
    return KerasTensor(shapes, dtype, has_mask=masks is not None)
