"""MixUp and CutMix: partners from a shuffled batch, Beta weights, labels mixed alike."""

import numpy as np
import pytest
import torch
from scipy import stats

from strata import layers


def constant_images(count, size=8, channels=1):
    """Image i is filled with the value i: every output pixel tells which image it came from."""
    return (
        torch.arange(count, dtype=torch.float32)
        .view(count, 1, 1, 1)
        .expand(count, size, size, channels)
        .contiguous()
    )


def one_hot(count):
    return torch.eye(count)


@pytest.mark.parametrize("alpha", [0.2, 1.0, 3.0])
def test_beta_draws_follow_the_beta_distribution(alpha):
    layer = layers.MixUp(alpha=alpha, seed=0)
    draws = layer.beta((4000,), alpha, torch.empty(0)).numpy()
    assert 0.0 <= draws.min() and draws.max() <= 1.0
    assert stats.kstest(draws, stats.beta(alpha, alpha).cdf).pvalue > 1e-3


def test_mixup_blends_images_and_labels_with_the_same_weights():
    images, labels = constant_images(64), one_hot(64)
    out = layers.MixUp(alpha=0.4, seed=3)({"images": images, "labels": labels}, training=True)
    mixed, soft = out["images"], out["labels"]
    assert torch.allclose(soft.sum(1), torch.ones(64))
    # Each image is a blend of two originals: its value is the label-weighted mean of indices.
    expected = soft @ torch.arange(64.0)
    torch.testing.assert_close(mixed[:, 0, 0, 0], expected, atol=1e-4, rtol=1e-5)
    assert int((soft > 0).sum(1).max()) <= 2
    partner_share = 1 - soft.max(1).values
    assert float(partner_share.mean()) < 0.3  # Beta(0.4, 0.4) weights cluster at 0 and 1


def test_mixup_of_plain_images_and_inference():
    images = torch.rand(16, 5, 5, 3)
    layer = layers.MixUp(seed=1)
    torch.testing.assert_close(layer(images), images)
    out = layer(images, training=True)
    assert out.shape == images.shape and not torch.equal(out, images)
    torch.testing.assert_close(layers.MixUp(seed=1)(images, training=True), out)
    passed = layer({"images": images, "labels": one_hot(16)})
    torch.testing.assert_close(passed["labels"], one_hot(16))
    with pytest.raises(ValueError, match="MixUp expected `alpha` as a positive number"):
        layers.MixUp(alpha=0)


def test_cutmix_pastes_a_rectangle_and_labels_follow_the_pasted_share():
    images, labels = constant_images(64, size=16), one_hot(64)
    out = layers.CutMix(seed=2)({"images": images, "labels": labels}, training=True)
    mixed, soft = out["images"][..., 0], out["labels"]
    for index in range(64):
        own = mixed[index] == index
        share = float(own.float().mean())
        assert abs(float(soft[index, index]) - share) < 1e-5 or share == 1.0
        pasted = ~own
        if pasted.any():
            rows, cols = pasted.any(1).nonzero().flatten(), pasted.any(0).nonzero().flatten()
            box = pasted[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
            assert bool(box.all())  # one rectangle
            assert len(mixed[index][pasted].unique()) == 1  # from one partner


def test_cutmix_channels_first_and_single_images():
    images = torch.rand(6, 3, 8, 8)
    out = layers.CutMix(seed=0, data_format="channels_first")(images, training=True)
    assert out.shape == images.shape
    image = torch.rand(8, 8, 3)
    torch.testing.assert_close(layers.CutMix(seed=0)(image, training=True), image)


def test_mixing_in_a_model_with_dtype():
    images = constant_images(8).double()
    out = layers.MixUp(seed=0, dtype="float64")(images, training=True)
    assert out.dtype == torch.float64
    with pytest.raises(ValueError, match="expected a dict with an 'images' entry"):
        layers.CutMix()({"pictures": images}, training=True)
    assert np.isfinite(out.numpy()).all()
