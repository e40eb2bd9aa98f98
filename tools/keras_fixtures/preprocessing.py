"""Record Keras 3.15's outputs of the preprocessing layers as small .npz fixtures.

Run with the reference Keras (torch backend):
    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/preprocessing.py [names]
Writes tests/layers/preprocessing/fixtures/<name>.npz. Tests never import Keras.
Keras runs its lookup, text and hashing layers on TensorFlow, so the builders integer_lookup,
string_lookup, text_vectorization, hashing and hashes need `tensorflow-cpu` installed in the
reference environment (never in strata's own).
"""

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


def normalization():
    rng = np.random.default_rng(2)
    data = rng.normal(3.0, 2.0, size=(20, 3, 4)).astype("float32")
    probe = rng.normal(3.0, 2.0, size=(5, 3, 4)).astype("float32")
    cases = {}
    for key, kwargs in {
        "last": {},
        "both": {"axis": (1, 2)},
        "none": {"axis": None},
        "middle_invert": {"axis": 1, "invert": True},
    }.items():
        layer = keras.layers.Normalization(**kwargs)
        layer.adapt(data)
        cases[key] = np_out(layer(probe))
        cases[key + "_weights_mean"] = np_out(layer.weights[0])
        cases[key + "_weights_variance"] = np_out(layer.weights[1])
    batched = keras.layers.Normalization(axis=(1, 2))
    batched.adapt([data[:7], data[7:15], data[15:]])
    cases["batches"] = np_out(batched(probe))
    fixed = keras.layers.Normalization(mean=[1.0, 2.0, 3.0, 4.0], variance=[1.0, 4.0, 9.0, 0.0])
    cases["fixed"] = np_out(fixed(probe))
    save("normalization", data=data, probe=probe, **cases)


def discretization():
    rng = np.random.default_rng(3)
    data = rng.gamma(2.0, 1.5, size=(300, 2)).astype("float32")
    probe = np.array([[0.0, 0.5], [1.0, 2.0], [3.0, 4.5], [6.0, 100.0]], "float32")
    cases = {}
    for key, kwargs in {
        "bins4": {"num_bins": 4},
        "bins7_eps": {"num_bins": 7, "epsilon": 0.05},
        "bins3_one_hot": {"num_bins": 3, "output_mode": "one_hot"},
        "bins5_multi_hot": {"num_bins": 5, "output_mode": "multi_hot"},
        "bins5_count": {"num_bins": 5, "output_mode": "count"},
    }.items():
        layer = keras.layers.Discretization(**kwargs)
        layer.adapt(data)
        cases[key + "_boundaries"] = np.array(layer.bin_boundaries, "float64")
        cases[key] = np_out(layer(probe))
    streamed = keras.layers.Discretization(num_bins=6)
    streamed.adapt([data[:100], data[100:220], data[220:]])
    cases["streamed_boundaries"] = np.array(streamed.bin_boundaries, "float64")
    given = keras.layers.Discretization(bin_boundaries=[0.0, 1.0, 2.0])
    cases["given"] = np_out(given(probe))
    save("discretization", data=data, probe=probe, **cases)


def category_encoding():
    ids = np.array([[0, 1, 1, 3], [2, 2, 2, 0], [4, 4, 1, 1]], "int64")
    column = np.array([[1], [0], [3]], "int64")
    vector = np.array([3, 1, 0], "int64")
    weights = np.array([[0.5, 1.0, 2.0, 0.1], [1.0, 1.0, 1.0, 1.0], [3.0, 0.0, 2.0, 2.0]])
    cases = {}
    for mode in ("multi_hot", "count", "one_hot"):
        layer = keras.layers.CategoryEncoding(num_tokens=5, output_mode=mode)
        cases[mode] = np_out(layer(ids))
        cases[mode + "_column"] = np_out(layer(column))
        cases[mode + "_vector"] = np_out(layer(vector))
    counted = keras.layers.CategoryEncoding(num_tokens=5, output_mode="count")
    cases["weighted_count"] = np_out(counted(ids, count_weights=weights))
    save("category_encoding", ids=ids, column=column, vector=vector, weights=weights, **cases)


INTEGER_LOOKUP_CASES = {
    "plain": {},
    "max_tokens": {"max_tokens": 4},
    "mask_two_oov": {"mask_token": 0, "num_oov_indices": 2},
    "one_hot": {"output_mode": "one_hot"},
    "multi_hot_mask": {"output_mode": "multi_hot", "mask_token": 0},
    "count_padded": {"output_mode": "count", "max_tokens": 9, "pad_to_max_tokens": True},
    "tf_idf": {"output_mode": "tf_idf"},
    "farmhash_oov": {"num_oov_indices": 3, "oov_method": "farmhash"},
    "salted_oov": {"num_oov_indices": 3, "oov_method": "farmhash", "salt": [3, 4]},
}


def integer_lookup():
    data = np.array([[5, 3, 3, 8, 0], [7, 7, 3, 5, 1], [9, 2, 2, 0, 0], [7, 4, 6, 6, 3]], "int64")
    probe = np.array([[3, 0, 11, 7, 2], [42, 5, 5, 9, -4]], "int64")
    column = np.array([[3], [11], [7]], "int64")
    cases = {}
    for key, kwargs in INTEGER_LOOKUP_CASES.items():
        layer = keras.layers.IntegerLookup(**kwargs)
        layer.adapt(data)
        cases[key + "_vocabulary"] = np.array(layer.get_vocabulary(), "int64")
        cases[key] = np_out(layer(column if key == "one_hot" else probe))
    given = keras.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42], mask_token=0)
    cases["given"] = np_out(given(np.array([[12, 0, 1138, 99]])))
    inverse = keras.layers.IntegerLookup(vocabulary=[12, 36, 1138, 42], invert=True)
    cases["invert"] = np_out(inverse(np.array([[0, 1, 4, 2, 7]])))
    idf = keras.layers.IntegerLookup(
        vocabulary=[4, 5, 6], idf_weights=[0.5, 1.0, 2.0], output_mode="tf_idf"
    )
    cases["given_tf_idf"] = np_out(idf(np.array([[4, 4, 6, 1]])))
    save("integer_lookup", data=data, probe=probe, column=column, **cases)


STRING_LOOKUP_CASES = {
    "plain": {},
    "max_tokens": {"max_tokens": 5},
    "mask_three_oov": {"mask_token": "", "num_oov_indices": 3},
    "salted": {"num_oov_indices": 4, "salt": 1234},
    "one_hot": {"output_mode": "one_hot"},
    "multi_hot": {"output_mode": "multi_hot"},
    "count": {"output_mode": "count", "max_tokens": 12, "pad_to_max_tokens": True},
    "tf_idf": {"output_mode": "tf_idf"},
}


def string_lookup():
    data = np.array(
        [
            ["the", "cat", "sat", "on", "the"],
            ["a", "dog", "the", "\u00e9t\u00e9", "on"],
            ["cat", "cat", "", "Zebra", "zebra"],
            ["b", "a", "dog", "", "on"],
        ]
    )
    probe = np.array([["the", "unknown", "", "dog", "\u00e9t\u00e9"], ["x", "y", "cat", "z", "a"]])
    column = np.array([["cat"], ["nothing"], ["on"]])
    cases = {}
    for key, kwargs in STRING_LOOKUP_CASES.items():
        layer = keras.layers.StringLookup(**kwargs)
        layer.adapt(data)
        cases[key + "_vocabulary"] = np.array(layer.get_vocabulary())
        cases[key] = np_out(layer(column if key == "one_hot" else probe))
    inverse = keras.layers.StringLookup(vocabulary=["a", "b", "c"], invert=True, mask_token="m")
    cases["invert"] = np.array(inverse(np.array([0, 1, 2, 3, 4, 9])))
    save("string_lookup", data=data, probe=probe, column=column, **cases)


TEXT_CASES = {
    "int_padded": {"output_sequence_length": 6},
    "int_longest": {"max_tokens": 8},
    "multi_hot": {"output_mode": "multi_hot"},
    "count_padded": {"output_mode": "count", "max_tokens": 20, "pad_to_max_tokens": True},
    "tf_idf_bigrams": {"output_mode": "tf_idf", "ngrams": 2},
    "trigram_tuple": {"ngrams": (1, 3), "output_sequence_length": 10},
    "characters": {"split": "character", "standardize": "lower", "output_sequence_length": 12},
    "no_split": {"split": None, "standardize": None},
    "strip_only": {"standardize": "strip_punctuation", "output_mode": "count"},
}


def text_vectorization():
    corpus = np.array(
        [
            "The quick brown fox jumps over the lazy dog.",
            "THE DOG barks; the fox runs!",
            "\u00c9t\u00e9 \u00e0 Paris: caf\u00e9, CAF\u00c9\tand\nmore (cafe)",
            "don't stop-me now... it's 3.14 o'clock #hashtag @user",
            "fox fox fox dog",
        ]
    )
    probe = np.array(
        ["the fox and the unknown CAT", "\u00c9t\u00e9 caf\u00e9!", "", "dog   dog\tfox"]
    )
    cases = {}
    for key, kwargs in TEXT_CASES.items():
        layer = keras.layers.TextVectorization(**kwargs)
        layer.adapt(corpus)
        cases[key + "_vocabulary"] = np.array(layer.get_vocabulary())
        cases[key] = np_out(layer(probe))
    save("text_vectorization", corpus=corpus, probe=probe, **cases)


HASHING_CASES = {
    "plain": {"num_bins": 7},
    "mask": {"num_bins": 6, "mask_value": "b"},
    "salt": {"num_bins": 9, "salt": 77},
    "salt_pair": {"num_bins": 9, "salt": [1, 2]},
    "multi_hot": {"num_bins": 5, "output_mode": "multi_hot"},
    "count": {"num_bins": 5, "output_mode": "count"},
    "one_hot": {"num_bins": 4, "output_mode": "one_hot"},
}


def hashing():
    strings = np.array([["a", "b", "c"], ["hello", "", "b"], ["\u00e9t\u00e9", "a", "zz"]])
    ints = np.array([[1, 2, 3], [-7, 0, 123456789], [2, 2, 40]], "int64")
    floats = np.array([[1.7, -2.2, 3.0]], "float32")
    column = np.array([["a"], ["b"], ["q"]])
    cases = {}
    for key, kwargs in HASHING_CASES.items():
        layer = keras.layers.Hashing(**kwargs)
        cases[key] = np_out(layer(column if key == "one_hot" else strings))
    cases["int_buckets"] = np_out(keras.layers.Hashing(num_bins=11)(ints))
    cases["ints_mask"] = np_out(keras.layers.Hashing(num_bins=11, mask_value=2)(ints))
    cases["ints_salt"] = np_out(keras.layers.Hashing(num_bins=11, salt=5)(ints))
    cases["float_buckets"] = np_out(keras.layers.Hashing(num_bins=11)(floats))
    a = np.array([["A"], ["B"], ["A"], ["B"], ["long feature value"]])
    b = np.array([[101], [101], [-3], [102], [0]], "int64")
    c = np.array([["x"], ["y"], ["z"], [""], ["\u00e9"]])
    cases["cross_ab"] = np_out(keras.layers.HashedCrossing(num_bins=97)((a, b)))
    cases["cross_bca"] = np_out(keras.layers.HashedCrossing(num_bins=1000)((b, c, a)))
    cases["cross_1d"] = np_out(keras.layers.HashedCrossing(num_bins=13)((a[:, 0], c[:, 0])))
    one_hot = keras.layers.HashedCrossing(num_bins=5, output_mode="one_hot")
    cases["cross_one_hot"] = np_out(one_hot((a, b)))
    save(
        "hashing", strings=strings, ints=ints, floats=floats, column=column, a=a, b=b, c=c, **cases
    )


def hashes():
    import tensorflow as tf

    rng = np.random.default_rng(4)
    strings = ["", "a", "ab", "abc", "abcd", "hello", "x" * 17, "y" * 33, "z" * 64, "w" * 65]
    strings += ["h\u00e9llo w\u00f6rld", "-1", "12345"]
    strings += [
        "".join(chr(c) for c in rng.integers(32, 127, size=n))
        for n in rng.integers(0, 200, size=40)
    ]
    top = 2**63 - 1
    save(
        "hashes",
        strings=np.array(strings, dtype=object).astype(str),
        fast=tf.strings.to_hash_bucket_fast(strings, top).numpy(),
        strong=tf.strings.to_hash_bucket_strong(strings, top, key=[7, 11]).numpy(),
    )


BUILDERS = {
    f.__name__: f
    for f in [
        resizing,
        center_crop,
        normalization,
        discretization,
        category_encoding,
        integer_lookup,
        hashes,
        string_lookup,
        text_vectorization,
        hashing,
    ]
}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(BUILDERS):
        BUILDERS[name]()
