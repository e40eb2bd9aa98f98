"""RandAugment and AugMix: random policies over the single augmentation layers."""

from collections import Counter

import pytest
import torch

from strata import layers
from strata.layers.preprocessing._policies import choose

IMAGES = torch.rand(6, 12, 12, 3) * 255


@pytest.mark.parametrize(
    "make",
    [
        lambda: layers.RandAugment(seed=3),
        lambda: layers.RandAugment(num_ops=3, factor=(0.2, 0.6), seed=3),
        lambda: layers.AugMix(seed=3),
        lambda: layers.AugMix(all_ops=False, num_chains=2, chain_depth=2, seed=3),
    ],
    ids=["randaugment", "randaugment-3ops", "augmix", "augmix-small"],
)
def test_policies_are_seeded_bounded_and_inactive_in_inference(make):
    layer = make()
    torch.testing.assert_close(layer(IMAGES), IMAGES)
    outputs = [layer(IMAGES, training=True) for _ in range(4)]
    again = make()
    for out in outputs:
        assert out.shape == IMAGES.shape
        assert float(out.min()) >= 0.0 and float(out.max()) <= 255.0 + 1e-3
        torch.testing.assert_close(again(IMAGES, training=True), out)
    assert any(not torch.allclose(out, IMAGES) for out in outputs)
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()


def test_randaugment_without_operations_is_the_identity():
    torch.testing.assert_close(layers.RandAugment(num_ops=0)(IMAGES, training=True), IMAGES)


def test_every_operation_gets_picked():
    layer = layers.RandAugment(seed=0)
    counts = Counter(choose(layer, 11) for _ in range(1100))
    assert set(counts) == set(range(11)) and min(counts.values()) > 60


def test_policies_refuse_bad_arguments():
    with pytest.raises(ValueError, match="RandAugment expected `num_ops`"):
        layers.RandAugment(num_ops=-1)
    with pytest.raises(ValueError, match="AugMix expected `chain_depth`"):
        layers.AugMix(chain_depth=0)
    with pytest.raises(ValueError, match="AugMix expected `alpha`"):
        layers.AugMix(alpha=0.0)
    assert list(layers.RandAugment().children()) == []
