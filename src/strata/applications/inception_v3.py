"""InceptionV3 (Szegedy et al., 2016): factorized inception modules."""

from __future__ import annotations

from strata import layers
from strata.applications import _builder, imagenet_utils

__all__ = ["InceptionV3", "decode_predictions", "preprocess_input"]


def InceptionV3(  # noqa: N802 - Keras's public name
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="inception_v3",
):
    """The InceptionV3 architecture (the eleven `mixed0` ... `mixed10` modules).

    Convolutions carry no bias and are followed by a BatchNormalization without scale
    (`scale=False`) and a ReLU, as in Keras; the modules' outputs are named `mixed0` ...
    `mixed10` so they can be picked as feature layers.

    Args:
        include_top: whether to end with global average pooling and the `classes`-way Dense
            classifier (`predictions`).
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
        A functional `Model`; without the top its features have 2048 channels.

    Example:
        >>> from strata import applications
        >>> base = applications.InceptionV3(include_top=False, input_shape=(75, 75, 3))
        >>> base.output_shape
        (None, 1, 1, 2048)
    """
    _builder.check_arguments("InceptionV3", weights, pooling, classes, classifier_activation)
    input_shape = _builder.input_shape_for("InceptionV3", input_shape, 299, 75, include_top)
    img_input = _builder.image_input(input_tensor, input_shape)
    axis = _builder.channel_axis()

    def conv(x, filters, rows, cols, strides=1, padding="same", layer_name=None):
        conv_name = None if layer_name is None else layer_name + "_conv"
        bn_name = None if layer_name is None else layer_name + "_bn"
        x = layers.Conv2D(
            filters, (rows, cols), strides=strides, padding=padding, use_bias=False, name=conv_name
        )(x)
        x = layers.BatchNormalization(axis=axis, scale=False, name=bn_name)(x)
        return layers.Activation("relu", name=layer_name)(x)

    def avg_pool_branch(x, filters):
        x = layers.AveragePooling2D(3, strides=1, padding="same")(x)
        return conv(x, filters, 1, 1)

    def concat(branches, layer_name=None):
        return layers.concatenate(branches, axis=axis, name=layer_name)

    x = conv(img_input, 32, 3, 3, strides=2, padding="valid")
    x = conv(x, 32, 3, 3, padding="valid")
    x = conv(x, 64, 3, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv(x, 80, 1, 1, padding="valid")
    x = conv(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)

    # mixed0-2 (35x35 at 299): 1x1, 5x5, double 3x3 and pooling branches.
    for index, pool_filters in enumerate((32, 64, 64)):
        branch1x1 = conv(x, 64, 1, 1)
        branch5x5 = conv(conv(x, 48, 1, 1), 64, 5, 5)
        branch3x3dbl = conv(conv(conv(x, 64, 1, 1), 96, 3, 3), 96, 3, 3)
        branch_pool = avg_pool_branch(x, pool_filters)
        x = concat([branch1x1, branch5x5, branch3x3dbl, branch_pool], f"mixed{index}")

    # mixed3: grid reduction to 17x17.
    branch3x3 = conv(x, 384, 3, 3, strides=2, padding="valid")
    branch3x3dbl = conv(conv(x, 64, 1, 1), 96, 3, 3)
    branch3x3dbl = conv(branch3x3dbl, 96, 3, 3, strides=2, padding="valid")
    branch_pool = layers.MaxPooling2D(3, strides=2)(x)
    x = concat([branch3x3, branch3x3dbl, branch_pool], "mixed3")

    # mixed4-7: 7x7 convolutions factorized into 1x7 and 7x1.
    for index, width in zip(range(4, 8), (128, 160, 160, 192), strict=True):
        branch1x1 = conv(x, 192, 1, 1)
        branch7x7 = conv(conv(conv(x, width, 1, 1), width, 1, 7), 192, 7, 1)
        branch7x7dbl = conv(x, width, 1, 1)
        branch7x7dbl = conv(conv(branch7x7dbl, width, 7, 1), width, 1, 7)
        branch7x7dbl = conv(conv(branch7x7dbl, width, 7, 1), 192, 1, 7)
        branch_pool = avg_pool_branch(x, 192)
        x = concat([branch1x1, branch7x7, branch7x7dbl, branch_pool], f"mixed{index}")

    # mixed8: grid reduction to 8x8.
    branch3x3 = conv(conv(x, 192, 1, 1), 320, 3, 3, strides=2, padding="valid")
    branch7x7x3 = conv(conv(conv(x, 192, 1, 1), 192, 1, 7), 192, 7, 1)
    branch7x7x3 = conv(branch7x7x3, 192, 3, 3, strides=2, padding="valid")
    branch_pool = layers.MaxPooling2D(3, strides=2)(x)
    x = concat([branch3x3, branch7x7x3, branch_pool], "mixed8")

    # mixed9-10: expanded filter banks (1x3 and 3x1 side by side).
    for index in (9, 10):
        branch1x1 = conv(x, 320, 1, 1)
        branch3x3 = conv(x, 384, 1, 1)
        branch3x3 = concat(
            [conv(branch3x3, 384, 1, 3), conv(branch3x3, 384, 3, 1)], f"mixed9_{index - 9}"
        )
        branch3x3dbl = conv(conv(x, 448, 1, 1), 384, 3, 3)
        branch3x3dbl = concat([conv(branch3x3dbl, 384, 1, 3), conv(branch3x3dbl, 384, 3, 1)])
        branch_pool = avg_pool_branch(x, 192)
        x = concat([branch1x1, branch3x3, branch3x3dbl, branch_pool], f"mixed{index}")

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
