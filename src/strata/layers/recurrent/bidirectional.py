"""Bidirectional: runs a recurrent layer forwards and a copy of it backwards."""

from __future__ import annotations

import torch

from strata.layers.layer import Layer
from strata.layers.recurrent.rnn import symbolic_outputs

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _strip(name, prefix):
    return name[len(prefix) :] if name.startswith(prefix) else name


class Bidirectional(Layer):
    """Runs `layer` over the sequence and a backwards copy of it, and merges their outputs.

    The forward layer is a fresh copy of `layer` named `forward_<name>`; the backward layer is
    `backward_layer` or a copy with `go_backwards` flipped, named `backward_<name>`. Its output
    sequence is reversed back so both line up in time. Weights: the forward layer's, then the
    backward layer's.

    Args:
        layer: an `RNN` (LSTM, GRU, SimpleRNN, RNN(cell)).
        merge_mode: "concat", "sum", "mul", "ave", or None (a list of both outputs).
        weights: initial weights (Keras's order), set once the layer is built.
        backward_layer: the layer to run backwards (must have `go_backwards=True` unless
            `layer` has it, and the same return_sequences / return_state).

    Call arguments:
        sequences: `(batch, time, features)`.
        initial_state: the forward layer's states followed by the backward layer's.
        mask: `(batch, time)` booleans.
        training: whether dropout is active.

    Input shape:
        `(batch, time, features)`.

    Output shape:
        The layer's output shape with the last size doubled for "concat"; with
        `return_state`, `[output, *forward_states, *backward_states]`.

    Example:
        >>> import strata
        >>> layer = strata.layers.Bidirectional(strata.layers.LSTM(8, return_sequences=True))
        >>> layer(strata.Input(shape=(5, 3))).shape
        (None, 5, 16)
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        super().__init__(**kwargs)
        from strata import layers

        if not isinstance(layer, Layer) or not hasattr(layer, "go_backwards"):
            raise ValueError(
                f"Bidirectional expected a recurrent layer (an RNN such as LSTM); "
                f"received {layer!r}."
            )
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f"Bidirectional expected merge_mode in {_MERGE_MODES}; received {merge_mode!r}."
            )
        config = layers.serialize(layer)
        config["config"]["name"] = "forward_" + _strip(layer.name, "forward_")
        self.forward_layer = layers.deserialize(config)
        if backward_layer is None:
            config = layers.serialize(layer)
            config["config"]["go_backwards"] = not layer.go_backwards
            config["config"]["name"] = "backward_" + _strip(layer.name, "backward_")
            backward_layer = layers.deserialize(config)
            self._custom_backward = False
        else:
            _check_backward(layer, backward_layer)
            self._custom_backward = True
        self.backward_layer = backward_layer
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.stateful = getattr(layer, "stateful", False)
        # Padded steps must not leak into the reversed sequence: both directions output zeros
        # at masked steps when sequences are returned.
        for sublayer in (self.forward_layer, self.backward_layer):
            sublayer.zero_output_for_mask = self.return_sequences
        self._initial_weights = weights
        self.supports_masking = True

    def build(self, input_shape):
        for sublayer in (self.forward_layer, self.backward_layer):
            if not sublayer.built:
                sublayer._build_for(input_shape)
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, sequences, initial_state=None, mask=None, training=None):
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, mask=mask, training=training)
        y_rev = self.backward_layer(
            sequences, initial_state=backward_state, mask=mask, training=training
        )
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = y_rev.flip(1)
        output = _merge(self.merge_mode, y, y_rev)
        if self.return_state:
            return (output if isinstance(output, list) else [output]) + states
        return output

    def reset_states(self, states=None):
        """Reset both directions' kept states (stateful layers)."""
        half = None if states is None else len(states) // 2
        self.forward_layer.reset_states(None if states is None else states[:half])
        self.backward_layer.reset_states(None if states is None else states[half:])

    def compute_output_shape(self, input_shape):
        forward = self.forward_layer.compute_output_shape(input_shape)
        backward = self.backward_layer.compute_output_shape(input_shape)
        if self.return_state:
            forward, forward_states = forward[0], forward[1:]
            backward_states = backward[1:]
            backward = backward[0]
        if self.merge_mode == "concat":
            output = [(*forward[:-1], forward[-1] + backward[-1])]
        elif self.merge_mode is None:
            output = [forward, backward]
        else:
            output = [forward]
        if self.return_state:
            return output + list(forward_states) + list(backward_states)
        return output if self.merge_mode is None else output[0]

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        outputs = [output_mask, output_mask] if self.merge_mode is None else [output_mask]
        if self.return_state:
            count = len(self.forward_layer.compute_output_shape((None, None, 1))) - 1
            return outputs + [None] * (2 * count)
        return outputs if self.merge_mode is None else output_mask

    def compute_output_spec(self, sequences, initial_state=None, **kwargs):
        return symbolic_outputs(self, sequences)

    def get_config(self):
        from strata import layers

        config = {
            **super().get_config(),
            "layer": layers.serialize(self.forward_layer),
            "merge_mode": self.merge_mode,
        }
        if self._custom_backward:
            config["backward_layer"] = layers.serialize(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from strata import layers

        config = dict(config)
        config["layer"] = layers.deserialize(config["layer"], custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = layers.deserialize(config["backward_layer"], custom_objects)
        return cls(**config)


def _merge(mode, y, y_rev):
    if mode == "concat":
        return torch.cat([y, y_rev], dim=-1)
    if mode == "sum":
        return y + y_rev
    if mode == "mul":
        return y * y_rev
    if mode == "ave":
        return (y + y_rev) / 2
    return [y, y_rev]


def _check_backward(layer, backward):
    if not isinstance(backward, Layer) or not hasattr(backward, "go_backwards"):
        raise ValueError(
            f"Bidirectional expected `backward_layer` to be a recurrent layer; got {backward!r}."
        )
    if backward.go_backwards == layer.go_backwards:
        raise ValueError(
            "Bidirectional expected `backward_layer.go_backwards` to differ from "
            f"`layer.go_backwards`; both are {layer.go_backwards}."
        )
    for attribute in ("return_sequences", "return_state", "stateful"):
        if getattr(backward, attribute) != getattr(layer, attribute):
            raise ValueError(
                f"Bidirectional expected `backward_layer.{attribute}` to equal the forward "
                f"layer's ({getattr(layer, attribute)}); received {getattr(backward, attribute)}."
            )
