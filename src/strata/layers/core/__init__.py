from strata.layers.core.activation import Activation
from strata.layers.core.dense import Dense
from strata.layers.core.dropout import Dropout
from strata.layers.core.einsum_dense import EinsumDense
from strata.layers.core.embedding import Embedding
from strata.layers.core.flatten import Flatten
from strata.layers.core.identity import Identity
from strata.layers.core.input_layer import Input, InputLayer
from strata.layers.core.lambda_layer import Lambda
from strata.layers.core.masking import Masking
from strata.layers.core.op_layer import OpLayer  # noqa: F401 - registered, not exported
from strata.layers.core.permute import Permute
from strata.layers.core.repeat_vector import RepeatVector
from strata.layers.core.reshape import Reshape
from strata.layers.core.reversible_embedding import ReversibleEmbedding
from strata.layers.core.tensor_op import TensorOp  # noqa: F401 - registered, not exported
from strata.layers.core.torch_module_wrapper import TorchModuleWrapper
from strata.layers.core.wrapper import Wrapper

__all__ = [
    "Activation",
    "Dense",
    "Dropout",
    "EinsumDense",
    "Embedding",
    "Flatten",
    "Identity",
    "Input",
    "InputLayer",
    "Lambda",
    "Masking",
    "Permute",
    "RepeatVector",
    "Reshape",
    "ReversibleEmbedding",
    "TorchModuleWrapper",
    "Wrapper",
]
