"""The Keras 3.15 applications added after the first nine: Keras's parameter counts, model
names and weight layouts (from tests/applications/fixtures/keras_applications.json, written by
tools/keras_fixtures/applications.py), output shapes and cheap forward passes."""

import functools
import json
import re
from pathlib import Path

import pytest
import torch

from strata import applications
from strata.backend import config as backend_config
from strata.layers.layer import _keras_shape

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "keras_applications.json").read_text())
COUNTS = FIXTURE["counts"]
# Building a deep graph costs seconds even on the meta device: by default only the smallest
# model of each family is counted; the larger sizes (same code, other widths and depths) run
# with the slow tests.
FAST = {
    "VGG19", "ResNet101V2", "DenseNet121", "MobileNetV3Small", "MobileNetV3Large",
    "NASNetMobile", "EfficientNetB0", "EfficientNetV2B0", "ConvNeXtTiny",
}  # fmt: skip
FUNCTIONS = sorted(name for name in COUNTS if "(" not in name)
# Keras's automatic names depend on what the session built before: checked by shape only.
AUTO_NAME = re.compile(
    r"^(conv2d|batch_normalization|separable_conv2d|dense|layer_normalization|normalization)"
    r"(_\d+)?$"
)


def trainable_count(model):
    return sum(w.numel() for w in model.trainable_weights)


def on_meta(build, **kwargs):
    """The model built on torch's meta device: shapes and counts, no memory and no init."""
    with backend_config.device_scope("meta"):
        return build(**kwargs)


@functools.cache
def keras_default(function):
    """`function()` with Keras's defaults, on the meta device, built once for all tests."""
    return on_meta(getattr(applications, function))


def counts_of(build, **kwargs):
    top = on_meta(build, **kwargs)
    notop = on_meta(build, include_top=False, **kwargs)
    return [top.count_params(), trainable_count(top), notop.count_params()], [
        trainable_count(notop),
        top.name,
    ]


@pytest.mark.parametrize(
    "function",
    [f if f in FAST else pytest.param(f, marks=pytest.mark.heavy) for f in FUNCTIONS],
)
def test_counts_and_name_match_keras(function):
    total, trainable, notop_total, notop_trainable, name = COUNTS[function]
    build = getattr(applications, function)
    # As in the fixture: NASNetLarge without the top is counted at its default size (with a
    # free size its cells cannot see the halvings, as in Keras); NASNetMobile keeps 224.
    kwargs = {"input_shape": (331, 331, 3)} if function == "NASNetLarge" else {}
    top = keras_default(function)
    assert top.name == name
    assert top.count_params() == total
    assert trainable_count(top) == trainable
    notop = on_meta(build, include_top=False, **kwargs)
    assert notop.count_params() == notop_total
    assert trainable_count(notop) == notop_trainable
    if function == "NASNetMobile":
        assert notop.input_shape == (None, 224, 224, 3)
    assert top.output_shape == (None, 1000)


@pytest.mark.parametrize(
    ("key", "function", "kwargs"),
    [
        ("MobileNetV3Small(minimalistic=True)", "MobileNetV3Small", {"minimalistic": True}),
        ("MobileNetV3Large(alpha=0.75)", "MobileNetV3Large", {"alpha": 0.75}),
        (
            "MobileNetV3Small(alpha=1.25, include_preprocessing=False)",
            "MobileNetV3Small",
            {"alpha": 1.25, "include_preprocessing": False},
        ),
        (
            "EfficientNetV2B0(include_preprocessing=False)",
            "EfficientNetV2B0",
            {"include_preprocessing": False},
        ),
        (
            "ConvNeXtTiny(include_preprocessing=False)",
            "ConvNeXtTiny",
            {"include_preprocessing": False},
        ),
        ("DenseNet121(classes=10)", "DenseNet121", {"classes": 10}),
    ],
)
def test_non_default_arguments_match_keras_counts(key, function, kwargs):
    first, second = counts_of(getattr(applications, function), **kwargs)
    assert first + second == COUNTS[key]


def keras_layout(model):
    """[(layer name, [weight shapes in Keras's layout])] of the layers that have weights."""
    rows = []
    for layer in model.layers:
        shapes = [list(_keras_shape(t, layout)) for _, _, t, layout in layer._weight_records()]
        if shapes:
            rows.append([layer.name, shapes])
    return rows


@pytest.mark.parametrize(
    "function",
    [
        f if f in FAST else pytest.param(f, marks=pytest.mark.heavy)
        for f in sorted(FIXTURE["layouts"])
    ],
)
def test_weight_layout_matches_keras_layer_by_layer(function):
    """Same layers with weights, in the same order, with the same weight shapes: a Keras
    weights file maps onto the model by name and by position."""
    expected = FIXTURE["layouts"][function]
    got = keras_layout(keras_default(function))
    assert [shapes for _, shapes in got] == [shapes for _, shapes in expected]
    named = [(g, e) for (g, _), (e, _) in zip(got, expected, strict=True) if not AUTO_NAME.match(e)]
    assert len(named) > 0
    assert [g for g, _ in named] == [e for _, e in named]


# (function, kwargs, input shape, pooled feature channels): the smallest size each allows.
FORWARD = [
    ("VGG19", {}, (32, 32, 3), 512),
    pytest.param("DenseNet121", {}, (32, 32, 3), 1024, marks=pytest.mark.heavy),
    ("MobileNetV3Small", {"alpha": 0.75}, (32, 32, 3), 432),
    ("MobileNetV3Large", {"minimalistic": True}, (32, 32, 3), 960),
    pytest.param("NASNetMobile", {}, (32, 32, 3), 1056, marks=pytest.mark.heavy),
    ("EfficientNetB0", {}, (32, 32, 3), 1280),
    ("EfficientNetV2B0", {}, (32, 32, 3), 1280),
    ("ConvNeXtTiny", {}, (32, 32, 3), 768),
    pytest.param("InceptionResNetV2", {}, (75, 75, 3), 1536, marks=pytest.mark.heavy),
    pytest.param("ResNet101V2", {}, (32, 32, 3), 2048, marks=pytest.mark.heavy),
]


@pytest.mark.parametrize(("function", "kwargs", "shape", "channels"), FORWARD)
def test_forward_pass_at_the_smallest_size(function, kwargs, shape, channels):
    model = getattr(applications, function)(
        include_top=False, input_shape=shape, pooling="avg", **kwargs
    )
    assert model.output_shape == (None, channels)
    model.eval()
    with torch.inference_mode():
        out = model(torch.rand(2, *shape) * 255)
    assert tuple(out.shape) == (2, channels)
    assert torch.isfinite(out).all()
    # Two different images give different features (the graph is wired through); random
    # weights can make features tiny, so the comparison is relative.
    assert not torch.allclose(out[0], out[1], rtol=1e-3, atol=0)


@pytest.mark.parametrize(
    ("function", "kwargs"),
    [
        ("MobileNetV3Small", {"input_shape": (32, 32, 3), "alpha": 0.75}),
        pytest.param("EfficientNetV2B0", {"input_shape": (32, 32, 3)}, marks=pytest.mark.heavy),
    ],
)
def test_classifier_output_sums_to_one(function, kwargs):
    model = getattr(applications, function)(classes=5, **kwargs)
    assert model.output_shape == (None, 5)
    model.eval()
    with torch.inference_mode():
        probabilities = model(torch.rand(3, *kwargs["input_shape"]) * 255)
    torch.testing.assert_close(probabilities.sum(-1), torch.ones(3))


def test_default_input_shapes_follow_keras():
    assert keras_default("EfficientNetB0").input_shape == (None, 224, 224, 3)
    assert keras_default("NASNetMobile").input_shape == (None, 224, 224, 3)
    # The MobileNetV3 classifier follows a global pooling: the size stays free.
    assert keras_default("MobileNetV3Small").input_shape == (None, None, None, 3)


@pytest.mark.heavy
def test_default_input_shapes_of_larger_sizes_follow_keras():
    assert keras_default("EfficientNetB3").input_shape == (None, 300, 300, 3)
    assert keras_default("EfficientNetV2S").input_shape == (None, 384, 384, 3)
    assert keras_default("InceptionResNetV2").input_shape == (None, 299, 299, 3)
    assert keras_default("NASNetLarge").input_shape == (None, 331, 331, 3)


def test_convnext_layers_are_prefixed_by_the_model_name():
    model = on_meta(applications.ConvNeXtTiny, name="tiny")
    assert model.get_layer("tiny_stem").count_params() == 4_896  # 4x4x3x96 + 96 + 2x96
    model.get_layer("tiny_stage_3_block_2_layer_scale")
    assert model.layers[-1].name == "tiny_head_dense"


def test_channels_first_is_refused_where_keras_refuses_it():
    previous = backend_config.image_data_format()
    backend_config.set_image_data_format("channels_first")
    try:
        for function in ("NASNetMobile", "ConvNeXtTiny"):
            with pytest.raises(ValueError, match="channels_last"):
                getattr(applications, function)(input_shape=(3, 32, 32))
    finally:
        backend_config.set_image_data_format(previous)


NEW_FAMILIES = [
    "VGG19", "ResNet101V2", "DenseNet121", "MobileNetV3Small", "InceptionResNetV2",
    "NASNetMobile", "EfficientNetB0", "EfficientNetV2B0", "ConvNeXtTiny",
]  # fmt: skip


@pytest.mark.parametrize("function", NEW_FAMILIES)
def test_imagenet_weights_and_bad_arguments_raise(function):
    build = getattr(applications, function)
    with pytest.raises(ValueError, match="downloads nothing"):
        build(weights="imagenet")
    with pytest.raises(ValueError, match="pooling"):
        build(include_top=False, pooling="mean")
    with pytest.raises(ValueError, match="at least 32|at least 75"):
        build(include_top=False, input_shape=(16, 16, 3))


def test_family_modules_expose_keras_names():
    from strata.applications import (
        convnext,
        densenet,
        efficientnet,
        efficientnet_v2,
        inception_resnet_v2,
        mobilenet_v3,
        nasnet,
        resnet50,
        resnet_v2,
        vgg19,
    )  # fmt: skip

    modules = {
        convnext: ["ConvNeXtTiny", "ConvNeXtXLarge"],
        densenet: ["DenseNet121", "DenseNet201"],
        efficientnet: [f"EfficientNetB{i}" for i in range(8)],
        efficientnet_v2: ["EfficientNetV2B0", "EfficientNetV2L"],
        inception_resnet_v2: ["InceptionResNetV2"],
        mobilenet_v3: [],
        nasnet: ["NASNetMobile", "NASNetLarge"],
        resnet50: ["ResNet50"],
        resnet_v2: ["ResNet101V2", "ResNet152V2"],
        vgg19: ["VGG19"],
    }
    for module, names in modules.items():
        for name in [*names, "preprocess_input", "decode_predictions"]:
            assert callable(getattr(module, name)), (module.__name__, name)
    assert resnet50.ResNet50 is applications.ResNet50
    image = torch.full((1, 2, 2, 3), 255.0)
    # The models that rescale their own input have identity preprocessing, as in Keras.
    for module in (convnext, efficientnet, efficientnet_v2, mobilenet_v3):
        assert module.preprocess_input(image) is image
    torch.testing.assert_close(inception_resnet_v2.preprocess_input(image), torch.ones(1, 2, 2, 3))
    assert densenet.preprocess_input(torch.zeros(1, 1, 1, 3))[0, 0, 0, 0] == pytest.approx(
        -0.485 / 0.229, rel=1e-5
    )


def test_weights_file_round_trip(tmp_path):
    def build(weights=None):
        return applications.MobileNetV3Small(
            input_shape=(32, 32, 3), alpha=0.75, classes=4, weights=weights
        )

    original = build()
    path = tmp_path / "mobilenet_v3.weights.h5"
    original.save_weights(str(path))
    loaded = build(weights=str(path))
    original.eval()
    loaded.eval()
    image = torch.rand(1, 32, 32, 3) * 255
    with torch.inference_mode():
        torch.testing.assert_close(loaded(image), original(image), rtol=0, atol=0)
