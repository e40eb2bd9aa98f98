"""Reference outputs of Keras 3.15 for the attention, EinsumDense and related layers.

Run with Keras's torch backend (Keras is never a dependency of strata or its tests):

    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/attention_layers.py

Each case builds a Keras layer from constructor arguments that strata accepts unchanged, fills
every weight with seeded random values (biases included, so they matter), calls it on small
seeded inputs and writes `tests/layers/fixtures/<case>.npz` holding: the class name, the
constructor and call arguments (JSON), `weight_<i>` in Keras's `get_weights()` order,
`input_<i>`, array call arguments `kwarg_<name>` and `output_<i>`.
"""

import json
import os
import sys

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "layers", "fixtures")


def case(name, cls, kwargs, inputs, call_kwargs=None, list_input=False, array_kwargs=None,
         weight_scale=0.5, seed=0):
    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    layer = getattr(keras.layers, cls)(**kwargs)
    call_kwargs = dict(call_kwargs or {})
    array_kwargs = dict(array_kwargs or {})
    args = [inputs] if list_input else list(inputs)
    layer(*args, **call_kwargs, **array_kwargs)
    weights = [
        (rng.standard_normal(w.shape) * weight_scale).astype(w.dtype)
        if "float" in str(w.dtype) else w
        for w in layer.get_weights()
    ]
    layer.set_weights(weights)
    outputs = layer(*args, **call_kwargs, **array_kwargs)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    arrays = {
        "class_name": np.array(cls),
        "kwargs": np.array(json.dumps(kwargs)),
        "call_kwargs": np.array(json.dumps(call_kwargs)),
        "list_input": np.array(list_input),
        "param_count": np.array(layer.count_params()),
        "keras_weight_paths": np.array(json.dumps([w.path for w in layer.weights])),
    }
    arrays.update({f"weight_{i}": w for i, w in enumerate(layer.get_weights())})
    arrays.update({f"input_{i}": np.asarray(x) for i, x in enumerate(inputs)})
    arrays.update({f"kwarg_{k}": np.asarray(v) for k, v in array_kwargs.items()})
    arrays.update(
        {f"output_{i}": keras.ops.convert_to_numpy(o) for i, o in enumerate(outputs)}
    )
    np.savez(os.path.join(OUT, f"{name}.npz"), **arrays)
    print(name, [tuple(w.shape) for w in weights], [tuple(o.shape) for o in outputs])


def normal(*shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def einsum_dense_cases():
    case("einsum_dense_3d", "EinsumDense",
         {"equation": "abc,cde->abde", "output_shape": [None, 3, 4], "bias_axes": "de"},
         [normal(2, 5, 6)])
    case("einsum_dense_ellipsis", "EinsumDense",
         {"equation": "...b,bc->...c", "output_shape": 4, "bias_axes": "c",
          "activation": "tanh"},
         [normal(2, 3, 5)])
    case("einsum_dense_right_ellipsis", "EinsumDense",
         {"equation": "ab...,bc->ac...", "output_shape": 4, "bias_axes": "c"},
         [normal(2, 3, 5)])


GROUPS = {
    "einsum_dense": einsum_dense_cases,
}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for group in sys.argv[1:] or GROUPS:
        GROUPS[group]()
