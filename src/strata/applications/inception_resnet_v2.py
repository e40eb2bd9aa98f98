"""InceptionResNetV2 (Szegedy et al., 2016): inception modules with scaled residual sums."""

from __future__ import annotations

from strata import layers
from strata.applications import _builder, imagenet_utils
from strata.saving.registry import register_keras_serializable

__all__ = ["InceptionResNetV2", "decode_predictions", "preprocess_input"]


@register_keras_serializable(package="strata_applications")
class CustomScaleLayer(layers.Layer):
    """`inputs[0] + scale * inputs[1]`: the residual sum of an Inception-ResNet block."""

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = float(scale)

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def conv2d_bn(x, filters, kernel_size, strides=1, padding="same", activation="relu",
              use_bias=False, name=None):  # fmt: skip
    """Conv2D, then (without bias) BatchNormalization without scale, then `activation`."""
    x = layers.Conv2D(
        filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias, name=name
    )(x)
    if not use_bias:
        bn_name = None if name is None else name + "_bn"
        x = layers.BatchNormalization(axis=_builder.channel_axis(), scale=False, name=bn_name)(x)
    if activation is not None:
        x = layers.Activation(activation, name=None if name is None else name + "_ac")(x)
    return x


# The branches of each block type: lists of (filters, kernel) convolutions from the input.
BRANCHES = {
    "block35": (((32, 1),), ((32, 1), (32, 3)), ((32, 1), (48, 3), (64, 3))),
    "block17": (((192, 1),), ((128, 1), (160, (1, 7)), (192, (7, 1)))),
    "block8": (((192, 1),), ((192, 1), (224, (1, 3)), (256, (3, 1)))),
}


def inception_resnet_block(x, scale, block_type, block_idx, activation="relu"):
    """Parallel branches, concatenated, projected back (1x1 with bias), added scaled."""
    axis = _builder.channel_axis()
    branches = []
    for convolutions in BRANCHES[block_type]:
        branch = x
        for filters, kernel in convolutions:
            branch = conv2d_bn(branch, filters, kernel)
        branches.append(branch)
    block_name = f"{block_type}_{block_idx}"
    mixed = layers.Concatenate(axis=axis, name=block_name + "_mixed")(branches)
    up = conv2d_bn(
        mixed, x.shape[axis], 1, activation=None, use_bias=True, name=block_name + "_conv"
    )
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=block_name + "_ac")(x)
    return x


def _stem(x):
    x = conv2d_bn(x, 32, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, padding="valid")
    x = conv2d_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv2d_bn(x, 80, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)
    branch_0 = conv2d_bn(x, 96, 1)
    branch_1 = conv2d_bn(conv2d_bn(x, 48, 1), 64, 5)
    branch_2 = conv2d_bn(conv2d_bn(conv2d_bn(x, 64, 1), 96, 3), 96, 3)
    branch_pool = layers.AveragePooling2D(3, strides=1, padding="same")(x)
    branch_pool = conv2d_bn(branch_pool, 64, 1)
    return layers.Concatenate(axis=_builder.channel_axis(), name="mixed_5b")(
        [branch_0, branch_1, branch_2, branch_pool]
    )


def _reduction_a(x):
    branch_0 = conv2d_bn(x, 384, 3, strides=2, padding="valid")
    branch_1 = conv2d_bn(conv2d_bn(x, 256, 1), 256, 3)
    branch_1 = conv2d_bn(branch_1, 384, 3, strides=2, padding="valid")
    branch_pool = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
    return layers.Concatenate(axis=_builder.channel_axis(), name="mixed_6a")(
        [branch_0, branch_1, branch_pool]
    )


def _reduction_b(x):
    branch_0 = conv2d_bn(conv2d_bn(x, 256, 1), 384, 3, strides=2, padding="valid")
    branch_1 = conv2d_bn(conv2d_bn(x, 256, 1), 288, 3, strides=2, padding="valid")
    branch_2 = conv2d_bn(conv2d_bn(x, 256, 1), 288, 3)
    branch_2 = conv2d_bn(branch_2, 320, 3, strides=2, padding="valid")
    branch_pool = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
    return layers.Concatenate(axis=_builder.channel_axis(), name="mixed_7a")(
        [branch_0, branch_1, branch_2, branch_pool]
    )


def InceptionResNetV2(  # noqa: N802 - Keras's public name
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="inception_resnet_v2",
):
    """The Inception-ResNet-v2 architecture: 10 block35, 20 block17 and 10 block8 modules.

    Layer names follow Keras where Keras names them (`mixed_5b`, `block35_1_mixed`,
    `block35_1_conv`, `block8_10_conv`, `conv_7b`, `conv_7b_bn`, `predictions`); the stem's
    and branches' layers get automatic names as in Keras.

    Args:
        include_top: whether to end with global average pooling (`avg_pool`) and the
            `classes`-way Dense classifier (`predictions`).
        weights: None (random initialization), the path to a local weights or model file, or
            `"zoo:<name>"` for a `strata.zoo` entry (`"imagenet"` raises: nothing downloads).
        input_tensor: an optional symbolic tensor to use as the image input.
        input_shape: the image shape; default `(299, 299, 3)` with `include_top`, else
            `(None, None, 3)`. Height and width must be at least 75.
        pooling: without the top, None (4D feature maps), `"avg"` or `"max"` (2D features).
        classes: number of classes of the classifier.
        classifier_activation: the classifier's activation (None gives logits).
        name: the model's name.

    Returns:
        A functional `Model`; without the top its features have 1536 channels.

    Example:
        >>> from strata import applications
        >>> base = applications.InceptionResNetV2(include_top=False, input_shape=(75, 75, 3))
        >>> base.output_shape
        (None, 1, 1, 1536)
    """
    kind = "InceptionResNetV2"
    _builder.check_arguments(kind, weights, pooling, classes, classifier_activation)
    input_shape = _builder.input_shape_for(kind, input_shape, 299, 75, include_top)
    img_input = _builder.image_input(input_tensor, input_shape)

    x = _stem(img_input)
    for block_idx in range(1, 11):
        x = inception_resnet_block(x, scale=0.17, block_type="block35", block_idx=block_idx)
    x = _reduction_a(x)
    for block_idx in range(1, 21):
        x = inception_resnet_block(x, scale=0.1, block_type="block17", block_idx=block_idx)
    x = _reduction_b(x)
    for block_idx in range(1, 10):
        x = inception_resnet_block(x, scale=0.2, block_type="block8", block_idx=block_idx)
    x = inception_resnet_block(x, scale=1.0, activation=None, block_type="block8", block_idx=10)
    x = conv2d_bn(x, 1536, 1, name="conv_7b")

    x = _builder.average_pool_top(
        x, include_top, pooling, classes, classifier_activation, pool_name="avg_pool"
    )
    return _builder.finish(name, img_input, input_tensor, x, weights)


def preprocess_input(x, data_format=None):
    """Scale pixels from [0, 255] to [-1, 1] (Keras's "tf" mode); see `imagenet_utils`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5, class_index_path=None):
    """The top ImageNet classes of each prediction; see `imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top, class_index_path=class_index_path)
