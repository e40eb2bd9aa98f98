"""Record Keras 3's outputs of the activations that have no closed-form twin in the tests.

Run with Keras (never imported by the tests):

    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/activations.py

Stores the input `x` (shape (4, 6), with ties and values around +-1) and, for each case,
Keras's output, in tests/activations/fixtures/keras_activations.npz.

Keras 3.15's sparsemax (every backend) takes the threshold from the sum of the cumulative sums
over the support instead of the sum of the support's logits, so its outputs sum to 1 only when
the support has one element; the test compares there and records the difference elsewhere.
"""

import os

import keras
import numpy as np

OUT = os.path.join(
    os.path.dirname(__file__),
    "..",
    "..",
    "tests",
    "activations",
    "fixtures",
    "keras_activations.npz",
)


def main():
    rng = np.random.default_rng(0)
    x = rng.normal(scale=1.5, size=(4, 6)).astype("float32")
    x[0, :3] = [1.0, -1.0, 1.0]  # ties and the kinks of sparse_sigmoid
    x[1] = 0.25  # all equal
    x[2, 4] = 6.0  # one dominant logit: a support of one element
    outputs = {
        "sparse_sigmoid": keras.activations.sparse_sigmoid(x),
        "sparsemax": keras.activations.sparsemax(x),
        "sparsemax_axis0": keras.activations.sparsemax(x, axis=0),
        "sparse_plus": keras.activations.sparse_plus(x),
    }
    arrays = {name: keras.ops.convert_to_numpy(value) for name, value in outputs.items()}
    np.savez(OUT, x=x, **arrays)


if __name__ == "__main__":
    main()
