"""ResNet50V2 (He et al., 2016): pre-activation bottleneck residual networks."""

from __future__ import annotations

from strata import layers
from strata.applications import _builder, imagenet_utils
from strata.applications.resnet import BN_EPSILON, build_resnet

__all__ = ["ResNet50V2", "ResNet101V2", "ResNet152V2", "decode_predictions", "preprocess_input"]


def residual_block_v2(x, filters, kernel_size=3, stride=1, conv_shortcut=False, name=None):
    """A pre-activation bottleneck block: BN-ReLU, then 1x1, kxk (stride), 1x1 to 4x filters.

    The shortcut is a 1x1 projection of the pre-activated input (`conv_shortcut`), a strided
    1x1 max pooling of the input (`stride > 1`), or the input itself.
    """
    axis = _builder.channel_axis()

    def bn(y, suffix):
        return layers.BatchNormalization(axis=axis, epsilon=BN_EPSILON, name=name + suffix)(y)

    preact = layers.Activation("relu", name=name + "_preact_relu")(bn(x, "_preact_bn"))
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(preact)
    elif stride > 1:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=name + "_1_conv")(preact)
    x = layers.Activation("relu", name=name + "_1_relu")(bn(x, "_1_bn"))
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=name + "_2_pad")(x)
    x = layers.Conv2D(filters, kernel_size, strides=stride, use_bias=False, name=name + "_2_conv")(
        x
    )
    x = layers.Activation("relu", name=name + "_2_relu")(bn(x, "_2_bn"))
    x = layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    return layers.Add(name=name + "_out")([shortcut, x])


def stack_residual_blocks_v2(x, filters, blocks, stride1=2, name=None):
    """`blocks` pre-activation blocks; the first projects, the last has stride `stride1`."""
    x = residual_block_v2(x, filters, conv_shortcut=True, name=name + "_block1")
    for i in range(2, blocks):
        x = residual_block_v2(x, filters, name=f"{name}_block{i}")
    return residual_block_v2(x, filters, stride=stride1, name=f"{name}_block{blocks}")


def _stacks_v2(blocks_per_stage):
    def stack_fn(x):
        b2, b3, b4, b5 = blocks_per_stage
        x = stack_residual_blocks_v2(x, 64, b2, name="conv2")
        x = stack_residual_blocks_v2(x, 128, b3, name="conv3")
        x = stack_residual_blocks_v2(x, 256, b4, name="conv4")
        return stack_residual_blocks_v2(x, 512, b5, stride1=1, name="conv5")

    return stack_fn


def ResNet50V2(  # noqa: N802 - Keras's public name
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="resnet50v2",
):
    """The 50-layer pre-activation ResNet (v2), ending with `post_bn` and `post_relu`.

    Args:
        include_top: whether to end with global average pooling (`avg_pool`) and the
            `classes`-way Dense classifier (`predictions`).
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
        A functional `Model`; without the top its features have 2048 channels.

    Example:
        >>> from strata import applications
        >>> applications.ResNet50V2(include_top=False, pooling="max").output_shape
        (None, 2048)
    """
    return build_resnet(
        _stacks_v2((3, 4, 6, 3)),
        preact=True,
        use_bias=True,
        kind="ResNet50V2",
        name=name,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
    )


def ResNet101V2(  # noqa: N802 - Keras's public name
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="resnet101v2",
):
    """The 101-layer pre-activation ResNet (v2): stages of 3, 4, 23 and 3 blocks.

    Args and returns: as for `ResNet50V2` (default name "resnet101v2").
    """
    return build_resnet(
        _stacks_v2((3, 4, 23, 3)),
        preact=True,
        use_bias=True,
        kind="ResNet101V2",
        name=name,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
    )


def ResNet152V2(  # noqa: N802 - Keras's public name
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="resnet152v2",
):
    """The 152-layer pre-activation ResNet (v2): stages of 3, 8, 36 and 3 blocks.

    Args and returns: as for `ResNet50V2` (default name "resnet152v2").
    """
    return build_resnet(
        _stacks_v2((3, 8, 36, 3)),
        preact=True,
        use_bias=True,
        kind="ResNet152V2",
        name=name,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
    )


def preprocess_input(x, data_format=None):
    """Scale pixels from [0, 255] to [-1, 1] (Keras's "tf" mode); see `imagenet_utils`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5, class_index_path=None):
    """The top ImageNet classes of each prediction; see `imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top, class_index_path=class_index_path)
