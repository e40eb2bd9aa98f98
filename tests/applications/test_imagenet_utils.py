"""preprocess_input (Keras's "tf" and "caffe" modes) and decode_predictions without downloads."""

import json

import numpy as np
import pytest
import torch

from strata.applications import (
    imagenet_utils,
    inception_v3,
    mobilenet,
    mobilenet_v2,
    resnet,
    resnet_v2,
    vgg16,
    xception,
)

TF_MODULES = (xception, inception_v3, mobilenet, mobilenet_v2, resnet_v2)
CAFFE_MODULES = (resnet, vgg16)


def images(shape=(2, 4, 5, 3), seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=shape).astype("float32")


@pytest.mark.parametrize("module", TF_MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_tf_mode_scales_to_minus_one_one(module):
    x = images()
    original = x.copy()
    out = module.preprocess_input(x)
    np.testing.assert_allclose(out, x / 127.5 - 1.0, rtol=1e-6)
    np.testing.assert_array_equal(x, original)  # the input is not modified in place
    np.testing.assert_allclose(module.preprocess_input(np.array([0.0, 127.5, 255.0])), [-1, 0, 1])


@pytest.mark.parametrize("module", CAFFE_MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_caffe_mode_is_bgr_minus_imagenet_means(module):
    x = images()
    expected = np.empty_like(x)
    expected[..., 0] = x[..., 2] - 103.939
    expected[..., 1] = x[..., 1] - 116.779
    expected[..., 2] = x[..., 0] - 123.68
    np.testing.assert_allclose(module.preprocess_input(x), expected, rtol=1e-6, atol=1e-4)


def test_caffe_mode_channels_first_batch_and_single_image():
    x = images((2, 3, 4, 5))
    means = np.array([103.939, 116.779, 123.68], dtype="float32")
    batch = vgg16.preprocess_input(x, data_format="channels_first")
    np.testing.assert_allclose(batch, x[:, ::-1] - means[None, :, None, None], atol=1e-4)
    single = vgg16.preprocess_input(x[0], data_format="channels_first")
    np.testing.assert_allclose(single, x[0, ::-1] - means[:, None, None], atol=1e-4)


def test_integer_input_becomes_float_and_tensors_stay_tensors():
    pixels = np.array([[[[255, 0, 10]]]], dtype="uint8")
    out = resnet.preprocess_input(pixels)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[0, 0, 0], [10 - 103.939, 0 - 116.779, 255 - 123.68], atol=1e-4)
    tensor = torch.from_numpy(images())
    for module in (resnet, xception):
        got = module.preprocess_input(tensor)
        assert isinstance(got, torch.Tensor)
        np.testing.assert_allclose(got.numpy(), module.preprocess_input(images()), atol=1e-4)


def test_torch_mode_normalizes_per_channel():
    x = images()
    expected = (x / 255.0 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    got = imagenet_utils.preprocess_input(x, mode="torch")
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_preprocess_rejects_unknown_mode_and_layout():
    with pytest.raises(ValueError, match="mode"):
        imagenet_utils.preprocess_input(images(), mode="bgr")
    with pytest.raises(ValueError, match="data_format"):
        vgg16.preprocess_input(images(), data_format="nhwc")
    with pytest.raises(ValueError, match="3 channels"):
        vgg16.preprocess_input(images((1, 4, 4, 2)))


def predictions(rows=2):
    preds = np.full((rows, 1000), 1e-4, dtype="float32")
    preds[0, [207, 3, 999]] = [0.5, 0.3, 0.1]
    preds[1, [1, 2]] = [0.2, 0.7]
    return preds


def fake_index(tmp_path):
    # Made-up test entries; real class names only come from a file the user provides.
    index = {str(i): [f"w{i:08d}", f"label {i}"] for i in range(1000)}
    path = tmp_path / "imagenet_class_index.json"
    path.write_text(json.dumps(index))
    return path


def test_decode_predictions_with_a_local_class_index(tmp_path, monkeypatch):
    monkeypatch.delenv(imagenet_utils.CLASS_INDEX_ENV, raising=False)
    path = fake_index(tmp_path)
    decoded = resnet.decode_predictions(predictions(), top=3, class_index_path=str(path))
    assert len(decoded) == 2
    assert [entry[:2] for entry in decoded[0]] == [
        ("w00000207", "label 207"),
        ("w00000003", "label 3"),
        ("w00000999", "label 999"),
    ]
    assert [float(entry[2]) for entry in decoded[0]] == pytest.approx([0.5, 0.3, 0.1])
    assert [entry[0] for entry in decoded[1]] == ["w00000002", "w00000001", "w00000000"]
    monkeypatch.setenv(imagenet_utils.CLASS_INDEX_ENV, str(path))
    assert xception.decode_predictions(predictions(), top=1)[0] == [decoded[0][0]]


def test_decode_predictions_without_index_returns_ids_and_na(monkeypatch):
    monkeypatch.delenv(imagenet_utils.CLASS_INDEX_ENV, raising=False)
    with pytest.warns(UserWarning, match="no ImageNet class index"):
        decoded = vgg16.decode_predictions(torch.from_numpy(predictions()))
    assert len(decoded) == 2 and len(decoded[0]) == 5
    assert decoded[0][0][:2] == ("207", "n/a")
    assert [entry[0] for entry in decoded[0][:3]] == ["207", "3", "999"]
    scores = [float(entry[2]) for entry in decoded[0]]
    assert scores == sorted(scores, reverse=True)


def test_decode_predictions_rejects_wrong_shapes_and_bad_index(tmp_path):
    with pytest.raises(ValueError, match=r"\(samples, 1000\)"):
        mobilenet.decode_predictions(np.zeros((2, 10)))
    with pytest.raises(ValueError, match=r"\(samples, 1000\)"):
        mobilenet.decode_predictions(np.zeros(1000))
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"0": ["n0", "zero"]}))
    with pytest.raises(ValueError, match="1 keys"):
        mobilenet.decode_predictions(predictions(), class_index_path=str(bad))
