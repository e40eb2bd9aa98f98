"""VGG16 (Simonyan and Zisserman, 2014): thirteen 3x3 convolutions and three dense layers."""

from __future__ import annotations

from strata import layers
from strata.applications import _builder, imagenet_utils

__all__ = ["VGG16", "decode_predictions", "preprocess_input"]

# (filters, convolutions) of block1 ... block5.
BLOCKS = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))


def VGG16(  # noqa: N802 - Keras's public name
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="vgg16",
):
    """The VGG16 architecture: five blocks of ReLU convolutions, each ending in max pooling.

    Layer names follow Keras (`block1_conv1` ... `block5_pool`, `flatten`, `fc1`, `fc2`,
    `predictions`).

    Args:
        include_top: whether to end with `flatten`, the two 4096-unit ReLU layers (`fc1`,
            `fc2`) and the `classes`-way classifier (`predictions`); the input size is then
            fixed (default `(224, 224, 3)`).
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
        A functional `Model`; without the top its features have 512 channels at 1/32 of the
        input's resolution (rounded down).

    Example:
        >>> from strata import applications
        >>> applications.VGG16(include_top=False, input_shape=(32, 32, 3)).output_shape
        (None, 1, 1, 512)
    """
    return build_vgg(
        "VGG16", BLOCKS, include_top, weights, input_tensor, input_shape, pooling, classes,
        classifier_activation, name,
    )  # fmt: skip


def build_vgg(
    kind, blocks, include_top, weights, input_tensor, input_shape, pooling, classes,
    classifier_activation, name,
):  # fmt: skip
    """The VGG graph for `blocks` ((filters, convolutions) per block), shared with VGG19."""
    _builder.check_arguments(kind, weights, pooling, classes, classifier_activation)
    input_shape = _builder.input_shape_for(kind, input_shape, 224, 32, include_top)
    img_input = _builder.image_input(input_tensor, input_shape)

    x = img_input
    for block, (filters, convolutions) in enumerate(blocks, start=1):
        for i in range(1, convolutions + 1):
            x = layers.Conv2D(
                filters, 3, activation="relu", padding="same", name=f"block{block}_conv{i}"
            )(x)
        x = layers.MaxPooling2D(2, strides=2, name=f"block{block}_pool")(x)

    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = _builder.pool(x, pooling)
    return _builder.finish(name, img_input, input_tensor, x, weights)


def preprocess_input(x, data_format=None):
    """RGB to BGR and ImageNet mean subtraction (Keras's "caffe" mode); see `imagenet_utils`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5, class_index_path=None):
    """The top ImageNet classes of each prediction; see `imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top, class_index_path=class_index_path)
