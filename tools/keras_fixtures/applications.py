"""Keras 3.15's application parameter counts, model names and weight layouts, for the tests.

Run with the Keras scratch environment (weights=None, nothing downloaded):

    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/applications.py
    KERAS_BACKEND=tensorflow /work/kerasenv/bin/python tools/keras_fixtures/applications.py \
        NASNetMobile NASNetLarge

Keras refuses NASNetMobile on the torch backend, so NASNet comes from TensorFlow (counts and
layer names do not depend on the backend). Function names on the command line limit the
run; `variants` adds the counts of non-default arguments (`VARIANTS`).

Writes tests/applications/fixtures/keras_applications.json:
- "counts": {function: [total, trainable, total_notop, trainable_notop, model name]}
- "layouts": {function: [[layer name, [weight shapes...]], ...]} (with the top, in
  `model.layers` order, layers with weights only) for the smallest model of each family.
"""

import json
import os
import sys

import keras

OUT = os.path.join(
    os.path.dirname(__file__),
    "..",
    "..",
    "tests",
    "applications",
    "fixtures",
    "keras_applications.json",
)
FAMILIES = {
    "VGG19": [],
    "ResNet101V2": ["ResNet152V2"],
    "DenseNet121": ["DenseNet169", "DenseNet201"],
    "MobileNetV3Small": ["MobileNetV3Large"],
    "InceptionResNetV2": [],
    "NASNetMobile": ["NASNetLarge"],
    "EfficientNetB0": [f"EfficientNetB{i}" for i in range(1, 8)],
    "EfficientNetV2B0": [
        "EfficientNetV2B1",
        "EfficientNetV2B2",
        "EfficientNetV2B3",
        "EfficientNetV2S",
        "EfficientNetV2M",
        "EfficientNetV2L",
    ],
    "ConvNeXtTiny": ["ConvNeXtSmall", "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtXLarge"],
}


def trainable(model):
    return sum(_size(w) for w in model.trainable_weights)


def _size(w):
    n = 1
    for d in w.shape:
        n *= int(d)
    return n


def layout(model):
    return [
        [layer.name, [list(map(int, w.shape)) for w in layer.weights]]
        for layer in model.layers
        if layer.weights
    ]


def main(only=None):
    mine = {"counts": {}, "layouts": {}}
    for smallest, others in FAMILIES.items():
        for fn in [smallest, *others]:
            if only and fn not in only:
                continue
            build = getattr(keras.applications, fn)
            top = build(weights=None)
            notop_kwargs = {"input_shape": (None, None, 3)}
            if fn.startswith("NASNet"):
                notop_kwargs = {"input_shape": top.input_shape[1:]}
            notop = build(weights=None, include_top=False, **notop_kwargs)
            mine["counts"][fn] = [
                int(top.count_params()),
                trainable(top),
                int(notop.count_params()),
                trainable(notop),
                top.name,
            ]
            if fn == smallest:
                mine["layouts"][fn] = layout(top)
            print(fn, mine["counts"][fn], flush=True)
            del top, notop
            write(mine)


def write(mine):
    """Merge this run's results into the file (several runs may fill it, one per backend)."""
    data = {"keras_version": keras.__version__, "counts": {}, "layouts": {}}
    if os.path.exists(OUT):
        with open(OUT) as f:
            data = json.load(f)
    for key in ("counts", "layouts"):
        data[key].update(mine[key])
    with open(OUT, "w") as f:
        json.dump(data, f, indent=0, sort_keys=True)


# Non-default arguments whose counts the tests also pin: (function, kwargs).
VARIANTS = (
    ("MobileNetV3Small", {"minimalistic": True}),
    ("MobileNetV3Large", {"alpha": 0.75}),
    ("MobileNetV3Small", {"alpha": 1.25, "include_preprocessing": False}),
    ("EfficientNetV2B0", {"include_preprocessing": False}),
    ("ConvNeXtTiny", {"include_preprocessing": False}),
    ("DenseNet121", {"classes": 10}),
)


def variants():
    """Counts of `VARIANTS` with and without the top: {"fn(kw=v)": [total, trainable, ...]}."""
    mine = {"counts": {}, "layouts": {}}
    for fn, kwargs in VARIANTS:
        build = getattr(keras.applications, fn)
        top = build(weights=None, **kwargs)
        notop = build(weights=None, include_top=False, **kwargs)
        key = f"{fn}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"
        mine["counts"][key] = [
            int(top.count_params()),
            trainable(top),
            int(notop.count_params()),
            trainable(notop),
            top.name,
        ]
        print(key, mine["counts"][key], flush=True)
    write(mine)


if __name__ == "__main__":
    if sys.argv[1:] == ["variants"]:
        variants()
    else:
        main(sys.argv[1:] or None)
