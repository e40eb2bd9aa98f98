"""MobileNetV3Small and MobileNetV3Large (Howard et al., 2019): searched inverted residuals."""

from __future__ import annotations

from strata import layers
from strata.applications import _builder, imagenet_utils
from strata.applications.mobilenet_v2 import correct_pad
from strata.applications.mobilenet_v2 import make_divisible as _depth

__all__ = ["MobileNetV3Large", "MobileNetV3Small", "decode_predictions", "preprocess_input"]

BN_ARGS = {"epsilon": 1e-3, "momentum": 0.999}
# (expansion, filters, kernel, stride, squeeze-excite, activation) of blocks 0, 1, ...
# kernel "k" is 5 (3 when minimalistic); activation "act" is hard swish (ReLU when
# minimalistic); squeeze-excite "se" is dropped when minimalistic.
SMALL_BLOCKS = (
    (1, 16, 3, 2, "se", "relu"),
    (72 / 16, 24, 3, 2, None, "relu"),
    (88 / 24, 24, 3, 1, None, "relu"),
    (4, 40, "k", 2, "se", "act"),
    (6, 40, "k", 1, "se", "act"),
    (6, 40, "k", 1, "se", "act"),
    (3, 48, "k", 1, "se", "act"),
    (3, 48, "k", 1, "se", "act"),
    (6, 96, "k", 2, "se", "act"),
    (6, 96, "k", 1, "se", "act"),
    (6, 96, "k", 1, "se", "act"),
)
LARGE_BLOCKS = (
    (1, 16, 3, 1, None, "relu"),
    (4, 24, 3, 2, None, "relu"),
    (3, 24, 3, 1, None, "relu"),
    (3, 40, "k", 2, "se", "relu"),
    (3, 40, "k", 1, "se", "relu"),
    (3, 40, "k", 1, "se", "relu"),
    (6, 80, 3, 2, None, "act"),
    (2.5, 80, 3, 1, None, "act"),
    (2.3, 80, 3, 1, None, "act"),
    (2.3, 80, 3, 1, None, "act"),
    (6, 112, 3, 1, "se", "act"),
    (6, 112, 3, 1, "se", "act"),
    (6, 160, "k", 2, "se", "act"),
    (6, 160, "k", 1, "se", "act"),
    (6, 160, "k", 1, "se", "act"),
)


def _act(x, kind):
    return layers.ReLU()(x) if kind == "relu" else layers.Activation("hard_swish")(x)


def _bn(x, name):
    return layers.BatchNormalization(axis=_builder.channel_axis(), name=name, **BN_ARGS)(x)


def se_block(inputs, filters, se_ratio, prefix):
    """Squeeze-and-excite: pooled channels through a ReLU and a hard-sigmoid 1x1 pair."""
    x = layers.GlobalAveragePooling2D(keepdims=True, name=prefix + "squeeze_excite_avg_pool")(
        inputs
    )
    x = layers.Conv2D(
        _depth(filters * se_ratio), 1, padding="same", name=prefix + "squeeze_excite_conv"
    )(x)
    x = layers.ReLU(name=prefix + "squeeze_excite_relu")(x)
    x = layers.Conv2D(filters, 1, padding="same", name=prefix + "squeeze_excite_conv_1")(x)
    # Keras's hard sigmoid here is relu6(x + 3) / 6, exactly the `hard_sigmoid` activation.
    x = layers.Activation("hard_sigmoid")(x)
    return layers.Multiply(name=prefix + "squeeze_excite_mul")([inputs, x])


def inverted_res_block(x, expansion, filters, kernel_size, stride, se_ratio, act, block_id):
    """Expand (1x1, except block 0), depthwise (stride), optional SE, project, add."""
    shortcut = x
    in_filters = x.shape[_builder.channel_axis()]
    prefix = "expanded_conv_"
    if block_id:
        prefix = f"expanded_conv_{block_id}_"
        x = layers.Conv2D(
            _depth(in_filters * expansion), 1, padding="same", use_bias=False,
            name=prefix + "expand",
        )(x)  # fmt: skip
        x = _act(_bn(x, prefix + "expand_bn"), act)
    if stride == 2:
        x = layers.ZeroPadding2D(
            padding=correct_pad(x, kernel_size), name=prefix + "depthwise_pad"
        )(x)
    x = layers.DepthwiseConv2D(
        kernel_size, strides=stride, padding="same" if stride == 1 else "valid",
        use_bias=False, name=prefix + "depthwise",
    )(x)  # fmt: skip
    x = _act(_bn(x, prefix + "depthwise_bn"), act)
    if se_ratio:
        x = se_block(x, _depth(in_filters * expansion), se_ratio, prefix)
    x = layers.Conv2D(filters, 1, padding="same", use_bias=False, name=prefix + "project")(x)
    x = _bn(x, prefix + "project_bn")
    if stride == 1 and in_filters == filters:
        x = layers.Add(name=prefix + "add")([shortcut, x])
    return x


def build_mobilenet_v3(
    kind, blocks, last_point_ch, input_shape, alpha, minimalistic, include_top, weights,
    input_tensor, classes, pooling, dropout_rate, classifier_activation, include_preprocessing,
    name,
):  # fmt: skip
    """The MobileNetV3 graph for the `blocks` table (see `SMALL_BLOCKS`)."""
    _builder.check_arguments(kind, weights, pooling, classes, classifier_activation)
    if not float(alpha) > 0:
        raise ValueError(f"{kind} expected a positive `alpha`; received {alpha!r}.")
    if not 0 <= float(dropout_rate) < 1:
        raise ValueError(f"{kind} expected 0 <= dropout_rate < 1; received {dropout_rate!r}.")
    # Global pooling before the classifier: any size of at least 32 works, even with the top.
    input_shape = _builder.input_shape_for(kind, input_shape, 224, 32, False)
    img_input = _builder.image_input(input_tensor, input_shape)
    kernel, act, se_ratio = (3, "relu", None) if minimalistic else (5, "act", 0.25)

    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(16, 3, strides=2, padding="same", use_bias=False, name="conv")(x)
    x = _act(_bn(x, "conv_bn"), act)
    for block_id, (expansion, filters, k, stride, se, block_act) in enumerate(blocks):
        x = inverted_res_block(
            x, expansion, _depth(filters * alpha), kernel if k == "k" else k, stride,
            se_ratio if se else None, act if block_act == "act" else "relu", block_id,
        )  # fmt: skip
    last_conv_ch = _depth(x.shape[_builder.channel_axis()] * 6)
    if alpha > 1.0:
        last_point_ch = _depth(last_point_ch * alpha)
    x = layers.Conv2D(last_conv_ch, 1, padding="same", use_bias=False, name="conv_1")(x)
    x = _act(_bn(x, "conv_1_bn"), act)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(last_point_ch, 1, padding="same", name="conv_2")(x)
        x = _act(x, act)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, 1, padding="same", name="logits")(x)
        x = layers.Flatten()(x)
        x = layers.Activation(classifier_activation, name="predictions")(x)
    else:
        x = _builder.pool(x, pooling, avg_name="avg_pool", max_name="max_pool")
    return _builder.finish(name, img_input, input_tensor, x, weights)


def MobileNetV3Small(  # noqa: N802 - Keras's public name
    input_shape=None,
    alpha=1.0,
    minimalistic=False,
    include_top=True,
    weights=None,
    input_tensor=None,
    classes=1000,
    pooling=None,
    dropout_rate=0.2,
    classifier_activation="softmax",
    include_preprocessing=True,
    name="MobileNetV3Small",
):
    """MobileNetV3-Small: 11 inverted residual blocks, 1024 units before the classifier.

    Arguments come in Keras's order. Layer names follow Keras (`conv`, `conv_bn`,
    `expanded_conv_depthwise`, `expanded_conv_3_squeeze_excite_conv`, `conv_1`, `conv_2`,
    `logits`, `predictions`).

    Args:
        input_shape: the image shape; default `(None, None, 3)` (the classifier follows a
            global pooling, so any size works). Height and width must be at least 32.
        alpha: the width multiplier; widths are rounded to multiples of 8.
        minimalistic: without squeeze-excite, hard swish and 5x5 kernels (ReLU, 3x3).
        include_top: whether to end with the 1x1-convolution classifier (`conv_2`,
            `logits`, `predictions`).
        weights: None (random initialization), the path to a local weights or model file, or
            `"zoo:<name>"` for a `strata.zoo` entry (`"imagenet"` raises: nothing downloads).
        input_tensor: an optional symbolic tensor to use as the image input.
        classes: number of classes of the classifier.
        pooling: without the top, None (4D feature maps), `"avg"` or `"max"` (2D features).
        dropout_rate: the dropout rate before the `logits` convolution.
        classifier_activation: the classifier's activation (None gives logits).
        include_preprocessing: whether the model first rescales pixels from [0, 255] to
            [-1, 1] (then `preprocess_input` is the identity).
        name: the model's name.

    Returns:
        A functional `Model`; without the top its features have 576 channels (alpha 1).

    Example:
        >>> from strata import applications
        >>> applications.MobileNetV3Small(input_shape=(32, 32, 3), classes=10).output_shape
        (None, 10)
    """
    return build_mobilenet_v3(
        "MobileNetV3Small", SMALL_BLOCKS, 1024, input_shape, alpha, minimalistic, include_top,
        weights, input_tensor, classes, pooling, dropout_rate, classifier_activation,
        include_preprocessing, name,
    )  # fmt: skip


def MobileNetV3Large(  # noqa: N802 - Keras's public name
    input_shape=None,
    alpha=1.0,
    minimalistic=False,
    include_top=True,
    weights=None,
    input_tensor=None,
    classes=1000,
    pooling=None,
    dropout_rate=0.2,
    classifier_activation="softmax",
    include_preprocessing=True,
    name="MobileNetV3Large",
):
    """MobileNetV3-Large: 15 inverted residual blocks, 1280 units before the classifier.

    Args and returns: as for `MobileNetV3Small` (960 feature channels at alpha 1, default
    name "MobileNetV3Large").
    """
    return build_mobilenet_v3(
        "MobileNetV3Large", LARGE_BLOCKS, 1280, input_shape, alpha, minimalistic, include_top,
        weights, input_tensor, classes, pooling, dropout_rate, classifier_activation,
        include_preprocessing, name,
    )  # fmt: skip


def preprocess_input(x, data_format=None):
    """The identity, as in Keras: the models rescale their input themselves.

    Example:
        >>> preprocess_input(3.0)
        3.0
    """
    return x


def decode_predictions(preds, top=5, class_index_path=None):
    """The top ImageNet classes of each prediction; see `imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top, class_index_path=class_index_path)
