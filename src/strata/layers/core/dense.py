"""Dense: the densely connected layer."""

import torch.nn.functional as F

from strata import activations, constraints, initializers, regularizers
from strata.layers.layer import Layer


class Dense(Layer):
    """`output = activation(dot(input, kernel) + bias)`.

    The kernel is stored as torch's `(units, input_dim)` so the call is exactly `F.linear`;
    `get_weights()` shows Keras's `(input_dim, units)`.

    Args:
        units: size of the last output dimension.
        activation: activation name or function (None: linear).
        use_bias: whether to add a bias vector.
        kernel_initializer, bias_initializer: initializers (glorot_uniform, zeros).
        kernel_regularizer, bias_regularizer, activity_regularizer: penalties.
        kernel_constraint, bias_constraint: projections applied after each update.

    Input shape:
        `(batch_size, ..., input_dim)`.

    Output shape:
        `(batch_size, ..., units)`.

    Example:
        >>> import strata
        >>> layer = strata.layers.Dense(32, activation="relu")
        >>> layer(strata.Input(shape=(64,))).shape
        (None, 32)
        >>> layer.count_params()
        2080
    """

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        lora_rank=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(f"Dense expected a positive integer `units`; received {units!r}.")
        if lora_rank is not None:
            raise ValueError("Dense expected lora_rank=None; LoRA is not supported.")
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.supports_masking = True

    def build(self, input_shape):
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(
                f"Dense expected an input of rank >= 2 with a known last dimension; "
                f"received shape {tuple(input_shape)}."
            )
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_shape[-1], self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            keras_layout=(1, 0),
        )
        if not self.use_bias:
            self.bias = None
        else:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        self.built = True

    def call(self, inputs):
        if not inputs.is_floating_point():  # integer inputs promote to float, as in Keras
            inputs = inputs.to(self.kernel.dtype)
        return self.activation(F.linear(inputs, self.kernel, self.bias))

    def call_without_activation(self, inputs):
        """The pre-activation output: losses use it to compute crossentropy from logits."""
        if not inputs.is_floating_point():
            inputs = inputs.to(self.kernel.dtype)
        return F.linear(inputs, self.kernel, self.bias)

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape[:-1]), self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
