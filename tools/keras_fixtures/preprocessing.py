"""Record Keras 3.15's outputs of the preprocessing layers as small .npz fixtures.

Run with the reference Keras (torch backend):
    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/preprocessing.py [names]
Writes tests/layers/preprocessing/fixtures/<name>.npz. Tests never import Keras.
"""

import json
import os
import sys

import keras
import numpy as np

OUT = os.path.join(os.path.dirname(__file__), "../../tests/layers/preprocessing/fixtures")


def save(name, **arrays):
    os.makedirs(OUT, exist_ok=True)
    np.savez_compressed(os.path.join(OUT, f"{name}.npz"), **arrays)
    print("wrote", name, sorted(arrays))


def np_out(x):
    return keras.ops.convert_to_numpy(x)


def resizing():
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, size=(2, 5, 7, 3)).astype("float32")
    bytes_ = rng.integers(0, 256, size=(2, 6, 4, 2)).astype("uint8")
    cases = {}
    for interp in ("bilinear", "nearest", "bicubic"):
        for extra in ("plain", "crop", "pad"):
            kwargs = {"interpolation": interp}
            if extra == "crop":
                kwargs["crop_to_aspect_ratio"] = True
            if extra == "pad":
                kwargs.update(pad_to_aspect_ratio=True, fill_value=3.0)
            for size in ((3, 4), (8, 5)):
                key = f"{interp}_{extra}_{size[0]}x{size[1]}"
                layer = keras.layers.Resizing(*size, **kwargs)
                cases[key] = np_out(layer(images))
                cases[key + "_uint8"] = np_out(layer(bytes_))
    first = keras.layers.Resizing(4, 3, data_format="channels_first", antialias=True)
    cases["channels_first_antialias"] = np_out(first(images.transpose(0, 3, 1, 2)))
    save("resizing", images=images, bytes=bytes_, **cases)


def center_crop():
    rng = np.random.default_rng(1)
    images = rng.uniform(0, 1, size=(2, 6, 7, 3)).astype("float32")
    cases = {}
    for size in ((3, 4), (6, 7), (2, 2), (8, 5), (9, 9)):
        cases[f"{size[0]}x{size[1]}"] = np_out(keras.layers.CenterCrop(*size)(images))
    first = keras.layers.CenterCrop(4, 3, data_format="channels_first")
    cases["channels_first"] = np_out(first(images.transpose(0, 3, 1, 2)))
    cases["unbatched"] = np_out(keras.layers.CenterCrop(3, 3)(images[0]))
    save("center_crop", images=images, **cases)


BUILDERS = {f.__name__: f for f in [resizing, center_crop]}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(BUILDERS):
        BUILDERS[name]()
