from strata.layers.core.dense import Dense
from strata.layers.core.input_layer import Input, InputLayer

__all__ = ["Dense", "Input", "InputLayer"]
