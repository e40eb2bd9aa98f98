from strata.layers.merging.add import Add, add
from strata.layers.merging.average import Average, average
from strata.layers.merging.concatenate import Concatenate, concatenate
from strata.layers.merging.dot import Dot, dot
from strata.layers.merging.maximum import Maximum, maximum
from strata.layers.merging.minimum import Minimum, minimum
from strata.layers.merging.multiply import Multiply, multiply
from strata.layers.merging.subtract import Subtract, subtract

__all__ = [
    "Add",
    "Average",
    "Concatenate",
    "Dot",
    "Maximum",
    "Minimum",
    "Multiply",
    "Subtract",
    "add",
    "average",
    "concatenate",
    "dot",
    "maximum",
    "minimum",
    "multiply",
    "subtract",
]
