"""EfficientNetV2 B0-B3, S, M and L (Tan and Le, 2021): fused and depthwise MBConv stages."""

from __future__ import annotations

import math

from strata import layers
from strata.applications import _builder, imagenet_utils
from strata.applications.efficientnet import (
    CONV_KERNEL_INITIALIZER,
    DENSE_KERNEL_INITIALIZER,
    squeeze_excite,
)

__all__ = [
    "EfficientNetV2B0",
    "EfficientNetV2B1",
    "EfficientNetV2B2",
    "EfficientNetV2B3",
    "EfficientNetV2L",
    "EfficientNetV2M",
    "EfficientNetV2S",
    "decode_predictions",
    "preprocess_input",
]

# (kernel, repeats, filters in, filters out, expansion, squeeze-excite ratio, strides, fused)
# of each stage; B0 ... B3 share one table and scale it.
_B = (
    (3, 1, 32, 16, 1, 0, 1, True),
    (3, 2, 16, 32, 4, 0, 2, True),
    (3, 2, 32, 48, 4, 0, 2, True),
    (3, 3, 48, 96, 4, 0.25, 2, False),
    (3, 5, 96, 112, 6, 0.25, 1, False),
    (3, 8, 112, 192, 6, 0.25, 2, False),
)
BLOCKS_ARGS = {
    "b": _B,
    "s": (
        (3, 2, 24, 24, 1, 0, 1, True),
        (3, 4, 24, 48, 4, 0, 2, True),
        (3, 4, 48, 64, 4, 0, 2, True),
        (3, 6, 64, 128, 4, 0.25, 2, False),
        (3, 9, 128, 160, 6, 0.25, 1, False),
        (3, 15, 160, 256, 6, 0.25, 2, False),
    ),
    "m": (
        (3, 3, 24, 24, 1, 0, 1, True),
        (3, 5, 24, 48, 4, 0, 2, True),
        (3, 5, 48, 80, 4, 0, 2, True),
        (3, 7, 80, 160, 4, 0.25, 2, False),
        (3, 14, 160, 176, 6, 0.25, 1, False),
        (3, 18, 176, 304, 6, 0.25, 2, False),
        (3, 5, 304, 512, 6, 0.25, 1, False),
    ),
    "l": (
        (3, 4, 32, 32, 1, 0, 1, True),
        (3, 7, 32, 64, 4, 0, 2, True),
        (3, 7, 64, 96, 4, 0, 2, True),
        (3, 10, 96, 192, 4, 0.25, 2, False),
        (3, 19, 192, 224, 6, 0.25, 1, False),
        (3, 25, 224, 384, 6, 0.25, 2, False),
        (3, 7, 384, 640, 6, 0.25, 1, False),
    ),
}
# variant: (width coefficient, depth coefficient, default size, blocks table).
VARIANTS = {
    "B0": (1.0, 1.0, 224, "b"),
    "B1": (1.0, 1.1, 240, "b"),
    "B2": (1.1, 1.2, 260, "b"),
    "B3": (1.2, 1.4, 300, "b"),
    "S": (1.0, 1.0, 384, "s"),
    "M": (1.0, 1.0, 480, "m"),
    "L": (1.0, 1.0, 480, "l"),
}
BN_MOMENTUM = 0.9


def round_filters(filters, width_coefficient, divisor=8):
    """`filters * width_coefficient` rounded to the nearest multiple of `divisor`."""
    filters *= width_coefficient
    return int(max(divisor, int(filters + divisor / 2) // divisor * divisor))


def _conv(filters, kernel_size, name, strides=1, **kwargs):
    return layers.Conv2D(
        filters, kernel_size, strides=strides, padding="same", use_bias=False, name=name,
        kernel_initializer=CONV_KERNEL_INITIALIZER, **kwargs,
    )  # fmt: skip


def _bn_act(x, name, activation, act_name=None):
    x = layers.BatchNormalization(axis=_builder.channel_axis(), momentum=BN_MOMENTUM, name=name)(x)
    return x if activation is None else layers.Activation(activation, name=act_name)(x)


def mb_conv_block(inputs, f_in, f_out, expand, kernel, strides, se_ratio, activation,
                  drop_rate, name, fused):  # fmt: skip
    """A (fused) MBConv block: expand (kxk with stride when fused, else 1x1), depthwise
    (unfused), squeeze-excite, project (1x1, or kxk when fused without expansion), add."""
    filters = f_in * expand
    x = inputs
    if expand != 1:
        k, s = (kernel, strides) if fused else (1, 1)
        x = _conv(filters, k, name + "expand_conv", strides=s)(x)
        x = _bn_act(x, name + "expand_bn", activation, name + "expand_activation")
    if not fused:
        x = layers.DepthwiseConv2D(
            kernel, strides=strides, padding="same", use_bias=False, name=name + "dwconv2",
            depthwise_initializer=CONV_KERNEL_INITIALIZER,
        )(x)  # fmt: skip
        x = layers.BatchNormalization(
            axis=_builder.channel_axis(), momentum=BN_MOMENTUM, name=name + "bn"
        )(x)
        x = layers.Activation(activation, name=name + "activation")(x)
    if 0 < se_ratio <= 1:
        x = squeeze_excite(x, filters, max(1, int(f_in * se_ratio)), activation, name)
    k, s = (kernel, strides) if fused and expand == 1 else (1, 1)
    x = _conv(f_out, k, name + "project_conv", strides=s)(x)
    x = layers.BatchNormalization(
        axis=_builder.channel_axis(), momentum=BN_MOMENTUM, name=name + "project_bn"
    )(x)
    if fused and expand == 1:
        x = layers.Activation(activation, name=name + "project_activation")(x)
    if strides == 1 and f_in == f_out:
        if drop_rate:
            # Keras passes the block's drop rate (its "survival probability") as the rate.
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=name + "drop")(x)
        x = layers.Add(name=name + "add")([x, inputs])
    return x


def build_efficientnet_v2(
    variant, include_top, weights, input_tensor, input_shape, pooling, classes,
    classifier_activation, include_preprocessing, name, dropout_rate=0.2,
    drop_connect_rate=0.2, activation="swish",
):  # fmt: skip
    """The EfficientNetV2 graph of `variant` ("B0" ... "B3", "S", "M", "L")."""
    kind = f"EfficientNetV2{variant}"
    width, depth, default_size, table = VARIANTS[variant]
    blocks_args = BLOCKS_ARGS[table]
    _builder.check_arguments(kind, weights, pooling, classes, classifier_activation)
    input_shape = _builder.input_shape_for(kind, input_shape, default_size, 32, include_top)
    img_input = _builder.image_input(input_tensor, input_shape)
    axis = _builder.channel_axis()

    x = img_input
    if include_preprocessing:
        channels = img_input.shape[axis]
        # As in Keras: the B models normalize by ImageNet's statistics, the others to [-1, 1].
        if table == "b" and channels == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(
                mean=[0.485, 0.456, 0.406], variance=[0.229**2, 0.224**2, 0.225**2], axis=axis
            )(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)
    x = _conv(round_filters(blocks_args[0][2], width), 3, "stem_conv", strides=2)(x)
    x = _bn_act(x, "stem_bn", activation, "stem_activation")

    total = float(sum(args[1] for args in blocks_args))
    b = 0
    for i, (kernel, repeats, f_in, f_out, expand, se, strides, fused) in enumerate(blocks_args):
        f_in, f_out = round_filters(f_in, width), round_filters(f_out, width)
        for j in range(int(math.ceil(depth * repeats))):
            x = mb_conv_block(
                x, f_in if j == 0 else f_out, f_out, expand, kernel, strides if j == 0 else 1,
                se, activation, drop_connect_rate * b / total, f"block{i + 1}{chr(j + 97)}_",
                fused,
            )  # fmt: skip
            b += 1

    x = _conv(round_filters(1280, width), 1, "top_conv")(x)
    x = _bn_act(x, "top_bn", activation, "top_activation")
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        x = layers.Dense(
            classes, activation=classifier_activation, name="predictions",
            kernel_initializer=DENSE_KERNEL_INITIALIZER, bias_initializer="zeros",
        )(x)  # fmt: skip
    else:
        x = _builder.pool(x, pooling, avg_name="avg_pool", max_name="max_pool")
    return _builder.finish(name, img_input, input_tensor, x, weights)


_DOC = """EfficientNetV2-{variant}: default input {px}x{px}, {features} feature channels.

    With `include_preprocessing` the model takes pixels in [0, 255] (the B models normalize
    by ImageNet's mean and variance, S/M/L scale to [-1, 1]); `preprocess_input` is the
    identity. Layer names follow Keras (`stem_conv`, `block1a_project_conv`,
    `block4a_dwconv2`, `top_conv`, `predictions`). Unlike Keras, whose block table is looked
    up by the model's name, any `name` works.

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
        include_preprocessing: whether the model rescales its input itself.
        name: the model's name.

    Returns:
        A functional `Model`.

    Example:
        >>> from strata import applications
        >>> model = applications.EfficientNetV2{variant}(include_top=False, pooling="avg")
        >>> model.output_shape
        (None, {features})
    """


def _variant(variant):
    kind = f"EfficientNetV2{variant}"
    default_name = f"efficientnetv2-{variant.lower()}"

    def build(
        include_top=True,
        weights=None,
        input_tensor=None,
        input_shape=None,
        pooling=None,
        classes=1000,
        classifier_activation="softmax",
        include_preprocessing=True,
        name=default_name,
    ):
        return build_efficientnet_v2(
            variant, include_top, weights, input_tensor, input_shape, pooling, classes,
            classifier_activation, include_preprocessing, name,
        )  # fmt: skip

    build.__name__ = build.__qualname__ = kind
    width, _, size, _ = VARIANTS[variant]
    build.__doc__ = _DOC.format(variant=variant, px=size, features=round_filters(1280, width))
    return build


# Keras's public names; one builder each, from the variants table.
EfficientNetV2B0 = _variant("B0")
EfficientNetV2B1 = _variant("B1")
EfficientNetV2B2 = _variant("B2")
EfficientNetV2B3 = _variant("B3")
EfficientNetV2S = _variant("S")
EfficientNetV2M = _variant("M")
EfficientNetV2L = _variant("L")


def preprocess_input(x, data_format=None):
    """The identity, as in Keras: the models rescale their input themselves.

    Example:
        >>> preprocess_input(255.0)
        255.0
    """
    return x


def decode_predictions(preds, top=5, class_index_path=None):
    """The top ImageNet classes of each prediction; see `imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top, class_index_path=class_index_path)
