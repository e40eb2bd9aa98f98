"""EfficientNetB0 ... B7 (Tan and Le, 2019): MBConv networks scaled in width, depth and size."""

from __future__ import annotations

import copy
import math

from strata import layers
from strata.applications import _builder, imagenet_utils
from strata.applications.mobilenet_v2 import correct_pad

__all__ = [f"EfficientNetB{i}" for i in range(8)] + ["decode_predictions", "preprocess_input"]

# (kernel, repeats, filters in, filters out, expansion, strides, squeeze-excite ratio) of the
# seven stages of B0; the other sizes scale filters and repeats.
DEFAULT_BLOCKS_ARGS = (
    (3, 1, 32, 16, 1, 1, 0.25),
    (3, 2, 16, 24, 6, 2, 0.25),
    (5, 2, 24, 40, 6, 2, 0.25),
    (3, 3, 40, 80, 6, 2, 0.25),
    (5, 3, 80, 112, 6, 1, 0.25),
    (5, 4, 112, 192, 6, 2, 0.25),
    (3, 1, 192, 320, 6, 1, 0.25),
)
CONV_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"},
}
DENSE_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"},
}
# (width coefficient, depth coefficient, default size, dropout rate) of B0 ... B7.
SCALING = (
    (1.0, 1.0, 224, 0.2),
    (1.0, 1.1, 240, 0.2),
    (1.1, 1.2, 260, 0.3),
    (1.2, 1.4, 300, 0.3),
    (1.4, 1.8, 380, 0.4),
    (1.6, 2.2, 456, 0.4),
    (1.8, 2.6, 528, 0.5),
    (2.0, 3.1, 600, 0.5),
)


def round_filters(filters, width_coefficient, divisor=8):
    """`filters * width_coefficient` rounded to a multiple of `divisor` (at most 10% down)."""
    filters *= width_coefficient
    rounded = max(divisor, int(filters + divisor / 2) // divisor * divisor)
    return int(rounded + divisor if rounded < 0.9 * filters else rounded)


def _conv(filters, kernel_size, name, **kwargs):
    return layers.Conv2D(
        filters, kernel_size, padding=kwargs.pop("padding", "same"), name=name,
        kernel_initializer=CONV_KERNEL_INITIALIZER, **{"use_bias": False, **kwargs},
    )  # fmt: skip


def squeeze_excite(x, filters, filters_se, activation, name):
    """Pool, reduce to `filters_se`, expand back through a sigmoid, and rescale `x`."""
    axis = _builder.channel_axis()
    se = layers.GlobalAveragePooling2D(name=name + "se_squeeze")(x)
    se_shape = (1, 1, filters) if axis == -1 else (filters, 1, 1)
    se = layers.Reshape(se_shape, name=name + "se_reshape")(se)
    se = _conv(filters_se, 1, name + "se_reduce", activation=activation, use_bias=True)(se)
    se = _conv(filters, 1, name + "se_expand", activation="sigmoid", use_bias=True)(se)
    return layers.Multiply(name=name + "se_excite")([x, se])


def mb_conv_block(inputs, activation, drop_rate, name, filters_in, filters_out, kernel_size,
                  strides, expand_ratio, se_ratio, id_skip=True):  # fmt: skip
    """Inverted residual (MBConv): expand, depthwise, squeeze-excite, project, drop, add."""
    axis = _builder.channel_axis()
    filters = filters_in * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = _conv(filters, 1, name + "expand_conv")(x)
        x = layers.BatchNormalization(axis=axis, name=name + "expand_bn")(x)
        x = layers.Activation(activation, name=name + "expand_activation")(x)
    padding = "same"
    if strides == 2:
        x = layers.ZeroPadding2D(padding=correct_pad(x, kernel_size), name=name + "dwconv_pad")(x)
        padding = "valid"
    x = layers.DepthwiseConv2D(
        kernel_size, strides=strides, padding=padding, use_bias=False,
        depthwise_initializer=CONV_KERNEL_INITIALIZER, name=name + "dwconv",
    )(x)  # fmt: skip
    x = layers.BatchNormalization(axis=axis, name=name + "bn")(x)
    x = layers.Activation(activation, name=name + "activation")(x)
    if 0 < se_ratio <= 1:
        x = squeeze_excite(x, filters, max(1, int(filters_in * se_ratio)), activation, name)
    x = _conv(filters_out, 1, name + "project_conv")(x)
    x = layers.BatchNormalization(axis=axis, name=name + "project_bn")(x)
    if id_skip and strides == 1 and filters_in == filters_out:
        if drop_rate > 0:
            # Drop the whole residual branch per sample (stochastic depth).
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=name + "drop")(x)
        x = layers.Add(name=name + "add")([x, inputs])
    return x


def build_efficientnet(
    kind, width_coefficient, depth_coefficient, default_size, dropout_rate, include_top,
    weights, input_tensor, input_shape, pooling, classes, classifier_activation, name,
    drop_connect_rate=0.2, activation="swish",
):  # fmt: skip
    """The EfficientNet graph scaled by `width_coefficient` and `depth_coefficient`."""
    _builder.check_arguments(kind, weights, pooling, classes, classifier_activation)
    input_shape = _builder.input_shape_for(kind, input_shape, default_size, 32, include_top)
    img_input = _builder.image_input(input_tensor, input_shape)
    axis = _builder.channel_axis()

    def repeats_of(count):
        return int(math.ceil(depth_coefficient * count))

    # The model takes pixels in [0, 255]; Normalization holds the (unadapted) ImageNet
    # statistics that Keras's weight files carry.
    x = layers.Rescaling(1.0 / 255.0)(img_input)
    x = layers.Normalization(axis=axis)(x)
    x = layers.ZeroPadding2D(padding=correct_pad(x, 3), name="stem_conv_pad")(x)
    x = _conv(round_filters(32, width_coefficient), 3, "stem_conv", strides=2, padding="valid")(x)
    x = layers.BatchNormalization(axis=axis, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    total = float(sum(repeats_of(args[1]) for args in DEFAULT_BLOCKS_ARGS))
    b = 0
    for i, (kernel, repeats, f_in, f_out, expand, strides, se) in enumerate(
        copy.deepcopy(DEFAULT_BLOCKS_ARGS)
    ):
        f_in, f_out = (
            round_filters(f_in, width_coefficient),
            round_filters(f_out, width_coefficient),
        )
        for j in range(repeats_of(repeats)):
            x = mb_conv_block(
                x, activation, drop_connect_rate * b / total, f"block{i + 1}{chr(j + 97)}_",
                f_in if j == 0 else f_out, f_out, kernel, strides if j == 0 else 1, expand, se,
            )  # fmt: skip
            b += 1

    x = _conv(round_filters(1280, width_coefficient), 1, "top_conv")(x)
    x = layers.BatchNormalization(axis=axis, name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        x = layers.Dense(
            classes, activation=classifier_activation,
            kernel_initializer=DENSE_KERNEL_INITIALIZER, name="predictions",
        )(x)  # fmt: skip
    else:
        x = _builder.pool(x, pooling, avg_name="avg_pool", max_name="max_pool")
    return _builder.finish(name, img_input, input_tensor, x, weights)


_DOC = """EfficientNet-{size}: width x{width}, depth x{depth}, default input {px}x{px}.

    The model rescales pixels in [0, 255] itself (`Rescaling` then `Normalization`, whose
    mean and variance come with a weights file), so `preprocess_input` is the identity.
    Layer names follow Keras (`stem_conv`, `block1a_dwconv`, `block2b_se_reduce`,
    `top_conv`, `predictions`).

    Args:
        include_top: whether to end with global average pooling (`avg_pool`), dropout
            (`top_dropout`) and the `classes`-way Dense classifier (`predictions`).
        weights: None (random initialization), the path to a local weights or model file, or
            `"zoo:<name>"` for a `strata.zoo` entry (`"imagenet"` raises: nothing downloads).
        input_tensor: an optional symbolic tensor to use as the image input.
        input_shape: the image shape; default `({px}, {px}, 3)` with `include_top`, else
            `(None, None, 3)`. Height and width must be at least 32.
        pooling: without the top, None (4D feature maps), `"avg"` or `"max"` (2D features).
        classes: number of classes of the classifier.
        classifier_activation: the classifier's activation (None gives logits).
        name: the model's name.

    Returns:
        A functional `Model`; without the top its features have {features} channels.

    Example:
        >>> from strata import applications
        >>> model = applications.EfficientNet{size}(include_top=False, pooling="avg")
        >>> model.output_shape
        (None, {features})
    """


def _variant(index):
    width, depth, size, dropout = SCALING[index]
    kind = f"EfficientNetB{index}"

    def build(
        include_top=True,
        weights=None,
        input_tensor=None,
        input_shape=None,
        pooling=None,
        classes=1000,
        classifier_activation="softmax",
        name=f"efficientnetb{index}",
    ):
        return build_efficientnet(
            kind, width, depth, size, dropout, include_top, weights, input_tensor,
            input_shape, pooling, classes, classifier_activation, name,
        )  # fmt: skip

    build.__name__ = build.__qualname__ = kind
    build.__doc__ = _DOC.format(
        size=f"B{index}", width=width, depth=depth, px=size,
        features=round_filters(1280, width),
    )  # fmt: skip
    return build


# Keras's public names; one builder each, from the scaling table.
EfficientNetB0 = _variant(0)
EfficientNetB1 = _variant(1)
EfficientNetB2 = _variant(2)
EfficientNetB3 = _variant(3)
EfficientNetB4 = _variant(4)
EfficientNetB5 = _variant(5)
EfficientNetB6 = _variant(6)
EfficientNetB7 = _variant(7)


def preprocess_input(x, data_format=None):
    """The identity, as in Keras: the models rescale and normalize their input themselves.

    Example:
        >>> preprocess_input(255.0)
        255.0
    """
    return x


def decode_predictions(preds, top=5, class_index_path=None):
    """The top ImageNet classes of each prediction; see `imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top, class_index_path=class_index_path)
