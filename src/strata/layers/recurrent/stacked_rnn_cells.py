"""StackedRNNCells: several cells run one after the other at each timestep."""

from strata.layers.layer import Layer
from strata.layers.recurrent._cell_base import check_step_input, split_step_inputs


def state_sizes(cell) -> list[int]:
    """A cell's state sizes as a flat list of ints."""
    size = cell.state_size
    if isinstance(size, (list, tuple)):
        return [n for item in size for n in (item if isinstance(item, (list, tuple)) else [item])]
    return [int(size)]


def output_size(cell) -> int:
    size = getattr(cell, "output_size", None)
    return int(size) if size is not None else state_sizes(cell)[0]


class StackedRNNCells(Layer):
    """Wraps a list of cells so that an `RNN` runs them as one deep cell.

    The states are the cells' states one after the other (a flat list): LSTMCell, GRUCell
    gives `[h1, c1, h2]`.

    Args:
        cells: a list of cells; each takes the previous one's output.

    Input shape:
        `inputs (batch, features)` and `states`, the flat list of every cell's states.

    Output shape:
        `(last cell's output, new flat states)`.

    Example:
        >>> import strata
        >>> cells = [strata.layers.LSTMCell(8), strata.layers.GRUCell(4)]
        >>> layer = strata.layers.RNN(cells)
        >>> layer(strata.Input(shape=(None, 3))).shape
        (None, 4)
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(cells, (list, tuple)) or not cells:
            raise ValueError(f"StackedRNNCells expected a non-empty list of cells; got {cells!r}.")
        for cell in cells:
            if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
                raise ValueError(
                    "StackedRNNCells expected cells with `call` and `state_size`; "
                    f"received {cell!r}."
                )
        self.cells = list(cells)
        for index, cell in enumerate(self.cells):
            self.add_module(f"cell_{index}", cell)

    @property
    def state_size(self):
        return [n for cell in self.cells for n in state_sizes(cell)]

    @property
    def output_size(self):
        return output_size(self.cells[-1])

    def build(self, input_shape):
        features = check_step_input(self, input_shape)
        for cell in self.cells:
            if not cell.built:
                cell._build_for((None, features))
            features = output_size(cell)
        self.built = True

    def reset_dropout_masks(self):
        for cell in self.cells:
            if hasattr(cell, "reset_dropout_masks"):
                cell.reset_dropout_masks()

    def get_initial_state(self, batch_size, like=None):
        from strata.layers.recurrent.rnn import zero_states

        return [s for cell in self.cells for s in zero_states(cell, batch_size, like)]

    def call(self, inputs, states=None, training=None):
        """One timestep of every cell; `states` as in `DropoutRNNCell.call`."""
        from strata.layers.recurrent.rnn import call_cell

        inputs, states = split_step_inputs(self, inputs, states)
        new_states, position = [], 0
        for cell in self.cells:
            count = len(state_sizes(cell))
            inputs, cell_states = call_cell(
                cell, inputs, list(states[position : position + count]), training
            )
            new_states += cell_states
            position += count
        return inputs, new_states

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.output_size)

    def get_config(self):
        from strata import layers

        return {**super().get_config(), "cells": [layers.serialize(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from strata import layers

        config = dict(config)
        cells = [layers.deserialize(c, custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)
