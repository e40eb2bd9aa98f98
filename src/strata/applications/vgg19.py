"""VGG19 (Simonyan and Zisserman, 2014): sixteen 3x3 convolutions and three dense layers."""

from __future__ import annotations

from strata.applications import imagenet_utils
from strata.applications.vgg16 import build_vgg

__all__ = ["VGG19", "decode_predictions", "preprocess_input"]

# (filters, convolutions) of block1 ... block5.
BLOCKS = ((64, 2), (128, 2), (256, 4), (512, 4), (512, 4))


def VGG19(  # noqa: N802 - Keras's public name
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="vgg19",
):
    """The VGG19 architecture: VGG16 with four convolutions in each of blocks 3, 4 and 5.

    Layer names follow Keras (`block1_conv1` ... `block5_conv4`, `block5_pool`, `flatten`,
    `fc1`, `fc2`, `predictions`).

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
        >>> applications.VGG19(include_top=False, input_shape=(32, 32, 3)).count_params()
        20024384
    """
    return build_vgg(
        "VGG19", BLOCKS, include_top, weights, input_tensor, input_shape, pooling, classes,
        classifier_activation, name,
    )  # fmt: skip


def preprocess_input(x, data_format=None):
    """RGB to BGR and ImageNet mean subtraction (Keras's "caffe" mode); see `imagenet_utils`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5, class_index_path=None):
    """The top ImageNet classes of each prediction; see `imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top, class_index_path=class_index_path)
