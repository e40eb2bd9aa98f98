"""What ConvLSTM1D, ConvLSTM2D and ConvLSTM3D share (not exported)."""

from __future__ import annotations

import torch

from strata.layers.recurrent._cell_layer import CellLayer
from strata.layers.recurrent._conv_lstm_cell import ConvLSTMCell
from strata.ops import conv_utils

# Keras's RNN config keys that ConvLSTM constructors do not take.
_CONFIG_ONLY = ("unroll", "zero_output_for_mask")


class ConvLSTM(CellLayer):
    """A convolutional LSTM over `(batch, time, *spatial, channels)` sequences.

    The input convolution of all timesteps runs as one batched convolution; the recurrence runs
    in a loop over timesteps. Inside, tensors are channels-first; the inputs, outputs and states
    are in `data_format`.
    """

    cell_class = ConvLSTMCell
    rank = None

    def _init_conv_lstm(self, arguments, kwargs):
        arguments = {**arguments, "rank": self.rank, "unroll": False}
        self._init_from(arguments, kwargs)

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != self.rank + 3:
            raise ValueError(
                f"{type(self).__name__} expected an input of rank {self.rank + 3} "
                f"(batch, time, {'spatial axes, ' if self.rank > 1 else 'steps, '}channels) "
                f"in {self.cell.data_format}; received shape {input_shape}."
            )
        step_shape = (input_shape[0], *input_shape[2:])
        if any(d is None for d in step_shape[1:]):
            raise ValueError(
                f"{type(self).__name__} expected known spatial sizes and channels; received "
                f"shape {input_shape}."
            )
        if not self.cell.built:
            self.cell._build_for(step_shape)
        self.built = True

    def call(self, sequences, initial_state=None, mask=None, training=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        fmt = self.cell.data_format
        if sequences.dim() != self.rank + 3:
            raise ValueError(
                f"{type(self).__name__} expected an input of rank {self.rank + 3}; received "
                f"shape {tuple(sequences.shape)}."
            )
        training = bool(training)
        if initial_state is not None:
            states = initial_state if isinstance(initial_state, (list, tuple)) else [initial_state]
            if len(states) != 2:
                raise ValueError(
                    f"Layer '{self.name}' expected 2 initial state tensors (h, c); "
                    f"received {len(states)}."
                )
            states = [
                conv_utils.channels_first_view(
                    torch.as_tensor(s, dtype=sequences.dtype, device=sequences.device), fmt
                )
                for s in states
            ]
        else:
            states = self._initial_states(sequences, None)
        if fmt == "channels_last":  # (B, T, *S, C) seen as (B, T, C, *S)
            sequences = sequences.permute(0, 1, self.rank + 2, *range(2, self.rank + 2))
        self.cell.reset_dropout_masks()
        if self.go_backwards:
            sequences = sequences.flip(1)
            mask = None if mask is None else mask.flip(1)
        last, outputs, states = self._conv_loop(sequences, states, mask, training)
        if self.stateful:
            self._keep(states)
        if self.return_sequences:
            output = outputs
            if fmt == "channels_last":
                output = output.permute(0, 1, *range(3, self.rank + 3), 2)
        else:
            output = conv_utils.channels_last_view(last, fmt)
        if self.return_state:
            return [output, *(conv_utils.channels_last_view(s, fmt) for s in states)]
        return output

    def _conv_loop(self, sequences, states, mask, training):
        cell = self.cell
        projected = cell.project_inputs(sequences, training)
        if mask is not None:
            mask = mask.to(torch.bool)
        outputs, carried = [], None
        for t in range(sequences.shape[1]):
            output, new_states = cell.step(projected[:, t], states, training)
            if mask is not None:
                valid = mask[:, t].reshape(-1, *([1] * (output.dim() - 1)))
                carried = torch.zeros_like(output) if carried is None else carried
                new_states = [torch.where(valid, n, s) for n, s in zip(new_states, states)]
                carried = torch.where(valid, output, carried)
                output = carried
            outputs.append(output)
            states = new_states
        last = carried if mask is not None else outputs[-1]
        return last, torch.stack(outputs, dim=1), states

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if not self.cell.built:
            self.build(input_shape)
        batch, steps = input_shape[0], input_shape[1]
        spatial = self.cell.output_spatial()
        step = conv_utils.with_spatial((batch,), spatial, self.cell.filters, self.cell.data_format)
        output = (batch, steps, *step[1:]) if self.return_sequences else step
        if self.return_state:
            return [output, step, step]
        return output

    def get_config(self):
        return {**super().get_config(), "zero_output_for_mask": False}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = {k: v for k, v in config.items() if k not in _CONFIG_ONLY}
        return cls(**config)
