"""RandomFlip: mirrors images at random while training, identity in inference."""

import numpy as np
import pytest
import torch

import strata
from strata import layers


def images(count=64):
    return torch.arange(count * 2 * 3 * 1, dtype=torch.float32).reshape(count, 2, 3, 1)


def test_inference_is_the_identity():
    x = images()
    torch.testing.assert_close(layers.RandomFlip()(x), x)  # training defaults to False
    model = strata.Sequential([strata.Input((2, 3, 1)), layers.RandomFlip(seed=1)])
    np.testing.assert_array_equal(model.predict(x.numpy(), verbose=0), x.numpy())


@pytest.mark.parametrize("mode, axes", [("horizontal", [2]), ("vertical", [1])])
def test_each_image_is_itself_or_its_mirror_about_half_the_time(mode, axes):
    x = images(400)
    out = layers.RandomFlip(mode, seed=5)(x, training=True)
    flipped = x.flip(axes)
    same = (out == x).flatten(1).all(1)
    mirrored = (out == flipped).flatten(1).all(1)
    assert bool((same | mirrored).all())
    assert 150 < int(mirrored.sum()) < 250  # 400 fair coins


def test_both_directions_give_all_four_orientations_and_seeds_repeat():
    x = images(400)
    out = layers.RandomFlip(seed=7)(x, training=True)
    kinds = {
        "none": x,
        "horizontal": x.flip([2]),
        "vertical": x.flip([1]),
        "both": x.flip([1, 2]),
    }
    counts = {k: int((out == v).flatten(1).all(1).sum()) for k, v in kinds.items()}
    assert sum(counts.values()) == 400 and min(counts.values()) > 60, counts
    again = layers.RandomFlip(seed=7)(x, training=True)
    torch.testing.assert_close(again, out)


def test_unbatched_images_and_bad_modes():
    image = images(1)[0]
    assert layers.RandomFlip(seed=0)(image, training=True).shape == image.shape
    with pytest.raises(ValueError, match="RandomFlip expected mode one of"):
        layers.RandomFlip("diagonal")
