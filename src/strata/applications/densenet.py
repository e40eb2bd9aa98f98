"""DenseNet121, DenseNet169 and DenseNet201 (Huang et al., 2017): densely connected networks."""

from __future__ import annotations

from strata import layers
from strata.applications import _builder, imagenet_utils

__all__ = ["DenseNet121", "DenseNet169", "DenseNet201", "decode_predictions", "preprocess_input"]

BN_EPSILON = 1.001e-5
GROWTH_RATE = 32


def _bn_relu(x, name):
    x = layers.BatchNormalization(
        axis=_builder.channel_axis(), epsilon=BN_EPSILON, name=name + "_bn"
    )(x)
    return layers.Activation("relu", name=name + "_relu")(x)


def conv_block(x, growth_rate, name):
    """BN-ReLU-1x1 (4x growth), BN-ReLU-3x3 (growth), concatenated to the block's input."""
    y = _bn_relu(x, name + "_0")
    y = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=name + "_1_conv")(y)
    y = _bn_relu(y, name + "_1")
    y = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=name + "_2_conv")(y)
    return layers.Concatenate(axis=_builder.channel_axis(), name=name + "_concat")([x, y])


def dense_block(x, blocks, name):
    """`blocks` convolution blocks, each adding `GROWTH_RATE` channels."""
    for i in range(1, blocks + 1):
        x = conv_block(x, GROWTH_RATE, name=f"{name}_block{i}")
    return x


def transition_block(x, reduction, name):
    """BN-ReLU, a 1x1 convolution keeping `reduction` of the channels, 2x2 average pooling."""
    channels = x.shape[_builder.channel_axis()]
    x = _bn_relu(x, name)
    x = layers.Conv2D(int(channels * reduction), 1, use_bias=False, name=name + "_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=name + "_pool")(x)


def build_densenet(
    blocks, kind, include_top, weights, input_tensor, input_shape, pooling, classes,
    classifier_activation, name,
):  # fmt: skip
    """The DenseNet graph with `blocks` convolution blocks in each of its four dense blocks."""
    _builder.check_arguments(kind, weights, pooling, classes, classifier_activation)
    input_shape = _builder.input_shape_for(kind, input_shape, 224, 32, include_top)
    img_input = _builder.image_input(input_tensor, input_shape)

    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _bn_relu(x, "conv1")
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, count in enumerate(blocks, start=2):
        x = dense_block(x, count, name=f"conv{stage}")
        if stage < 5:
            x = transition_block(x, 0.5, name=f"pool{stage}")
    x = layers.BatchNormalization(axis=_builder.channel_axis(), epsilon=BN_EPSILON, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)

    if include_top:
        x = _builder.average_pool_top(
            x, True, pooling, classes, classifier_activation, pool_name="avg_pool"
        )
    else:
        x = _builder.pool(x, pooling, avg_name="avg_pool", max_name="max_pool")
    return _builder.finish(name, img_input, input_tensor, x, weights)


def DenseNet121(  # noqa: N802 - Keras's public name
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="densenet121",
):
    """DenseNet-121: dense blocks of 6, 12, 24 and 16 convolution blocks (growth rate 32).

    Layer names follow Keras (`conv1_conv`, `conv2_block1_0_bn`, `pool2_conv`, `bn`, ...).

    Args:
        include_top: whether to end with global average pooling (`avg_pool`) and the
            `classes`-way Dense classifier (`predictions`).
        weights: None (random initialization), the path to a local weights or model file, or
            `"zoo:<name>"` for a `strata.zoo` entry (`"imagenet"` raises: nothing downloads).
        input_tensor: an optional symbolic tensor to use as the image input.
        input_shape: the image shape; default `(224, 224, 3)` with `include_top`, else
            `(None, None, 3)`. Height and width must be at least 32.
        pooling: without the top, None (4D feature maps), `"avg"` or `"max"` (2D features).
        classes: number of classes of the classifier.
        classifier_activation: the classifier's activation (None gives logits).
        name: the model's name.

    Returns:
        A functional `Model`; without the top its features have 1024 channels.

    Example:
        >>> from strata import applications
        >>> applications.DenseNet121(include_top=False, pooling="avg").output_shape
        (None, 1024)
    """
    return build_densenet(
        (6, 12, 24, 16), "DenseNet121", include_top, weights, input_tensor, input_shape,
        pooling, classes, classifier_activation, name,
    )  # fmt: skip


def DenseNet169(  # noqa: N802 - Keras's public name
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="densenet169",
):
    """DenseNet-169: dense blocks of 6, 12, 32 and 32 convolution blocks (1664 channels).

    Args and returns: as for `DenseNet121` (default name "densenet169").
    """
    return build_densenet(
        (6, 12, 32, 32), "DenseNet169", include_top, weights, input_tensor, input_shape,
        pooling, classes, classifier_activation, name,
    )  # fmt: skip


def DenseNet201(  # noqa: N802 - Keras's public name
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="densenet201",
):
    """DenseNet-201: dense blocks of 6, 12, 48 and 32 convolution blocks (1920 channels).

    Args and returns: as for `DenseNet121` (default name "densenet201").
    """
    return build_densenet(
        (6, 12, 48, 32), "DenseNet201", include_top, weights, input_tensor, input_shape,
        pooling, classes, classifier_activation, name,
    )  # fmt: skip


def preprocess_input(x, data_format=None):
    """Scale to [0, 1] and normalize by ImageNet's mean and std (Keras's "torch" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")


def decode_predictions(preds, top=5, class_index_path=None):
    """The top ImageNet classes of each prediction; see `imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top, class_index_path=class_index_path)
