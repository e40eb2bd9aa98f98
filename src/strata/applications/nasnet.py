"""NASNetMobile and NASNetLarge (Zoph et al., 2018): cells found by architecture search."""

from __future__ import annotations

from strata import layers
from strata.applications import _builder, imagenet_utils
from strata.applications.mobilenet_v2 import correct_pad
from strata.backend import config as backend_config

__all__ = ["NASNetLarge", "NASNetMobile", "decode_predictions", "preprocess_input"]

BN_ARGS = {"momentum": 0.9997, "epsilon": 1e-3}


def _bn(x, name):
    return layers.BatchNormalization(axis=-1, name=name, **BN_ARGS)(x)


def _conv1x1(x, filters, name):
    return layers.Conv2D(
        filters, 1, padding="same", use_bias=False, kernel_initializer="he_normal", name=name
    )(x)


def separable_conv_block(x, filters, kernel_size=3, strides=1, block_id=None):
    """Twice ReLU, separable convolution (the first with `strides`) and BatchNormalization."""
    x = layers.Activation("relu")(x)
    padding = "same"
    if strides == 2:
        pad = correct_pad(x, kernel_size)
        x = layers.ZeroPadding2D(padding=pad, name=f"separable_conv_1_pad_{block_id}")(x)
        padding = "valid"
    x = layers.SeparableConv2D(
        filters, kernel_size, strides=strides, padding=padding, use_bias=False,
        name=f"separable_conv_1_{block_id}",
    )(x)  # fmt: skip
    x = _bn(x, f"separable_conv_1_bn_{block_id}")
    x = layers.Activation("relu")(x)
    x = layers.SeparableConv2D(
        filters, kernel_size, padding="same", use_bias=False, name=f"separable_conv_2_{block_id}"
    )(x)
    return _bn(x, f"separable_conv_2_bn_{block_id}")


def adjust_block(p, ip, filters, block_id=None):
    """Bring the previous cell's output `p` to the size and width of the current input `ip`.

    As in Keras, the sizes are compared as declared (None equals None), so a model built for
    a free input size skips the halving branch that a fixed size would take.
    """
    if p is None:
        return ip
    if p.shape[-2] != ip.shape[-2]:
        p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
        p1 = layers.AveragePooling2D(1, strides=2, name=f"adjust_avg_pool_1_{block_id}")(p)
        p1 = _conv1x1(p1, filters // 2, f"adjust_conv_1_{block_id}")
        # The second path samples the odd pixels: shift by one, then the same 1x1 pooling.
        p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
        p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
        p2 = layers.AveragePooling2D(1, strides=2, name=f"adjust_avg_pool_2_{block_id}")(p2)
        p2 = _conv1x1(p2, filters // 2, f"adjust_conv_2_{block_id}")
        p = layers.Concatenate(axis=-1)([p1, p2])
        return _bn(p, f"adjust_bn_{block_id}")
    if p.shape[-1] != filters:
        p = layers.Activation("relu")(p)
        p = _conv1x1(p, filters, f"adjust_conv_projection_{block_id}")
        return _bn(p, f"adjust_bn_{block_id}")
    return p


def _squeeze(ip, filters, prefix, block_id):
    h = layers.Activation("relu")(ip)
    h = _conv1x1(h, filters, f"{prefix}_conv_1_{block_id}")
    return _bn(h, f"{prefix}_bn_1_{block_id}")


def normal_a_cell(ip, p, filters, block_id=None):
    """The normal cell: five pairwise sums over the input and the previous cell, concatenated."""
    p = adjust_block(p, ip, filters, block_id)
    h = _squeeze(ip, filters, "normal", block_id)
    b = f"_{block_id}"

    def avg3(y, name):
        return layers.AveragePooling2D(3, strides=1, padding="same", name=name + b)(y)

    x1 = layers.Add(name="normal_add_1" + b)(
        [separable_conv_block(h, filters, 5, block_id="normal_left1" + b),
         separable_conv_block(p, filters, block_id="normal_right1" + b)]
    )  # fmt: skip
    x2 = layers.Add(name="normal_add_2" + b)(
        [separable_conv_block(p, filters, 5, block_id="normal_left2" + b),
         separable_conv_block(p, filters, 3, block_id="normal_right2" + b)]
    )  # fmt: skip
    x3 = layers.Add(name="normal_add_3" + b)([avg3(h, "normal_left3"), p])
    x4 = layers.Add(name="normal_add_4" + b)([avg3(p, "normal_left4"), avg3(p, "normal_right4")])
    x5 = separable_conv_block(h, filters, block_id="normal_left5" + b)
    x5 = layers.Add(name="normal_add_5" + b)([x5, h])
    x = layers.Concatenate(axis=-1, name="normal_concat" + b)([p, x1, x2, x3, x4, x5])
    return x, ip


def reduction_a_cell(ip, p, filters, block_id=None):
    """The reduction cell: like the normal cell with stride-2 branches (half the size)."""
    p = adjust_block(p, ip, filters, block_id)
    h = _squeeze(ip, filters, "reduction", block_id)
    b = f"_{block_id}"
    h3 = layers.ZeroPadding2D(padding=correct_pad(h, 3), name="reduction_pad_1" + b)(h)

    def sep(y, kernel, name):
        return separable_conv_block(y, filters, kernel, strides=2, block_id=name + b)

    x1 = layers.Add(name="reduction_add_1" + b)(
        [sep(h, 5, "reduction_left1"), sep(p, 7, "reduction_right1")]
    )
    x2_1 = layers.MaxPooling2D(3, strides=2, name="reduction_left2" + b)(h3)
    x2 = layers.Add(name="reduction_add_2" + b)([x2_1, sep(p, 7, "reduction_right2")])
    x3_1 = layers.AveragePooling2D(3, strides=2, name="reduction_left3" + b)(h3)
    x3 = layers.Add(name="reduction_add3" + b)([x3_1, sep(p, 5, "reduction_right3")])
    x4 = layers.AveragePooling2D(3, strides=1, padding="same", name="reduction_left4" + b)(x1)
    x4 = layers.Add()([x2, x4])
    # Keras names this block "reduction_left4" too (its layers' names differ: separable_*).
    x5_1 = separable_conv_block(x1, filters, 3, block_id="reduction_left4" + b)
    x5_2 = layers.MaxPooling2D(3, strides=2, name="reduction_right5" + b)(h3)
    x5 = layers.Add(name="reduction_add4" + b)([x5_1, x5_2])
    x = layers.Concatenate(axis=-1, name="reduction_concat" + b)([x2, x3, x4, x5])
    return x, ip


def build_nasnet(
    kind, input_shape, penultimate_filters, num_blocks, stem_block_filters, skip_reduction,
    filter_multiplier, include_top, weights, input_tensor, pooling, classes, default_size,
    classifier_activation, name,
):  # fmt: skip
    """The NASNet graph: a stem, two stem reduction cells, three stacks of normal cells."""
    _builder.check_arguments(kind, weights, pooling, classes, classifier_activation)
    if backend_config.image_data_format() != "channels_last":
        raise ValueError(
            f"{kind} expected the 'channels_last' image data format (as in Keras); received "
            f"{backend_config.image_data_format()!r}."
        )
    input_shape = _builder.input_shape_for(kind, input_shape, default_size, 32, include_top)
    img_input = _builder.image_input(input_tensor, input_shape)
    filters = penultimate_filters // 24
    m = filter_multiplier

    x = layers.Conv2D(
        stem_block_filters, 3, strides=2, padding="valid", use_bias=False, name="stem_conv1",
        kernel_initializer="he_normal",
    )(img_input)  # fmt: skip
    x = _bn(x, "stem_bn1")
    x, p = reduction_a_cell(x, None, filters // m**2, block_id="stem_1")
    x, p = reduction_a_cell(x, p, filters // m, block_id="stem_2")
    for stage in range(3):
        if stage:
            x, p0 = reduction_a_cell(
                x, p, filters * m**stage, block_id=f"reduce_{stage * num_blocks}"
            )
            p = p if skip_reduction else p0
        for i in range(num_blocks):
            block_id = f"{stage * num_blocks + i + (1 if stage else 0)}"
            x, p = normal_a_cell(x, p, filters * m**stage, block_id=block_id)
    x = layers.Activation("relu")(x)

    x = _builder.average_pool_top(x, include_top, pooling, classes, classifier_activation)
    return _builder.finish(name, img_input, input_tensor, x, weights)


def NASNetMobile(  # noqa: N802 - Keras's public name
    input_shape=None,
    include_top=True,
    weights=None,
    input_tensor=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="nasnet_mobile",
):
    """NASNet-A Mobile (4 @ 1056): 4 normal cells per stack, 1056 penultimate filters.

    Keras refuses this model on its torch backend (a bug of its own); strata builds it. Only
    the channels-last data format is supported, as in Keras.

    Args:
        input_shape: the image shape (channels last); default `(224, 224, 3)`, with or
            without the top. Height and width must be at least 32.
        include_top: whether to end with global average pooling and the `classes`-way Dense
            classifier (`predictions`).
        weights: None (random initialization), the path to a local weights or model file, or
            `"zoo:<name>"` for a `strata.zoo` entry (`"imagenet"` raises: nothing downloads).
        input_tensor: an optional symbolic tensor to use as the image input.
        pooling: without the top, None (4D feature maps), `"avg"` or `"max"` (2D features).
        classes: number of classes of the classifier.
        classifier_activation: the classifier's activation (None gives logits).
        name: the model's name.

    Returns:
        A functional `Model`; without the top its features have 1056 channels.

    Example:
        >>> from strata import applications
        >>> applications.NASNetMobile(input_shape=(32, 32, 3), classes=10).output_shape
        (None, 10)
    """
    if not include_top and input_shape is None:
        input_shape = (224, 224, 3)
    return build_nasnet(
        "NASNetMobile", input_shape, 1056, 4, 32, False, 2, include_top, weights, input_tensor,
        pooling, classes, 224, classifier_activation, name,
    )  # fmt: skip


def NASNetLarge(  # noqa: N802 - Keras's public name
    input_shape=None,
    include_top=True,
    weights=None,
    input_tensor=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="nasnet_large",
):
    """NASNet-A Large (6 @ 4032): 6 normal cells per stack, 4032 penultimate filters.

    Args and returns: as for `NASNetMobile`, except that the default input shape is
    `(331, 331, 3)` with the top and `(None, None, 3)` without (then, as in Keras, the cells
    cannot see that sizes halve and the graph differs from the fixed-size one); features
    have 4032 channels; default name "nasnet_large".
    """
    return build_nasnet(
        "NASNetLarge", input_shape, 4032, 6, 96, True, 2, include_top, weights, input_tensor,
        pooling, classes, 331, classifier_activation, name,
    )  # fmt: skip


def preprocess_input(x, data_format=None):
    """Scale pixels from [0, 255] to [-1, 1] (Keras's "tf" mode); see `imagenet_utils`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5, class_index_path=None):
    """The top ImageNet classes of each prediction; see `imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top, class_index_path=class_index_path)
