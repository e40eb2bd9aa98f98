"""Write real Keras 3 and tf.keras (Keras 2) files for strata's Keras-file reader tests.

Run with Keras 3 (never imported by the tests); it re-runs itself under tf_keras for the
Keras 2 files:

    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/make_keras_files.py

Needs `tf_keras` (tf.keras = Keras 2 for TensorFlow 2.21) in the same environment:
`/work/kerasenv/bin/pip install "tf_keras==2.21.*"`.

Five tiny architectures (a Sequential MLP, a functional Conv2D + BatchNormalization model, an
Embedding / LSTM / Bidirectional GRU model, a functional model holding a nested Sequential and
a MultiHeadAttention block, a functional model adding two tensors with `+`) are trained two
short epochs (so optimizer slots and BatchNormalization statistics are not at their initial
values) and saved as:

- Keras 3: `<name>.keras`, `<name>.weights.h5` and the legacy `<name>_k3legacy.h5`
  (`model.save("m.h5")` in Keras 3 writes the Keras 2 HDF5 layout);
- tf.keras: `<name>_tfk.h5` (`model.save("m.h5")`), `<name>_tfk_w.h5` (`save_weights("w.h5")`,
  the legacy layout without a config) and `<name>_tfk.weights.h5` (tf_keras 2.13+ writes
  Keras 3's layout for that suffix).

Seven more untrained models (`w_*`: separable / depthwise / transposed convolutions, masking
RNNs, several inputs and outputs, a shared layer in a nested functional model, GRU with
reset_after=False, a summing Bidirectional LSTM), their weights perturbed, are saved the same
way except tf.keras's `.weights.h5`.

Seed 001's transfer scenario (`seed_a*`): a Sequential `hidden1`..`hidden5` (Dense) + `output`,
weights perturbed, saved by Keras 3 as `seed_a.weights.h5`, `seed_a.keras` and
`seed_a_k3legacy.h5`, and by tf.keras as `seed_a_tfk_w.h5` and `seed_a_tfk.h5`; each file's
weights, layer by layer, go to `seed_a_weights.npz` (keys `<tag>/<layer>/<index>`). Run
`... make_keras_files.py --seed-only` to rewrite these alone.

Keras's predictions on fixed inputs go to `keras_predictions.npz` (keys `<name>_x`,
`<name>_keras3`, `<name>_tfk`). Booby-trapped files (`trap_*`) hold a Lambda whose code would
write the file named by `MARKER` if it ever ran, a custom unregistered class, a config naming
`os.system`, and HDF5 members of object / opaque dtypes; the tests check each is refused and
that `MARKER` never appears.
"""

import io
import json
import os
import subprocess
import sys
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "tests", "saving", "fixtures", "keras_files")
MARKER = "/tmp/strata_keras_booby_trap_ran.txt"
NAMES = ("mlp", "conv", "rnn", "nested", "ops")


def inputs():
    rng = np.random.default_rng(0)
    return {
        "mlp": rng.normal(size=(5, 8)).astype("float32"),
        "conv": rng.normal(size=(3, 8, 8, 3)).astype("float32"),
        "rnn": rng.integers(1, 20, size=(4, 6)).astype("int32"),
        "nested": rng.normal(size=(3, 4, 6)).astype("float32"),
        "ops": rng.normal(size=(4, 5)).astype("float32"),
    }


def targets(name, x):
    rng = np.random.default_rng(1)
    classes = {"mlp": 4, "conv": 3, "rnn": 2, "nested": 2, "ops": 2}[name]
    return rng.integers(0, classes, size=(len(x),))


def build(keras, name):
    """The same four architectures in Keras 3 or tf.keras (their layer APIs agree here)."""
    layers = keras.layers
    if name == "mlp":
        return keras.Sequential(
            [
                keras.Input((8,)),
                layers.Dense(16, activation="relu", name="hidden1"),
                layers.Dense(12, activation="tanh", name="hidden2"),
                layers.Dense(4, activation="softmax", name="out"),
            ],
            name="mlp",
        )
    if name == "conv":
        image = keras.Input((8, 8, 3), name="image")
        x = layers.Conv2D(4, 3, padding="same", name="conv1")(image)
        x = layers.BatchNormalization(name="bn1")(x)
        x = layers.Activation("relu")(x)
        x = layers.MaxPooling2D(2)(x)
        x = layers.Conv2D(6, 3, activation="relu", name="conv2")(x)
        x = layers.Flatten()(x)
        x = layers.Dropout(0.2)(x)
        out = layers.Dense(3, activation="softmax", name="head")(x)
        return keras.Model(image, out, name="conv")
    if name == "rnn":
        tokens = keras.Input((6,), dtype="int32", name="tokens")
        x = layers.Embedding(20, 4, name="embed")(tokens)
        x = layers.LSTM(5, return_sequences=True, name="lstm")(x)
        x = layers.Bidirectional(layers.GRU(3), name="bigru")(x)
        out = layers.Dense(2, activation="softmax", name="head")(x)
        return keras.Model(tokens, out, name="rnn")
    if name == "ops":
        # `x + y` on symbolic tensors: an operation node in Keras 3, a TFOpLambda in tf.keras.
        x = keras.Input((5,), name="x")
        total = layers.Dense(3, name="left")(x) + layers.Dense(3, name="right")(x)
        return keras.Model(x, layers.Dense(2, activation="softmax", name="head")(total), name="ops")
    # nested: a Sequential whose BatchNormalization comes first (Keras 2's legacy order
    # puts trainable weights first, so its order differs from model.weights there).
    seq = keras.Input((4, 6), name="seq")
    att = layers.MultiHeadAttention(num_heads=2, key_dim=3, name="mha")(seq, seq)
    x = layers.LayerNormalization(name="norm")(layers.Add(name="residual")([att, seq]))
    x = layers.GlobalAveragePooling1D()(x)
    block = keras.Sequential(
        [
            keras.Input((6,)),
            layers.BatchNormalization(name="inner_bn"),
            layers.Dense(5, activation="relu", name="inner_dense"),
        ],
        name="block",
    )
    out = layers.Dense(2, activation="softmax", name="head")(block(x))
    return keras.Model(seq, out, name="nested")


WIDE = ("w_seq", "w_conv", "w_text", "w_multi_io", "w_shared", "w_gru_v1", "w_bilstm")


def wide_models(keras):
    """More layer kinds, untrained: {name: (model, inputs)} (weights perturbed at saving)."""
    layers = keras.layers
    rng = np.random.default_rng(3)
    found = {}
    # A Sequential without an Input, built by its first call.
    model = keras.Sequential(
        [layers.Dense(6, activation="relu", input_shape=(5,)), layers.Dropout(0.1), layers.Dense(3)]
    )
    found["w_seq"] = model, [rng.normal(size=(3, 5))]
    x = keras.Input((10, 10, 3))
    y = layers.SeparableConv2D(4, 3, padding="same")(x)
    y = layers.DepthwiseConv2D(3)(y)
    y = layers.Conv2DTranspose(3, 2, strides=2)(y)
    y = layers.LayerNormalization()(y)
    y = layers.AveragePooling2D(2)(y)
    y = layers.PReLU()(y)
    y = layers.UpSampling2D()(layers.ZeroPadding2D(1)(y))
    y = layers.Dense(2)(layers.GlobalMaxPooling2D()(y))
    found["w_conv"] = keras.Model(x, y), [rng.normal(size=(2, 10, 10, 3))]
    # mask_zero: Keras 3 records the mask as an ops.not_equal node feeding the RNNs.
    x = keras.Input((7,), dtype="int32")
    e = layers.Embedding(12, 4, mask_zero=True)(x)
    c = layers.Concatenate()(
        [layers.SimpleRNN(3, return_sequences=True)(e), layers.GRU(3, return_sequences=True)(e)]
    )
    c = layers.Conv1D(4, 2, padding="causal")(c)
    c = layers.Flatten()(layers.TimeDistributed(layers.Dense(2))(c))
    c = layers.LSTM(2)(layers.Reshape((7, 2))(c))
    found["w_text"] = keras.Model(x, c), [rng.integers(0, 12, size=(3, 7))]
    a, b = keras.Input((4,), name="a"), keras.Input((3,), name="b")
    h = layers.Concatenate()([layers.Dense(3)(a), b])
    outputs = [layers.Dense(2, name="o1")(h), layers.Dense(1, activation="sigmoid", name="o2")(h)]
    found["w_multi_io"] = (
        keras.Model([a, b], outputs),
        [
            rng.normal(size=(2, 4)),
            rng.normal(size=(2, 3)),
        ],
    )
    # A functional model inside a functional model, and a layer called twice.
    i = keras.Input((4,))
    inner = keras.Model(i, layers.Dense(3, activation="tanh")(i), name="inner")
    j = keras.Input((4,))
    shared = layers.Dense(4, name="shared")
    z = layers.BatchNormalization()(inner(shared(shared(j))))
    found["w_shared"] = keras.Model(j, layers.Dense(2)(z)), [rng.normal(size=(3, 4))]
    x = keras.Input((5, 3))
    found["w_gru_v1"] = (
        keras.Model(x, layers.GRU(4, reset_after=False)(x)),
        [rng.normal(size=(2, 5, 3))],
    )
    x = keras.Input((5, 4))
    g = layers.Bidirectional(layers.LSTM(3, return_sequences=True), merge_mode="sum")(x)
    found["w_bilstm"] = (
        keras.Model(x, layers.GlobalAveragePooling1D()(g)),
        [rng.normal(size=(2, 5, 4))],
    )
    return found


def save_wide(keras, tag, save):
    """Perturb, save (with `save(model, name)`) and predict each wide model."""
    predictions = {}
    for name, (model, inputs) in wide_models(keras).items():
        rng = np.random.default_rng(4)
        model.set_weights(
            [w + 0.1 * rng.normal(size=w.shape).astype(w.dtype) for w in model.get_weights()]
        )
        save(model, name)
        outputs = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        for index, value in enumerate(outputs):
            predictions[f"{name}_{tag}_{index}"] = np.asarray(value)
        for index, value in enumerate(inputs):
            predictions[f"{name}_x{index}"] = np.asarray(value)
    return predictions


def trained(keras, name, data):
    model = build(keras, name)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.05),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    x = data[name]
    model.fit(x, targets(name, x), epochs=2, batch_size=2, verbose=0)
    return model


def seed_a(keras, tag, paths):
    """Seed 001's model A, perturbed, saved to each of `paths` ({suffix: save function})."""
    layers = keras.layers
    model = keras.Sequential(
        [keras.Input((8,))]
        + [layers.Dense(6, activation="relu", name=f"hidden{i}") for i in range(1, 6)]
        + [layers.Dense(5, activation="softmax", name="output")],
        name="model_a",
    )
    rng = np.random.default_rng(5 if tag == "keras3" else 6)
    model.set_weights([rng.normal(size=w.shape).astype(w.dtype) for w in model.get_weights()])
    for suffix, save in paths.items():
        save(model, os.path.join(OUT, f"seed_a{suffix}"))
    return {
        f"{tag}/{layer.name}/{index}": np.asarray(weight)
        for layer in model.layers
        for index, weight in enumerate(layer.get_weights())
    }


def keras3_seed(keras):
    return seed_a(
        keras,
        "keras3",
        {
            ".weights.h5": lambda m, p: m.save_weights(p),
            ".keras": lambda m, p: m.save(p),
            "_k3legacy.h5": lambda m, p: m.save(p),
        },
    )


def tf_keras_seed(tf_keras):
    return seed_a(
        tf_keras,
        "tfk",
        {"_tfk_w.h5": lambda m, p: m.save_weights(p), "_tfk.h5": lambda m, p: m.save(p)},
    )


# ------------------------------------------------------------------------------------ Keras 3
def keras3_files():
    import keras

    keras.utils.set_random_seed(0)
    data = inputs()
    predictions = {}
    for name in NAMES:
        model = trained(keras, name, data)
        model.save(os.path.join(OUT, f"{name}.keras"))
        model.save_weights(os.path.join(OUT, f"{name}.weights.h5"))
        model.save(os.path.join(OUT, f"{name}_k3legacy.h5"))
        predictions[f"{name}_x"] = data[name]
        predictions[f"{name}_keras3"] = np.asarray(model.predict(data[name], verbose=0))

    def save(model, name):
        model.save(os.path.join(OUT, f"{name}.keras"))
        model.save_weights(os.path.join(OUT, f"{name}.weights.h5"))
        model.save(os.path.join(OUT, f"{name}_k3legacy.h5"))

    predictions.update(save_wide(keras, "keras3", save))

    # A Lambda whose function Keras saves by its registered name (no code in the file).
    @keras.saving.register_keras_serializable(package="demo")
    def double(x):
        return x * 2.0

    inp = keras.Input((3,))
    model = keras.Model(inp, keras.layers.Dense(2)(keras.layers.Lambda(double, name="dbl")(inp)))
    model.save(os.path.join(OUT, "named_lambda.keras"))
    predictions["named_lambda_x"] = np.linspace(-1, 1, 6, dtype="float32").reshape(2, 3)
    predictions["named_lambda_keras3"] = np.asarray(
        model.predict(predictions["named_lambda_x"], verbose=0)
    )
    # bfloat16 weights: Keras 3 stores them as 2-byte opaque data tagged dtype="bfloat16".
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, dtype="bfloat16")])
    model.save_weights(os.path.join(OUT, "bf16.weights.h5"))
    for index, weight in enumerate(model.get_weights()):
        predictions[f"bf16_weight{index}"] = weight.astype("float32")
    keras3_traps(keras)
    return predictions


# Self-contained (its bytecode names no global of this script), so it would run anywhere.
TRAP = lambda x: (  # noqa: E731
    __import__("builtins").open("/tmp/strata_keras_booby_trap_ran.txt", "w").write("ran"),
    x * 2.0,
)[1]


def keras3_traps(keras):
    inp = keras.Input((3,))
    out = keras.layers.Lambda(TRAP, name="trap")(inp)
    keras.Model(inp, out).save(os.path.join(OUT, "trap_lambda.keras"))
    keras.Model(inp, out).save(os.path.join(OUT, "trap_lambda_k3legacy.h5"))

    @keras.saving.register_keras_serializable(package="Booby")
    class Booby(keras.layers.Layer):
        def call(self, x):
            return x

    inp = keras.Input((3,))
    keras.Model(inp, keras.layers.Dense(2)(Booby(name="booby")(inp))).save(
        os.path.join(OUT, "trap_custom.keras")
    )
    # A config naming os.system, written by editing a real archive's config.json.
    source = os.path.join(OUT, "mlp.keras")
    with zipfile.ZipFile(source) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    hdf5_traps(dict(members))
    config = json.loads(members["config.json"])
    layer = config["config"]["layers"][0]
    layer.update(
        {"module": "os", "class_name": "system", "registered_name": "os>system"},
        config={"command": f"touch {MARKER}"},
    )
    members["config.json"] = json.dumps(config).encode("utf-8")
    _write_zip(os.path.join(OUT, "trap_os_system.keras"), members)
    os.remove(MARKER) if os.path.exists(MARKER) else None


def _write_zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)


def hdf5_traps(mlp_members):
    """HDF5 members whose dtype is not numeric: a pickle in an opaque attribute, object data."""
    import pickle

    import h5py

    payload = pickle.dumps(os.system)  # what an unpickling reader would call
    source = io.BytesIO(mlp_members["model.weights.h5"])
    with open(os.path.join(OUT, "trap_object_dataset.weights.h5"), "wb") as handle:
        handle.write(source.getvalue())
    with h5py.File(os.path.join(OUT, "trap_object_dataset.weights.h5"), "a") as f:
        group = f["layers/dense/vars"]
        del group["0"]
        data = np.empty(1, dtype=object)
        data[0] = np.frombuffer(payload, dtype=np.uint8)
        group.create_dataset("0", data=data, dtype=h5py.vlen_dtype(np.uint8))
    with open(os.path.join(OUT, "trap_opaque_attr_k3legacy.h5"), "wb") as handle:
        handle.write(open(os.path.join(OUT, "mlp_k3legacy.h5"), "rb").read())
    with h5py.File(os.path.join(OUT, "trap_opaque_attr_k3legacy.h5"), "a") as f:
        f.attrs["model_config"] = np.void(payload)
    members = dict(mlp_members)
    members["model.weights.h5"] = open(
        os.path.join(OUT, "trap_object_dataset.weights.h5"), "rb"
    ).read()
    _write_zip(os.path.join(OUT, "trap_object_dataset.keras"), members)


# ------------------------------------------------------------------------------------ Keras 2
def tf_keras_files():
    import tensorflow as tf
    import tf_keras

    tf.random.set_seed(0)
    np.random.seed(0)
    data = inputs()
    predictions = {}
    for name in NAMES:
        model = trained(tf_keras, name, data)
        model.save(os.path.join(OUT, f"{name}_tfk.h5"))
        # "w.h5": the legacy layout; a ".weights.h5" suffix makes tf_keras write Keras 3's.
        model.save_weights(os.path.join(OUT, f"{name}_tfk_w.h5"))
        model.save_weights(os.path.join(OUT, f"{name}_tfk.weights.h5"))
        predictions[f"{name}_tfk"] = np.asarray(model.predict(data[name], verbose=0))

    def save(model, name):
        model.save(os.path.join(OUT, f"{name}_tfk.h5"))
        model.save_weights(os.path.join(OUT, f"{name}_tfk_w.h5"))

    predictions.update(save_wide(tf_keras, "tfk", save))
    inp = tf_keras.Input((3,))
    out = tf_keras.layers.Lambda(TRAP, name="trap")(inp)
    tf_keras.Model(inp, out).save(os.path.join(OUT, "trap_lambda_tfk.h5"))

    class Booby(tf_keras.layers.Layer):
        def call(self, x):
            return x

    inp = tf_keras.Input((3,))
    tf_keras.Model(inp, tf_keras.layers.Dense(2)(Booby(name="booby")(inp))).save(
        os.path.join(OUT, "trap_custom_tfk.h5")
    )
    os.remove(MARKER) if os.path.exists(MARKER) else None
    return predictions


def seed_only():
    """Seed 001's files alone (the other fixtures stay as they are)."""
    import keras

    weights = keras3_seed(keras)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    subprocess.run([sys.executable, __file__, "--tf-keras-seed"], check=True, env=env)
    tfk_path = os.path.join(OUT, "tfk_seed.npz")
    with np.load(tfk_path) as tfk:
        weights.update({key: tfk[key] for key in tfk.files})
    os.remove(tfk_path)
    np.savez(os.path.join(OUT, "seed_a_weights.npz"), **weights)


def main():
    if sys.argv[1:] == ["--tf-keras-seed"]:
        import tf_keras

        np.savez(os.path.join(OUT, "tfk_seed.npz"), **tf_keras_seed(tf_keras))
        return
    if sys.argv[1:] == ["--tf-keras"]:
        np.savez(os.path.join(OUT, "tfk_predictions.npz"), **tf_keras_files())
        return
    os.makedirs(OUT, exist_ok=True)
    if sys.argv[1:] == ["--seed-only"]:
        seed_only()
        return
    predictions = keras3_files()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    subprocess.run([sys.executable, __file__, "--tf-keras"], check=True, env=env)
    tfk_path = os.path.join(OUT, "tfk_predictions.npz")
    with np.load(tfk_path) as tfk:
        predictions.update({key: tfk[key] for key in tfk.files})
    os.remove(tfk_path)
    np.savez(os.path.join(OUT, "keras_predictions.npz"), **predictions)
    seed_only()


if __name__ == "__main__":
    main()
