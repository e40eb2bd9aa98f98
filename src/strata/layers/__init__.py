"""Layers with Keras's names, arguments and weight layouts; each one a torch.nn.Module."""

from strata.layers.core.dense import Dense
from strata.layers.core.input_layer import Input, InputLayer
from strata.layers.layer import Layer

__all__ = ["Dense", "Input", "InputLayer", "Layer"]
