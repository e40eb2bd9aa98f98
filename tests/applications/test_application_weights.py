"""weights=None / "imagenet" / a local file, and the seed's dual-camera model (§7.1.6)."""

import pytest
import torch

from strata import Input, applications, layers, models


@pytest.mark.parametrize(
    "family", ["Xception", "InceptionV3", "ResNet50", "ResNet50V2", "MobileNet", "VGG16"]
)
def test_imagenet_weights_raise_a_clear_error(family):
    with pytest.raises(ValueError, match="downloads nothing.*local strata weights file"):
        getattr(applications, family)(weights="imagenet")


def test_weights_path_round_trip(tmp_path):
    def build(weights=None):
        return applications.MobileNetV2(
            alpha=0.35,
            input_shape=(32, 32, 3),
            classes=5,
            classifier_activation=None,
            weights=weights,
        )

    original = build()
    path = tmp_path / "mobilenet_v2.weights.h5"
    original.save_weights(str(path))
    loaded = build(weights=str(path))
    fresh = build()
    image = torch.rand(2, 32, 32, 3)
    for model in (original, loaded, fresh):
        model.eval()
    with torch.inference_mode():
        expected = original(image)
        torch.testing.assert_close(loaded(image), expected, rtol=0, atol=0)
        assert not torch.equal(fresh(image), expected)


def test_loading_weights_requires_softmax_or_no_activation(tmp_path):
    model = applications.MobileNet(alpha=0.25, input_shape=(32, 32, 3), classes=3)
    path = tmp_path / "mobilenet.weights.h5"
    model.save_weights(str(path))
    with pytest.raises(ValueError, match="classifier_activation"):
        applications.MobileNet(
            alpha=0.25, input_shape=(32, 32, 3), classes=3, weights=str(path),
            classifier_activation="sigmoid",
        )  # fmt: skip
    logits = applications.MobileNet(
        alpha=0.25, input_shape=(32, 32, 3), classes=3, weights=str(path),
        classifier_activation=None,
    )  # fmt: skip
    assert logits.count_params() == model.count_params()


def test_dual_camera_model_shares_one_xception_base():
    xception_base = applications.Xception(weights=None, include_top=False)
    left_input = Input(shape=(250, 250, 3))
    right_input = Input(shape=(250, 250, 3))
    left_features = xception_base(left_input)
    right_features = xception_base(right_input)
    merged_features = layers.concatenate([left_features, right_features], axis=-1)
    assert tuple(merged_features.shape) == (None, 8, 8, 4096)

    model = models.Model([left_input, right_input], merged_features)
    assert model.count_params() == xception_base.count_params() == 20_861_480
    assert sum(w.numel() for w in model.trainable_weights) == 20_806_952

    model.eval()
    left, right = torch.rand(1, 250, 250, 3), torch.rand(1, 250, 250, 3)
    with torch.inference_mode():
        merged = model([left, right])
        alone = xception_base(right)
    assert tuple(merged.shape) == (1, 8, 8, 4096)
    # The right half of the merged features is the shared base applied to the right image.
    torch.testing.assert_close(merged[..., 2048:], alone)
    assert not torch.allclose(merged[..., :2048], merged[..., 2048:])
