"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax and RReLU."""

from strata.layers.activations.elu import ELU
from strata.layers.activations.leaky_relu import LeakyReLU
from strata.layers.activations.prelu import PReLU
from strata.layers.activations.relu import ReLU
from strata.layers.activations.rrelu import RReLU
from strata.layers.activations.softmax import Softmax

__all__ = ["ELU", "LeakyReLU", "PReLU", "ReLU", "RReLU", "Softmax"]
