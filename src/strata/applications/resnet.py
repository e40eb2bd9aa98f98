"""ResNet50, ResNet101 and ResNet152 (He et al., 2015): bottleneck residual networks (v1)."""

from __future__ import annotations

from strata import layers
from strata.applications import _builder, imagenet_utils

__all__ = ["ResNet50", "ResNet101", "ResNet152", "decode_predictions", "preprocess_input"]

BN_EPSILON = 1.001e-5


def build_resnet(
    stack_fn,
    *,
    preact,
    use_bias,
    kind,
    name,
    include_top,
    weights,
    input_tensor,
    input_shape,
    pooling,
    classes,
    classifier_activation,
):
    """The stem, `stack_fn(x)` and the head shared by the v1 and v2 ResNets.

    Args:
        stack_fn: builds the residual stages on the stem's output.
        preact: True for v2 (pre-activation): no BN/ReLU after the first convolution, and a
            final `post_bn`/`post_relu` instead.
        use_bias: whether the first convolution has a bias.
        name: the model's name.
        kind: the public function's name, for messages.
        include_top, weights, input_tensor, input_shape, pooling, classes,
            classifier_activation: as in `ResNet50`.
    """
    _builder.check_arguments(kind, weights, pooling, classes, classifier_activation)
    input_shape = _builder.input_shape_for(kind, input_shape, 224, 32, include_top)
    img_input = _builder.image_input(input_tensor, input_shape)
    axis = _builder.channel_axis()

    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = layers.BatchNormalization(axis=axis, epsilon=BN_EPSILON, name="conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = layers.BatchNormalization(axis=axis, epsilon=BN_EPSILON, name="post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)

    x = _builder.average_pool_top(
        x, include_top, pooling, classes, classifier_activation, pool_name="avg_pool"
    )
    return _builder.finish(name, img_input, input_tensor, x, weights)


def residual_block_v1(x, filters, kernel_size=3, stride=1, conv_shortcut=True, name=None):
    """A bottleneck block: 1x1 (stride), kxk, 1x1 to `4 * filters`, added to the shortcut."""
    axis = _builder.channel_axis()

    def bn(y, suffix):
        return layers.BatchNormalization(axis=axis, epsilon=BN_EPSILON, name=name + suffix)(y)

    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(x)
        shortcut = bn(shortcut, "_0_bn")
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=name + "_1_conv")(x)
    x = layers.Activation("relu", name=name + "_1_relu")(bn(x, "_1_bn"))
    x = layers.Conv2D(filters, kernel_size, padding="same", name=name + "_2_conv")(x)
    x = layers.Activation("relu", name=name + "_2_relu")(bn(x, "_2_bn"))
    x = layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    x = bn(x, "_3_bn")
    x = layers.Add(name=name + "_add")([shortcut, x])
    return layers.Activation("relu", name=name + "_out")(x)


def stack_residual_blocks_v1(x, filters, blocks, stride1=2, name=None):
    """`blocks` bottleneck blocks; the first has a projection shortcut and stride `stride1`."""
    x = residual_block_v1(x, filters, stride=stride1, name=name + "_block1")
    for i in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def _stacks_v1(blocks_per_stage):
    def stack_fn(x):
        stages = zip((64, 128, 256, 512), blocks_per_stage, strict=True)
        for stage, (filters, blocks) in enumerate(stages):
            name = f"conv{stage + 2}"
            x = stack_residual_blocks_v1(x, filters, blocks, stride1=2 if stage else 1, name=name)
        return x

    return stack_fn


def ResNet50(  # noqa: N802 - Keras's public name
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="resnet50",
):
    """The 50-layer ResNet (v1): stages of 3, 4, 6 and 3 bottleneck blocks.

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
        A functional `Model`; without the top its features have 2048 channels at 1/32 of the
        input's resolution.

    Example:
        >>> from strata import applications
        >>> applications.ResNet50(include_top=False, pooling="avg").output_shape
        (None, 2048)
    """
    return build_resnet(
        _stacks_v1((3, 4, 6, 3)),
        preact=False,
        use_bias=True,
        kind="ResNet50",
        name=name,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
    )


def ResNet101(  # noqa: N802 - Keras's public name
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="resnet101",
):
    """The 101-layer ResNet (v1): stages of 3, 4, 23 and 3 bottleneck blocks.

    Args and returns: as for `ResNet50` (default name "resnet101").
    """
    return build_resnet(
        _stacks_v1((3, 4, 23, 3)),
        preact=False,
        use_bias=True,
        kind="ResNet101",
        name=name,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
    )


def ResNet152(  # noqa: N802 - Keras's public name
    include_top=True,
    weights=None,
    input_tensor=None,
    input_shape=None,
    pooling=None,
    classes=1000,
    classifier_activation="softmax",
    name="resnet152",
):
    """The 152-layer ResNet (v1): stages of 3, 8, 36 and 3 bottleneck blocks.

    Args and returns: as for `ResNet50` (default name "resnet152").
    """
    return build_resnet(
        _stacks_v1((3, 8, 36, 3)),
        preact=False,
        use_bias=True,
        kind="ResNet152",
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
    """RGB to BGR and ImageNet mean subtraction (Keras's "caffe" mode); see `imagenet_utils`."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5, class_index_path=None):
    """The top ImageNet classes of each prediction; see `imagenet_utils.decode_predictions`."""
    return imagenet_utils.decode_predictions(preds, top=top, class_index_path=class_index_path)
