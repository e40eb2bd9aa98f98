"""Record Keras 3's draw_segmentation_masks output (its palette and blending) for strata.

Run with Keras (never imported by the tests):

    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/visualization.py

Stores images, masks and Keras's blended and unblended results in
tests/visualization/fixtures/segmentation.npz.
"""

import os

import keras
import numpy as np

OUT = os.path.join(
    os.path.dirname(__file__),
    "..",
    "..",
    "tests",
    "visualization",
    "fixtures",
    "segmentation.npz",
)


def main():
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, size=(2, 6, 5, 3)).astype("float32")
    masks = rng.integers(-1, 4, size=(2, 6, 5, 1)).astype("int32")
    draw = keras.visualization.draw_segmentation_masks
    np.savez(
        OUT,
        images=images,
        masks=masks,
        blended=np.asarray(draw(images, masks, num_classes=4, alpha=0.6)),
        plain=np.asarray(
            keras.ops.convert_to_numpy(draw(images, masks, num_classes=4, blend=False))
        ),
    )


if __name__ == "__main__":
    main()
