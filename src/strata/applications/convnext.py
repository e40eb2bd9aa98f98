"""ConvNeXt Tiny, Small, Base, Large and XLarge (Liu et al., 2022): a modernized ResNet."""

from __future__ import annotations

import numpy as np
import torch

from strata import layers
from strata.applications import _builder, imagenet_utils
from strata.backend import config as backend_config
from strata.models import Sequential
from strata.saving.registry import register_keras_serializable

__all__ = [
    "ConvNeXtBase",
    "ConvNeXtLarge",
    "ConvNeXtSmall",
    "ConvNeXtTiny",
    "ConvNeXtXLarge",
    "decode_predictions",
    "preprocess_input",
]

# size: (blocks per stage, channels per stage); every size's default input is 224.
MODEL_CONFIGS = {
    "tiny": ((3, 3, 9, 3), (96, 192, 384, 768)),
    "small": ((3, 3, 27, 3), (96, 192, 384, 768)),
    "base": ((3, 3, 27, 3), (128, 256, 512, 1024)),
    "large": ((3, 3, 27, 3), (192, 384, 768, 1536)),
    "xlarge": ((3, 3, 27, 3), (256, 512, 1024, 2048)),
}
LN_EPSILON = 1e-6


@register_keras_serializable(package="strata_applications")
class StochasticDepth(layers.Layer):
    """Drops the whole residual branch of a sample with probability `drop_path_rate` while
    training (survivors are scaled by `1 / (1 - rate)`); the identity at inference."""

    def __init__(self, drop_path_rate, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= float(drop_path_rate) < 1:
            raise ValueError(
                f"StochasticDepth expected 0 <= drop_path_rate < 1; received {drop_path_rate!r}."
            )
        self.drop_path_rate = float(drop_path_rate)

    def call(self, x, training=None):
        if not training or self.drop_path_rate == 0:
            return x
        keep = 1.0 - self.drop_path_rate
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        mask = torch.floor(keep + torch.rand(shape, dtype=x.dtype, device=x.device))
        return x / keep * mask

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "drop_path_rate": self.drop_path_rate}


@register_keras_serializable(package="strata_applications")
class LayerScale(layers.Layer):
    """Multiplies the last axis by a learned vector `gamma` (`projection_dim` values, all
    `init_values` at first). Keras leaves this weight unnamed; files load it by position."""

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(projection_dim, (int, np.integer)) or projection_dim < 1:
            raise ValueError(
                f"LayerScale expected a positive integer projection_dim; received "
                f"{projection_dim!r}."
            )
        self.init_values = float(init_values)
        self.projection_dim = int(projection_dim)

    def build(self, input_shape):
        from strata import initializers

        self.gamma = self.add_weight(
            shape=(self.projection_dim,), initializer=initializers.Constant(self.init_values)
        )

    def call(self, x):
        return x * self.gamma

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        config = super().get_config()
        return {**config, "init_values": self.init_values, "projection_dim": self.projection_dim}


def convnext_block(x, projection_dim, drop_path_rate, layer_scale_init_value, name):
    """7x7 depthwise convolution, LayerNorm, 4x GELU MLP, layer scale, residual sum."""
    inputs = x
    x = layers.Conv2D(
        projection_dim, 7, padding="same", groups=projection_dim, name=name + "_depthwise_conv"
    )(x)
    x = layers.LayerNormalization(epsilon=LN_EPSILON, name=name + "_layernorm")(x)
    x = layers.Dense(4 * projection_dim, name=name + "_pointwise_conv_1")(x)
    x = layers.Activation("gelu", name=name + "_gelu")(x)
    x = layers.Dense(projection_dim, name=name + "_pointwise_conv_2")(x)
    if layer_scale_init_value is not None:
        x = LayerScale(layer_scale_init_value, projection_dim, name=name + "_layer_scale")(x)
    if drop_path_rate:
        x = StochasticDepth(drop_path_rate, name=name + "_stochastic_depth")(x)
    else:
        x = layers.Activation("linear", name=name + "_identity")(x)
    return layers.Add()([inputs, x])


def _downsampling(name, index, filters):
    """The stem (index 0: 4x4 patches, LayerNorm) or a LayerNorm and 2x2 strided conv."""
    if index == 0:
        return Sequential(
            [
                layers.Conv2D(filters, 4, strides=4, name=name + "_stem_conv"),
                layers.LayerNormalization(epsilon=LN_EPSILON, name=name + "_stem_layernorm"),
            ],
            name=name + "_stem",
        )
    i = index - 1
    return Sequential(
        [
            layers.LayerNormalization(
                epsilon=LN_EPSILON, name=f"{name}_downsampling_layernorm_{i}"
            ),
            layers.Conv2D(filters, 2, strides=2, name=f"{name}_downsampling_conv_{i}"),
        ],
        name=f"{name}_downsampling_block_{i}",
    )


def build_convnext(
    size, include_top, include_preprocessing, weights, input_tensor, input_shape, pooling,
    classes, classifier_activation, name, drop_path_rate=0.0, layer_scale_init_value=1e-6,
):  # fmt: skip
    """The ConvNeXt graph of `size` (a key of `MODEL_CONFIGS`)."""
    kind = "ConvNeXt" + {"xlarge": "XLarge"}.get(size, size.capitalize())
    depths, dims = MODEL_CONFIGS[size]
    _builder.check_arguments(kind, weights, pooling, classes, classifier_activation)
    if backend_config.image_data_format() != "channels_last":
        raise ValueError(
            f"{kind} expected the 'channels_last' image data format (as in Keras); received "
            f"{backend_config.image_data_format()!r}."
        )
    input_shape = _builder.input_shape_for(kind, input_shape, 224, 32, include_top)
    img_input = _builder.image_input(input_tensor, input_shape)

    x = img_input
    if include_preprocessing and img_input.shape[-1] == 3:
        # Pixels in [0, 255] normalized by ImageNet's mean and std (scaled to 255).
        x = layers.Normalization(
            mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
            variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2],
            name=name + "_prestem_normalization",
        )(x)
    rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
    block = 0
    for stage, (depth, dim) in enumerate(zip(depths, dims, strict=True)):
        x = _downsampling(name, stage, dim)(x)
        for j in range(depth):
            x = convnext_block(
                x, dim, rates[block], layer_scale_init_value, f"{name}_stage_{stage}_block_{j}"
            )
            block += 1

    if include_top:
        x = layers.GlobalAveragePooling2D(name=name + "_head_gap")(x)
        x = layers.LayerNormalization(epsilon=LN_EPSILON, name=name + "_head_layernorm")(x)
        x = layers.Dense(classes, activation=classifier_activation, name=name + "_head_dense")(x)
    else:
        # As in Keras, the features end with a LayerNormalization, pooled or not.
        x = _builder.pool(x, pooling)
        x = layers.LayerNormalization(epsilon=LN_EPSILON)(x)
    return _builder.finish(name, img_input, input_tensor, x, weights)


_DOC = """ConvNeXt-{title}: stages of {depths} blocks, {dims} channels.

    Layer names follow Keras, prefixed by the model's name (`convnext_tiny_stem`,
    `convnext_tiny_stage_0_block_0_depthwise_conv`, `..._layer_scale`,
    `convnext_tiny_head_dense`); the stem and the three downsampling blocks are nested
    `Sequential` models, as in Keras. Only the channels-last data format is supported.

    Args:
        include_top: whether to end with global average pooling, LayerNorm and the
            `classes`-way Dense classifier (`{{name}}_head_dense`).
        include_preprocessing: whether the model normalizes pixels in [0, 255] itself (by
            ImageNet's mean and std); `preprocess_input` is the identity.
        weights: None (random initialization), the path to a local weights or model file, or
            `"zoo:<name>"` for a `strata.zoo` entry (`"imagenet"` raises: nothing downloads).
        input_tensor: an optional symbolic tensor to use as the image input.
        input_shape: the image shape; default `(224, 224, 3)` with `include_top`, else
            `(None, None, 3)`. Height and width must be at least 32.
        pooling: without the top, None (4D feature maps), `"avg"` or `"max"` (2D
            features); a LayerNormalization follows either way, as in Keras.
        classes: number of classes of the classifier.
        classifier_activation: the classifier's activation (None gives logits).
        name: the model's name, also the prefix of its layers' names.

    Returns:
        A functional `Model`; its features have {last} channels.

    Example:
        >>> from strata import applications
        >>> model = applications.ConvNeXt{title}(include_top=False, pooling="avg")
        >>> model.output_shape
        (None, {last})
    """


def _variant(size):
    kind = "ConvNeXt" + {"xlarge": "XLarge"}.get(size, size.capitalize())
    default_name = f"convnext_{size}"

    def build(
        include_top=True,
        include_preprocessing=True,
        weights=None,
        input_tensor=None,
        input_shape=None,
        pooling=None,
        classes=1000,
        classifier_activation="softmax",
        name=default_name,
    ):
        return build_convnext(
            size, include_top, include_preprocessing, weights, input_tensor, input_shape,
            pooling, classes, classifier_activation, name,
        )  # fmt: skip

    build.__name__ = build.__qualname__ = kind
    depths, dims = MODEL_CONFIGS[size]
    build.__doc__ = _DOC.format(
        title=kind[len("ConvNeXt") :], depths=depths, dims=dims, last=dims[-1]
    )
    return build


# Keras's public names; one builder each, from the configurations table.
ConvNeXtTiny = _variant("tiny")
ConvNeXtSmall = _variant("small")
ConvNeXtBase = _variant("base")
ConvNeXtLarge = _variant("large")
ConvNeXtXLarge = _variant("xlarge")


def preprocess_input(x, data_format=None):
    """The identity, as in Keras: the models normalize their input themselves.

    Example:
        >>> preprocess_input(255.0)
        255.0
    """
    return x


def decode_predictions(preds, top=5, class_index_path=None):
    """The top ImageNet classes of each prediction; see `imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top, class_index_path=class_index_path)
