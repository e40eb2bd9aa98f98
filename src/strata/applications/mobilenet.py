"""MobileNet (Howard et al., 2017): depthwise separable convolutions with a width multiplier."""

from __future__ import annotations

from strata import layers
from strata.applications import _builder, imagenet_utils

__all__ = ["MobileNet", "decode_predictions", "preprocess_input"]

# (pointwise filters, stride) of the 13 depthwise separable blocks, conv_dw_1 ... conv_dw_13.
BLOCKS = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
)


def MobileNet(  # noqa: N802 - Keras's public name
    input_shape=None,
    alpha=1.0,
    depth_multiplier=1,
    dropout=1e-3,
    include_top=True,
    weights=None,
    input_tensor=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name=None,
):
    """The MobileNet (v1) architecture: a stem and 13 depthwise separable blocks with ReLU6.

    Arguments come in Keras's order (`input_shape` first). Layer names follow Keras
    (`conv1`, `conv_dw_1`, `conv_pw_1_bn`, `conv_preds`, ...).

    Args:
        input_shape: the image shape; default `(224, 224, 3)` with `include_top`, else
            `(None, None, 3)`. Height and width must be at least 32.
        alpha: the width multiplier: every layer has `int(filters * alpha)` filters.
        depth_multiplier: the depthwise convolutions' channel multiplier.
        dropout: the dropout rate before the classifier.
        include_top: whether to end with global average pooling, dropout, a 1x1
            convolution to `classes` (`conv_preds`) and the activation (`predictions`).
        weights: None (random initialization), the path to a local weights or model file, or
            `"zoo:<name>"` for a `strata.zoo` entry (`"imagenet"` raises: nothing downloads).
        input_tensor: an optional symbolic tensor to use as the image input.
        pooling: without the top, None (4D feature maps), `"avg"` or `"max"` (2D features).
        classes: number of classes of the classifier.
        classifier_activation: the classifier's activation (None gives logits).
        name: the model's name; None gives Keras's `mobilenet_{alpha:0.2f}_{rows}`
            (`"mobilenet_1.00_224"`).

    Returns:
        A functional `Model`; without the top its features have `int(1024 * alpha)` channels.

    Example:
        >>> from strata import applications
        >>> applications.MobileNet(alpha=0.25, include_top=False, pooling="avg").output_shape
        (None, 256)
    """
    _builder.check_arguments("MobileNet", weights, pooling, classes, classifier_activation)
    if not float(alpha) > 0:
        raise ValueError(f"MobileNet expected a positive `alpha`; received {alpha!r}.")
    sizes = (128, 160, 192, 224)
    default_size = _builder.size_from_shape(input_shape, input_tensor, sizes)
    input_shape = _builder.input_shape_for("MobileNet", input_shape, default_size, 32, include_top)
    img_input = _builder.image_input(input_tensor, input_shape)
    axis = _builder.channel_axis()

    x = layers.Conv2D(int(32 * alpha), 3, strides=2, padding="same", use_bias=False, name="conv1")(
        img_input
    )
    x = layers.BatchNormalization(axis=axis, name="conv1_bn")(x)
    x = layers.ReLU(6.0, name="conv1_relu")(x)

    for block_id, (filters, stride) in enumerate(BLOCKS, start=1):
        if stride == 2:
            x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
        x = layers.DepthwiseConv2D(
            3,
            strides=stride,
            padding="same" if stride == 1 else "valid",
            depth_multiplier=depth_multiplier,
            use_bias=False,
            name=f"conv_dw_{block_id}",
        )(x)
        x = layers.BatchNormalization(axis=axis, name=f"conv_dw_{block_id}_bn")(x)
        x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
        x = layers.Conv2D(
            int(filters * alpha), 1, padding="same", use_bias=False, name=f"conv_pw_{block_id}"
        )(x)
        x = layers.BatchNormalization(axis=axis, name=f"conv_pw_{block_id}_bn")(x)
        x = layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, 1, padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        x = layers.Activation(classifier_activation, name="predictions")(x)
    else:
        x = _builder.pool(x, pooling)
    if name is None:
        name = f"mobilenet_{float(alpha):0.2f}_{_builder.rows_of(input_shape)}"
    return _builder.finish(name, img_input, input_tensor, x, weights)


def preprocess_input(x, data_format=None):
    """Scale pixels from [0, 255] to [-1, 1] (Keras's "tf" mode); see `imagenet_utils`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5, class_index_path=None):
    """The top ImageNet classes of each prediction; see `imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top, class_index_path=class_index_path)
