"""Parameter counts, output shapes and forward passes of every application."""

import numpy as np
import pytest
import torch

from strata import applications

# Keras's parameter counts: (total with top, trainable with top, total without top).
KERAS_COUNTS = {
    "Xception": (22_910_480, 22_855_952, 20_861_480),
    "InceptionV3": (23_851_784, 23_817_352, 21_802_784),
    "ResNet50": (25_636_712, 25_583_592, 23_587_712),
    "ResNet101": (44_707_176, 44_601_832, 42_658_176),
    "ResNet152": (60_419_944, 60_268_520, 58_370_944),
    "ResNet50V2": (25_613_800, 25_568_360, 23_564_800),
    "MobileNet": (4_253_864, 4_231_976, 3_228_864),
    "MobileNetV2": (3_538_984, 3_504_872, 2_257_984),
    "VGG16": (138_357_544, 138_357_544, 14_714_688),
}
# The layers that include_top=False leaves out (the others have no weights).
TOP_LAYERS = {"predictions", "conv_preds", "fc1", "fc2"}
KERAS_NAMES = {
    "Xception": "xception",
    "InceptionV3": "inception_v3",
    "ResNet50": "resnet50",
    "ResNet101": "resnet101",
    "ResNet152": "resnet152",
    "ResNet50V2": "resnet50v2",
    "MobileNet": "mobilenet_1.00_224",
    "MobileNetV2": "mobilenetv2_1.00_224",
    "VGG16": "vgg16",
}
# The smallest input each architecture takes, for cheap forward passes, and its feature map.
SMALL_INPUT = {
    "Xception": ((75, 75, 3), (3, 3, 2048)),
    "InceptionV3": ((75, 75, 3), (1, 1, 2048)),
    "ResNet50": ((32, 32, 3), (1, 1, 2048)),
    "ResNet101": ((32, 32, 3), (1, 1, 2048)),
    "ResNet152": ((32, 32, 3), (1, 1, 2048)),
    "ResNet50V2": ((32, 32, 3), (1, 1, 2048)),
    "MobileNet": ((32, 32, 3), (1, 1, 1024)),
    "MobileNetV2": ((32, 32, 3), (1, 1, 1280)),
    "VGG16": ((32, 32, 3), (1, 1, 512)),
}


def trainable_count(model):
    return sum(w.numel() for w in model.trainable_weights)


@pytest.mark.parametrize("family", sorted(KERAS_COUNTS))
def test_with_top_matches_keras_counts_name_and_output(family):
    model = getattr(applications, family)()
    total, trainable, _ = KERAS_COUNTS[family]
    assert model.count_params() == total
    assert trainable_count(model) == trainable
    assert model.name == KERAS_NAMES[family]
    assert model.output_shape == (None, 1000)
    size = 299 if family in ("Xception", "InceptionV3") else 224
    assert model.input_shape == (None, size, size, 3)
    assert model.get_layer("predictions") is model.layers[-1]
    base = [layer for layer in model.layers if layer.name not in TOP_LAYERS]
    assert sum(layer.count_params() for layer in base) == KERAS_COUNTS[family][2]


# ResNet101 and ResNet152 only stack more of ResNet50's blocks: their no-top count is checked
# on the model with the top above, which keeps this file's run time down.
@pytest.mark.parametrize("family", sorted(set(KERAS_COUNTS) - {"ResNet101", "ResNet152"}))
def test_without_top_counts_pooled_shape_and_forward(family):
    """One build per family: the no-top count, `pooling="avg"` and a 1-image forward pass."""
    shape, features = SMALL_INPUT[family]
    model = getattr(applications, family)(include_top=False, input_shape=shape, pooling="avg")
    assert model.count_params() == KERAS_COUNTS[family][2]
    assert model.output_shape == (None, features[-1])
    model.eval()
    image = torch.rand(1, *shape) * 2 - 1
    with torch.inference_mode():
        out = model(image)
    assert tuple(out.shape) == (1, features[-1])
    assert torch.isfinite(out).all()


@pytest.mark.parametrize(
    ("family", "kwargs"),
    [("MobileNet", {"alpha": 0.25}), ("MobileNetV2", {"alpha": 0.35}), ("VGG16", {})],
)
def test_feature_maps_and_max_pooling_agree(family, kwargs):
    shape, features = SMALL_INPUT[family]
    maps = getattr(applications, family)(include_top=False, input_shape=(64, 64, 3), **kwargs)
    spatial = maps.output_shape[1:3]
    assert spatial == (2, 2)
    pooled = getattr(applications, family)(
        include_top=False, input_shape=(64, 64, 3), pooling="max", **kwargs
    )
    pooled.set_weights(maps.get_weights())
    maps.eval()
    pooled.eval()
    image = torch.rand(1, 64, 64, 3)
    with torch.inference_mode():
        expected = maps(image).amax(dim=(1, 2))
        got = pooled(image)
    assert pooled.output_shape == (None, maps.output_shape[-1])
    torch.testing.assert_close(got, expected)


def test_free_input_size_without_top():
    model = applications.ResNet50V2(include_top=False)
    assert model.input_shape == (None, None, None, 3)
    assert model.output_shape == (None, None, None, 2048)
    assert model.name == "resnet50v2"


def test_mobilenet_names_follow_alpha_and_rows():
    assert applications.MobileNet(alpha=0.5, input_shape=(128, 128, 3)).name == "mobilenet_0.50_128"
    v2 = applications.MobileNetV2(alpha=0.35, include_top=False, name="tiny")
    assert v2.name == "tiny"
    assert v2.output_shape == (None, None, None, 1280)


def test_classes_and_classifier_activation():
    model = applications.MobileNet(
        alpha=0.25, input_shape=(32, 32, 3), classes=7, classifier_activation=None
    )
    assert model.output_shape == (None, 7)
    model.eval()
    with torch.inference_mode():
        logits = model(torch.rand(2, 32, 32, 3))
    # Logits, not probabilities: rows need not sum to one and may be negative.
    assert not torch.allclose(logits.sum(-1), torch.ones(2))
    softmax = applications.MobileNetV2(alpha=0.35, input_shape=(32, 32, 3), classes=3)
    softmax.eval()
    with torch.inference_mode():
        probabilities = softmax(torch.rand(2, 32, 32, 3))
    torch.testing.assert_close(probabilities.sum(-1), torch.ones(2))


def test_keras_layer_names_are_present():
    xception = applications.Xception(include_top=False)
    for name in ("block1_conv1", "block1_conv1_bn", "block5_sepconv1_act", "block14_sepconv2"):
        xception.get_layer(name)
    inception = applications.InceptionV3(include_top=False)
    for name in ("mixed0", "mixed9_0", "mixed9_1", "mixed10"):
        inception.get_layer(name)
    assert inception.get_layer("mixed7").output.shape[-1] == 768


def test_input_tensor_is_used_as_the_input():
    from strata import Input, layers

    source = Input(shape=(30, 30, 3))
    padded = layers.ZeroPadding2D(1)(source)
    model = applications.MobileNet(alpha=0.25, include_top=False, input_tensor=padded)
    assert len(model.inputs) == 1 and model.inputs[0] is source
    assert model.input_shape == (None, 30, 30, 3)
    assert model.output_shape == (None, 1, 1, 256)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"include_top": True, "input_shape": (None, None, 3)}, "fully known"),
        ({"input_shape": (16, 16, 3), "include_top": False}, "at least 32"),
        ({"input_shape": (32, 3), "include_top": False}, "3 values"),
        ({"pooling": "mean", "include_top": False}, "pooling"),
        ({"classes": 0}, "classes"),
        ({"weights": "/no/such/file.weights.h5"}, "existing weights file"),
    ],
)
def test_invalid_arguments_raise_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        applications.VGG16(**kwargs)


def test_input_tensor_must_be_symbolic():
    with pytest.raises(ValueError, match="symbolic tensor"):
        applications.VGG16(include_top=False, input_tensor=np.zeros((1, 32, 32, 3)))


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_odd_sizes_and_both_data_formats(data_format):
    """An odd size exercises MobileNetV2's asymmetric padding before strided depthwise convs."""
    import strata

    previous = strata.backend.image_data_format()
    strata.backend.set_image_data_format(data_format)
    try:
        shape = (33, 33, 3) if data_format == "channels_last" else (3, 33, 33)
        model = applications.MobileNetV2(alpha=0.35, include_top=False, input_shape=shape)
        model.eval()
        with torch.inference_mode():
            out = model(torch.rand(1, *shape))
    finally:
        strata.backend.set_image_data_format(previous)
    expected = (2, 2, 1280) if data_format == "channels_last" else (1280, 2, 2)
    assert model.output_shape == (None, *expected)
    assert tuple(out.shape) == (1, *expected)
    assert model.count_params() == 410_208  # pinned: alpha=0.35 widths rounded to multiples of 8
