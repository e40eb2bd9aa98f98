"""Reference outputs of Keras 3.15 for the attention, EinsumDense and related layers.

Run with Keras's torch backend (Keras is never a dependency of strata or its tests):

    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/attention_layers.py

Each case builds a Keras layer from constructor arguments that strata accepts unchanged, fills
every weight with seeded random values (biases included, so they matter), calls it on small
seeded inputs and writes `tests/layers/fixtures/<case>.npz` holding: the class name, the
constructor and call arguments (JSON), `weight_<i>` in Keras's `get_weights()` order,
`input_<i>`, array call arguments `kwarg_<name>` (lists: `listkwarg_<name>_<i>`) and
`output_<i>`.
"""

import json
import os
import sys

import numpy as np

os.environ.setdefault("KERAS_BACKEND", "torch")
import keras  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "layers", "fixtures")


def case(
    name,
    cls,
    kwargs,
    inputs,
    call_kwargs=None,
    list_input=False,
    array_kwargs=None,
    weight_scale=0.5,
    seed=0,
    compare_outputs=True,
):
    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    layer = getattr(keras.layers, cls)(**_with_inner_layer(keras.layers, kwargs))
    call_kwargs = dict(call_kwargs or {})
    array_kwargs = dict(array_kwargs or {})
    args = [inputs] if list_input else list(inputs)
    layer(*args, **call_kwargs, **array_kwargs)
    weights = [
        (rng.standard_normal(w.shape) * weight_scale).astype(w.dtype)
        if "float" in str(w.dtype)
        else w
        for w in layer.get_weights()
    ]
    layer.set_weights(weights)
    outputs = layer(*args, **call_kwargs, **array_kwargs)
    outputs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
    after = layer.get_weights()
    arrays = {
        "class_name": np.array(cls),
        "kwargs": np.array(json.dumps(kwargs)),
        "call_kwargs": np.array(json.dumps(call_kwargs)),
        "list_input": np.array(list_input),
        "compare_outputs": np.array(compare_outputs),
        "param_count": np.array(layer.count_params()),
        "keras_weight_paths": np.array(json.dumps([w.path for w in layer.weights])),
    }
    arrays.update({f"weight_{i}": w for i, w in enumerate(weights)})
    arrays.update({f"input_{i}": np.asarray(x) for i, x in enumerate(inputs)})
    if any(not np.array_equal(a, b) for a, b in zip(after, weights)):
        # The call changed the weights (SpectralNormalization in training): keep the result.
        arrays.update({f"after_{i}": w for i, w in enumerate(after)})
    for k, v in array_kwargs.items():
        if isinstance(v, list):  # a list argument (Attention's mask): kwarg_<name>_<i>
            arrays.update({f"listkwarg_{k}_{i}": np.asarray(x) for i, x in enumerate(v)})
        else:
            arrays[f"kwarg_{k}"] = np.asarray(v)
    arrays.update({f"output_{i}": keras.ops.convert_to_numpy(o) for i, o in enumerate(outputs)})
    np.savez(os.path.join(OUT, f"{name}.npz"), **arrays)
    print(name, [tuple(w.shape) for w in weights], [tuple(o.shape) for o in outputs])


def _with_inner_layer(namespace, kwargs):
    """A `{"layer": {"class_name", "config"}}` argument becomes that layer (wrappers)."""
    inner = kwargs.get("layer")
    if isinstance(inner, dict):
        return {**kwargs, "layer": getattr(namespace, inner["class_name"])(**inner["config"])}
    return kwargs


def normal(*shape, seed=1):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def einsum_dense_cases():
    case(
        "einsum_dense_3d",
        "EinsumDense",
        {"equation": "abc,cde->abde", "output_shape": [None, 3, 4], "bias_axes": "de"},
        [normal(2, 5, 6)],
    )
    case(
        "einsum_dense_ellipsis",
        "EinsumDense",
        {"equation": "...b,bc->...c", "output_shape": 4, "bias_axes": "c", "activation": "tanh"},
        [normal(2, 3, 5)],
    )
    case(
        "einsum_dense_right_ellipsis",
        "EinsumDense",
        {"equation": "ab...,bc->ac...", "output_shape": 4, "bias_axes": "c"},
        [normal(2, 3, 5)],
    )


def mha_cases():
    q, v, k = normal(2, 4, 5), normal(2, 6, 7, seed=2), normal(2, 6, 3, seed=3)
    mask = np.random.default_rng(4).random((2, 4, 6)) > 0.3
    mask[0, 1, :] = False  # a fully masked row attends uniformly in Keras
    case("mha_cross", "MultiHeadAttention", {"num_heads": 2, "key_dim": 3}, [q, v])
    case(
        "mha_key_mask_scores",
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 3, "value_dim": 2, "output_shape": 3},
        [q, v, k],
        {"return_attention_scores": True},
        array_kwargs={"attention_mask": mask},
    )
    case(
        "mha_fused_mask",
        "MultiHeadAttention",
        {"num_heads": 3, "key_dim": 2},
        [q, v, k],
        array_kwargs={"attention_mask": mask},
    )
    value_mask = np.array([[1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1]], dtype=bool)
    case(
        "mha_causal_dropout_value_mask",
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 3, "dropout": 0.3},
        [q, normal(2, 6, 5, seed=5)],
        {"use_causal_mask": True, "return_attention_scores": True},
        array_kwargs={"value_mask": value_mask},
    )
    case(
        "mha_causal_self",
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 3},
        [q, q],
        {"use_causal_mask": True},
    )
    case(
        "mha_attention_axes",
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 2, "attention_axes": [1, 2]},
        [normal(2, 3, 4, 5), normal(2, 3, 4, 5, seed=6)],
        {"return_attention_scores": True},
    )
    case(
        "mha_gate_window_nobias",
        "MultiHeadAttention",
        {"num_heads": 2, "key_dim": 3, "use_gate": True, "sliding_window": 2, "use_bias": False},
        [q, normal(2, 6, 5, seed=5)],
    )


def dot_attention_cases():
    q, v, k = normal(2, 3, 4), normal(2, 5, 4, seed=2), normal(2, 5, 4, seed=3)
    masks = [np.array([[1, 1, 0], [1, 1, 1]], bool), np.array([[1, 1, 1, 0, 0], [1] * 5], bool)]
    for cls in ("Attention", "AdditiveAttention"):
        prefix = "attention" if cls == "Attention" else "additive_attention"
        case(f"{prefix}_plain", cls, {}, [q, v], list_input=True)
        case(
            f"{prefix}_key_masks_causal",
            cls,
            {"dropout": 0.2},
            [q, v, k],
            {"use_causal_mask": True, "return_attention_scores": True},
            list_input=True,
            array_kwargs={"mask": masks},
        )
    case(
        "attention_scaled_concat",
        "Attention",
        {"use_scale": True, "score_mode": "concat"},
        [q, v, k],
        {"return_attention_scores": True},
        list_input=True,
        array_kwargs={"mask": masks},
    )
    case(
        "additive_attention_noscale",
        "AdditiveAttention",
        {"use_scale": False},
        [q, v],
        list_input=True,
    )


def gqa_cases():
    q, v, k = normal(2, 4, 6), normal(2, 5, 6, seed=2), normal(2, 5, 3, seed=3)
    mask = np.random.default_rng(4).random((2, 4, 5)) > 0.3
    mask[..., 0] = True
    gqa = {"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2}
    case("gqa_cross", "GroupQueryAttention", gqa, [q, v])
    case(
        "gqa_key_mask_scores",
        "GroupQueryAttention",
        gqa,
        [q, v, k],
        {"return_attention_scores": True},
        array_kwargs={"attention_mask": mask},
    )
    case(
        "gqa_fused_mask",
        "GroupQueryAttention",
        gqa,
        [q, v, k],
        array_kwargs={"attention_mask": mask},
    )
    case(
        "gqa_causal_gate_window",
        "GroupQueryAttention",
        {**gqa, "use_gate": True, "sliding_window": 2, "dropout": 0.1},
        [q, q],
        {"use_causal_mask": True},
    )
    case(
        "gqa_one_kv_head_nobias",
        "GroupQueryAttention",
        {"head_dim": 3, "num_query_heads": 2, "num_key_value_heads": 1, "use_bias": False},
        [q, v],
        {"use_causal_mask": True},
    )


def rms_cases():
    case("rms_last_axis", "RMSNormalization", {}, [normal(2, 3, 5)])
    case("rms_two_axes", "RMSNormalization", {"axis": [-2, -1], "epsilon": 0.1}, [normal(2, 3, 4)])


def adaptive_pooling_cases():
    shapes = {1: (2, 7, 3), 2: (2, 7, 5, 3), 3: (1, 5, 4, 6, 2)}
    sizes = {1: 3, 2: (3, 2), 3: (2, 3, 4)}
    for kind in ("Average", "Max"):
        for rank, shape in shapes.items():
            name = f"adaptive_{kind.lower()}_pooling{rank}d"
            cls = f"Adaptive{kind}Pooling{rank}D"
            case(name, cls, {"output_size": sizes[rank]}, [normal(*shape)])
            first = (shape[0], shape[-1], *shape[1:-1])
            case(
                f"{name}_channels_first",
                cls,
                {"output_size": sizes[rank], "data_format": "channels_first"},
                [normal(*first)],
            )


def conv_lstm_cases():
    case(
        "conv_lstm1d",
        "ConvLSTM1D",
        {"filters": 3, "kernel_size": 2},
        [normal(2, 4, 6, 2)],
        weight_scale=0.3,
    )
    case(
        "conv_lstm1d_same_strides_sequences_states",
        "ConvLSTM1D",
        {
            "filters": 2,
            "kernel_size": 3,
            "padding": "same",
            "strides": 2,
            "return_sequences": True,
            "return_state": True,
            "go_backwards": True,
            "unit_forget_bias": False,
        },
        [normal(2, 4, 5, 2)],
        weight_scale=0.3,
    )
    case(
        "conv_lstm1d_mask",
        "ConvLSTM1D",
        {"filters": 2, "kernel_size": 2},
        [normal(2, 4, 5, 2)],
        array_kwargs={"mask": np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)},
        weight_scale=0.3,
    )
    case(
        "conv_lstm2d_same",
        "ConvLSTM2D",
        {"filters": 3, "kernel_size": 2, "padding": "same", "return_sequences": True},
        [normal(2, 3, 4, 5, 2)],
        weight_scale=0.3,
    )
    case(
        "conv_lstm2d_channels_first_dilated",
        "ConvLSTM2D",
        {
            "filters": 2,
            "kernel_size": (2, 3),
            "data_format": "channels_first",
            "dilation_rate": 2,
            "return_state": True,
            "activation": "relu",
        },
        [normal(2, 3, 2, 6, 7)],
        weight_scale=0.3,
    )
    case(
        "conv_lstm3d",
        "ConvLSTM3D",
        {"filters": 2, "kernel_size": 2, "use_bias": False},
        [normal(1, 3, 3, 4, 3, 2)],
        weight_scale=0.3,
    )


def spectral_cases():
    dense = {"class_name": "Dense", "config": {"units": 3}}
    conv = {"class_name": "Conv2D", "config": {"filters": 2, "kernel_size": 2}}
    case(
        "spectral_dense_training",
        "SpectralNormalization",
        {"layer": dense},
        [normal(2, 4)],
        {"training": True},
    )
    case(
        "spectral_conv_training_two_iterations",
        "SpectralNormalization",
        {"layer": conv, "power_iterations": 2},
        [normal(2, 4, 4, 3)],
        {"training": True},
    )
    case("spectral_dense_inference", "SpectralNormalization", {"layer": dense}, [normal(2, 4)])
    case(
        "spectral_embedding_training",
        "SpectralNormalization",
        {"layer": {"class_name": "Embedding", "config": {"input_dim": 6, "output_dim": 3}}},
        [np.array([[1, 2, 5], [0, 3, 4]], dtype="int32")],
        {"training": True},
        # Keras casts the output to the input's dtype: integer ids give all-zero vectors.
        # strata returns the float vectors; only the normalized weights are compared.
        compare_outputs=False,
    )


def reversible_embedding_cases():
    ids = np.array([[1, 2, 5], [0, 3, 4]], dtype="int32")
    vectors = normal(2, 3, 4)
    base = {"input_dim": 6, "output_dim": 4}
    case("reversible_embedding_forward", "ReversibleEmbedding", base, [ids])
    case(
        "reversible_embedding_reverse_tied",
        "ReversibleEmbedding",
        base,
        [vectors],
        {"reverse": True},
    )
    case(
        "reversible_embedding_reverse_untied_softcap",
        "ReversibleEmbedding",
        {**base, "tie_weights": False, "logit_soft_cap": 0.5},
        [vectors],
        {"reverse": True},
    )


def mha_masked_model():
    """Embedding(mask_zero=True) into self-attention: the padding masks reach the attention."""
    keras.utils.set_random_seed(0)
    tokens = keras.Input((5,), dtype="int32")
    x = keras.layers.Embedding(7, 4, mask_zero=True)(tokens)
    y = keras.layers.MultiHeadAttention(2, 3, name="mha")(x, x)
    model = keras.Model(tokens, y)
    rng = np.random.default_rng(0)
    model.set_weights(
        [rng.standard_normal(w.shape).astype("float32") * 0.5 for w in model.get_weights()]
    )
    ids = np.array([[3, 1, 4, 0, 0], [2, 6, 5, 1, 3]], dtype="int32")
    arrays = {f"weight_{i}": w for i, w in enumerate(model.get_weights())}
    np.savez(
        os.path.join(OUT, "mha_masked_model.npz"),
        ids=ids,
        output=keras.ops.convert_to_numpy(model(ids)),
        **arrays,
    )
    print("mha_masked_model")


GROUPS = {
    "reversible_embedding": reversible_embedding_cases,
    "spectral": spectral_cases,
    "conv_lstm": conv_lstm_cases,
    "adaptive_pooling": adaptive_pooling_cases,
    "rms": rms_cases,
    "gqa": gqa_cases,
    "dot_attention": dot_attention_cases,
    "mha_masked_model": mha_masked_model,
    "mha": mha_cases,
    "einsum_dense": einsum_dense_cases,
}

if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for group in sys.argv[1:] or GROUPS:
        GROUPS[group]()
