"""Xception (Chollet, 2017): depthwise separable convolutions with residual connections."""

from __future__ import annotations

from strata import layers
from strata.applications import _builder, imagenet_utils

__all__ = ["Xception", "decode_predictions", "preprocess_input"]


def Xception(  # noqa: N802 - Keras's public name
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="xception",
):
    """The Xception architecture (entry flow, 8 middle blocks, exit flow).

    Layer names follow Keras (`block1_conv1`, `block5_sepconv2_bn`, `predictions`, ...), so a
    weights file saved from a strata Xception loads into another one.

    Args:
        include_top: whether to end with global average pooling and the `classes`-way Dense
            classifier (`predictions`).
        weights: None (random initialization), the path to a local weights or model file, or
            `"zoo:<name>"` for a `strata.zoo` entry (`"imagenet"` raises: nothing downloads).
        input_tensor: an optional symbolic tensor to use as the image input.
        input_shape: the image shape; default `(299, 299, 3)` with `include_top`, else
            `(None, None, 3)`. Height and width must be at least 71.
        pooling: without the top, None (4D feature maps), `"avg"` or `"max"` (2D features).
        classes: number of classes of the classifier.
        classifier_activation: the classifier's activation (None gives logits).
        name: the model's name.

    Returns:
        A functional `Model`. Without the top, the features have 2048 channels at 1/32 of the
        input's resolution (rounded up).

    Example:
        >>> from strata import applications
        >>> base = applications.Xception(include_top=False, input_shape=(96, 96, 3))
        >>> base.output_shape
        (None, 3, 3, 2048)
    """
    _builder.check_arguments("Xception", weights, pooling, classes, classifier_activation)
    input_shape = _builder.input_shape_for("Xception", input_shape, 299, 71, include_top)
    img_input = _builder.image_input(input_tensor, input_shape)
    axis = _builder.channel_axis()

    def bn(x, layer_name=None):
        return layers.BatchNormalization(axis=axis, name=layer_name)(x)

    def relu(x, layer_name):
        return layers.Activation("relu", name=layer_name)(x)

    def sepconv(x, filters, layer_name):
        x = layers.SeparableConv2D(filters, 3, padding="same", use_bias=False, name=layer_name)(x)
        return bn(x, layer_name + "_bn")

    def shortcut(x, filters):
        x = layers.Conv2D(filters, 1, strides=2, padding="same", use_bias=False)(x)
        return bn(x)

    x = layers.Conv2D(32, 3, strides=2, use_bias=False, name="block1_conv1")(img_input)
    x = relu(bn(x, "block1_conv1_bn"), "block1_conv1_act")
    x = layers.Conv2D(64, 3, use_bias=False, name="block1_conv2")(x)
    x = relu(bn(x, "block1_conv2_bn"), "block1_conv2_act")

    # Entry flow: three downsampling blocks; block2 starts without a ReLU (x is post-ReLU).
    for block, filters in ((2, 128), (3, 256), (4, 728)):
        residual = shortcut(x, filters)
        prefix = f"block{block}"
        if block != 2:
            x = relu(x, f"{prefix}_sepconv1_act")
        x = sepconv(x, filters, f"{prefix}_sepconv1")
        x = relu(x, f"{prefix}_sepconv2_act")
        x = sepconv(x, filters, f"{prefix}_sepconv2")
        x = layers.MaxPooling2D(3, strides=2, padding="same", name=f"{prefix}_pool")(x)
        x = layers.add([x, residual])

    # Middle flow: eight identity-shortcut blocks of three separable convolutions.
    for block in range(5, 13):
        residual = x
        prefix = f"block{block}"
        for i in (1, 2, 3):
            x = relu(x, f"{prefix}_sepconv{i}_act")
            x = sepconv(x, 728, f"{prefix}_sepconv{i}")
        x = layers.add([x, residual])

    # Exit flow.
    residual = shortcut(x, 1024)
    x = relu(x, "block13_sepconv1_act")
    x = sepconv(x, 728, "block13_sepconv1")
    x = relu(x, "block13_sepconv2_act")
    x = sepconv(x, 1024, "block13_sepconv2")
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="block13_pool")(x)
    x = layers.add([x, residual])

    x = sepconv(x, 1536, "block14_sepconv1")
    x = relu(x, "block14_sepconv1_act")
    x = sepconv(x, 2048, "block14_sepconv2")
    x = relu(x, "block14_sepconv2_act")

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
