"""MobileNetV2 (Sandler et al., 2018): inverted residual blocks with linear bottlenecks."""

from __future__ import annotations

from strata import layers
from strata.applications import _builder, imagenet_utils
from strata.backend import config as backend_config

__all__ = ["MobileNetV2", "decode_predictions", "preprocess_input"]

# (filters, stride, expansion) of the inverted residual blocks 0 ... 16.
BLOCKS = (
    (16, 1, 1),
    (24, 2, 6),
    (24, 1, 6),
    (32, 2, 6),
    (32, 1, 6),
    (32, 1, 6),
    (64, 2, 6),
    (64, 1, 6),
    (64, 1, 6),
    (64, 1, 6),
    (96, 1, 6),
    (96, 1, 6),
    (96, 1, 6),
    (160, 2, 6),
    (160, 1, 6),
    (160, 1, 6),
    (320, 1, 6),
)
BN_ARGS = {"epsilon": 1e-3, "momentum": 0.999}


def make_divisible(value, divisor=8, min_value=None):
    """`value` rounded to the nearest multiple of `divisor`, never more than 10% below it."""
    min_value = divisor if min_value is None else min_value
    rounded = max(min_value, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


def correct_pad(x, kernel_size):
    """The zero padding that makes a strided "valid" convolution behave like TF's "same"."""
    channels_last = backend_config.image_data_format() == "channels_last"
    size = x.shape[1:3] if channels_last else x.shape[2:4]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    half = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((half[0] - adjust[0], half[0]), (half[1] - adjust[1], half[1]))


def inverted_res_block(inputs, expansion, stride, alpha, filters, block_id):
    """Expand (1x1, except block 0), depthwise 3x3 (stride), project (1x1, linear), add."""
    axis = _builder.channel_axis()
    in_channels = inputs.shape[axis]
    pointwise_filters = make_divisible(int(filters * alpha), 8)
    x = inputs
    if block_id:
        prefix = f"block_{block_id}_"
        x = layers.Conv2D(
            expansion * in_channels, 1, padding="same", use_bias=False, name=prefix + "expand"
        )(x)
        x = layers.BatchNormalization(axis=axis, name=prefix + "expand_BN", **BN_ARGS)(x)
        x = layers.ReLU(6.0, name=prefix + "expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(padding=correct_pad(x, 3), name=prefix + "pad")(x)
    x = layers.DepthwiseConv2D(
        3,
        strides=stride,
        use_bias=False,
        padding="same" if stride == 1 else "valid",
        name=prefix + "depthwise",
    )(x)
    x = layers.BatchNormalization(axis=axis, name=prefix + "depthwise_BN", **BN_ARGS)(x)
    x = layers.ReLU(6.0, name=prefix + "depthwise_relu")(x)
    x = layers.Conv2D(
        pointwise_filters, 1, padding="same", use_bias=False, name=prefix + "project"
    )(x)
    x = layers.BatchNormalization(axis=axis, name=prefix + "project_BN", **BN_ARGS)(x)
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=prefix + "add")([inputs, x])
    return x


def MobileNetV2(  # noqa: N802 - Keras's public name
    input_shape=None,
    alpha=1.0,
    include_top=True,
    weights=None,
    input_tensor=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name=None,
):
    """The MobileNetV2 architecture: 17 inverted residual blocks between two convolutions.

    Arguments come in Keras's order (`input_shape` first). Layer names follow Keras (`Conv1`,
    `expanded_conv_depthwise`, `block_16_project_BN`, `Conv_1`, `out_relu`, ...).

    Args:
        input_shape: the image shape; default `(224, 224, 3)` with `include_top`, else
            `(None, None, 3)`. Height and width must be at least 32.
        alpha: the width multiplier; block widths are rounded to multiples of 8, and the last
            convolution grows above 1280 filters only when `alpha > 1`.
        include_top: whether to end with global average pooling and the `classes`-way Dense
            classifier (`predictions`).
        weights: None (random initialization), the path to a local weights or model file, or
            `"zoo:<name>"` for a `strata.zoo` entry (`"imagenet"` raises: nothing downloads).
        input_tensor: an optional symbolic tensor to use as the image input.
        pooling: without the top, None (4D feature maps), `"avg"` or `"max"` (2D features).
        classes: number of classes of the classifier.
        classifier_activation: the classifier's activation (None gives logits).
        name: the model's name; None gives Keras's `mobilenetv2_{alpha:0.2f}_{rows}`
            (`"mobilenetv2_1.00_224"`).

    Returns:
        A functional `Model`; without the top its features have 1280 channels (alpha <= 1).

    Example:
        >>> from strata import applications
        >>> applications.MobileNetV2(include_top=False, input_shape=(96, 96, 3)).output_shape
        (None, 3, 3, 1280)
    """
    _builder.check_arguments("MobileNetV2", weights, pooling, classes, classifier_activation)
    if not float(alpha) > 0:
        raise ValueError(f"MobileNetV2 expected a positive `alpha`; received {alpha!r}.")
    sizes = (96, 128, 160, 192, 224)
    default_size = _builder.size_from_shape(input_shape, input_tensor, sizes)
    input_shape = _builder.input_shape_for(
        "MobileNetV2", input_shape, default_size, 32, include_top
    )
    img_input = _builder.image_input(input_tensor, input_shape)
    axis = _builder.channel_axis()

    x = layers.Conv2D(
        make_divisible(32 * alpha, 8), 3, strides=2, padding="same", use_bias=False, name="Conv1"
    )(img_input)
    x = layers.BatchNormalization(axis=axis, name="bn_Conv1", **BN_ARGS)(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(BLOCKS):
        x = inverted_res_block(x, expansion, stride, alpha, filters, block_id)

    last_filters = make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_filters, 1, use_bias=False, name="Conv_1")(x)
    x = layers.BatchNormalization(axis=axis, name="Conv_1_bn", **BN_ARGS)(x)
    x = layers.ReLU(6.0, name="out_relu")(x)

    x = _builder.average_pool_top(x, include_top, pooling, classes, classifier_activation)
    if name is None:
        name = f"mobilenetv2_{float(alpha):0.2f}_{_builder.rows_of(input_shape)}"
    return _builder.finish(name, img_input, input_tensor, x, weights)


def preprocess_input(x, data_format=None):
    """Scale pixels from [0, 255] to [-1, 1] (Keras's "tf" mode); see `imagenet_utils`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5, class_index_path=None):
    """The top ImageNet classes of each prediction; see `imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top, class_index_path=class_index_path)
