"""Short programs in the style of keras.io examples, written for Keras 3 with only the imports
changed: a convnet on real MNIST, a timeseries classifier with the usual callbacks, a masked
text model with an ops-based custom layer, a siamese network, a convolutional autoencoder."""

import numpy as np
import pytest

import strata as keras
from strata import layers, ops
from strata.datasets import mnist


def test_simple_mnist_convnet(shared_datasets):
    (x_train, y_train), (x_test, y_test) = mnist.load_test_split(
        shared_datasets / "mnist", train_size=2000
    )
    x_train, x_test = x_train[:2000], x_test[:500]
    y_train, y_test = y_train[:2000], y_test[:500]
    num_classes, input_shape = 10, (28, 28, 1)
    x_train = np.expand_dims(x_train.astype("float32") / 255, -1)
    x_test = np.expand_dims(x_test.astype("float32") / 255, -1)
    y_train = keras.utils.to_categorical(y_train, num_classes)
    y_test = keras.utils.to_categorical(y_test, num_classes)
    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(16, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(num_classes, activation="softmax"),
        ]
    )
    lines = []
    model.summary(print_fn=lines.append)
    assert any("Total params" in line for line in lines)
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(x_train, y_train, batch_size=128, epochs=4, validation_split=0.1, verbose=0)
    score = model.evaluate(x_test, y_test, verbose=0)
    assert score[1] > 0.8, score


def test_timeseries_classification_with_callbacks(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 50, 1)).astype("float32")
    y = (x[:, :25, 0].mean(axis=1) > x[:, 25:, 0].mean(axis=1)).astype("int64")
    input_layer = keras.layers.Input((50, 1))
    conv = keras.layers.Conv1D(filters=16, kernel_size=3, padding="same")(input_layer)
    conv = keras.layers.BatchNormalization()(conv)
    conv = keras.layers.ReLU()(conv)
    gap = keras.layers.GlobalAveragePooling1D()(conv)
    output_layer = keras.layers.Dense(2, activation="softmax")(gap)
    model = keras.models.Model(inputs=input_layer, outputs=output_layer)
    best = str(tmp_path / "best_model.keras")
    callbacks = [
        keras.callbacks.ModelCheckpoint(best, save_best_only=True, monitor="val_loss"),
        keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss", factor=0.5, patience=2, min_lr=0.0001
        ),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, verbose=0),
    ]
    model.compile(
        optimizer="adam",
        loss="sparse_categorical_crossentropy",
        metrics=["sparse_categorical_accuracy"],
    )
    history = model.fit(
        x, y, batch_size=32, epochs=6, callbacks=callbacks, validation_split=0.2, verbose=0
    )
    assert "learning_rate" in history.history
    reloaded = keras.models.load_model(best)
    loss, accuracy = reloaded.evaluate(x, y, verbose=0)
    assert np.isfinite(loss) and 0.0 <= accuracy <= 1.0


class PositionalEmbedding(layers.Layer):
    def __init__(self, sequence_length, input_dim, output_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_embeddings = layers.Embedding(input_dim=input_dim, output_dim=output_dim)
        self.position_embeddings = layers.Embedding(
            input_dim=sequence_length, output_dim=output_dim
        )
        self.sequence_length, self.input_dim, self.output_dim = (
            sequence_length,
            input_dim,
            output_dim,
        )

    def call(self, inputs):
        length = ops.shape(inputs)[-1]
        positions = ops.arange(0, length, 1)
        return self.token_embeddings(inputs) + self.position_embeddings(positions)

    def compute_mask(self, inputs, mask=None):
        return ops.not_equal(inputs, 0)

    def get_config(self):
        return {
            **super().get_config(),
            "sequence_length": self.sequence_length,
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
        }


def test_masked_text_model_with_an_ops_custom_layer(tmp_path):
    rng = np.random.default_rng(1)
    tokens = rng.integers(1, 50, (64, 12))
    tokens[:, 8:] = 0  # padding
    labels = (tokens[:, 0] > 25).astype("float32")
    inputs = keras.Input(shape=(12,), dtype="int64")
    x = PositionalEmbedding(12, 50, 8)(inputs)
    x = layers.Bidirectional(layers.LSTM(8))(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile("rmsprop", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(tokens, labels, epochs=3, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    path = tmp_path / "text.keras"
    model.save(path)
    loaded = keras.models.load_model(
        path, custom_objects={"PositionalEmbedding": PositionalEmbedding}
    )
    np.testing.assert_allclose(
        loaded.predict(tokens, verbose=0), model.predict(tokens, verbose=0), rtol=1e-5
    )


def test_siamese_network_with_shared_layers_and_an_ops_distance():
    def euclidean_distance(vects):
        x, y = vects
        sum_square = ops.sum(ops.square(x - y), axis=1, keepdims=True)
        return ops.sqrt(ops.maximum(sum_square, keras.backend.epsilon()))

    def contrastive_loss(y_true, y_pred):
        square_pred = ops.square(y_pred)
        margin_square = ops.square(ops.maximum(1.0 - y_pred, 0))
        return ops.mean((1 - y_true) * square_pred + y_true * margin_square)

    embedding = keras.Sequential(
        [keras.Input((8,)), layers.Dense(16, activation="tanh"), layers.Dense(4)]
    )
    input_1, input_2 = keras.Input((8,)), keras.Input((8,))
    distance = layers.Lambda(euclidean_distance, output_shape=(1,))(
        [embedding(input_1), embedding(input_2)]
    )
    output = layers.Dense(1, activation="sigmoid")(layers.BatchNormalization()(distance))
    siamese = keras.Model(inputs=[input_1, input_2], outputs=output)
    siamese.compile(loss=contrastive_loss, optimizer="RMSprop", metrics=["accuracy"])
    rng = np.random.default_rng(2)
    a, b = rng.random((64, 8)), rng.random((64, 8))
    same = (rng.random(64) > 0.5).astype("float32")
    b[same == 1] = a[same == 1] + 0.01 * rng.random((int(same.sum()), 8))
    history = siamese.fit([a, b], same, batch_size=16, epochs=3, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert len(siamese.layers) == 6  # the embedding model counts once: its weights are shared


def test_convolutional_autoencoder():
    inputs = layers.Input(shape=(16, 16, 1))
    x = layers.Conv2D(8, (3, 3), activation="relu", padding="same")(inputs)
    x = layers.MaxPooling2D((2, 2), padding="same")(x)
    x = layers.Conv2DTranspose(8, (3, 3), strides=2, activation="relu", padding="same")(x)
    x = layers.Conv2D(1, (3, 3), activation="sigmoid", padding="same")(x)
    autoencoder = keras.Model(inputs, x)
    autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
    data = np.random.default_rng(3).random((32, 16, 16, 1)).astype("float32")
    history = autoencoder.fit(data, data, epochs=3, batch_size=8, shuffle=True, verbose=0)
    assert autoencoder.output_shape == (None, 16, 16, 1)
    assert history.history["loss"][-1] < history.history["loss"][0]


@pytest.mark.parametrize("with_int_labels", [True, False])
def test_model_predicts_on_python_lists_and_int_arrays(with_int_labels):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    x = [[1, 2, 3], [4, 5, 6]]
    y = np.array([0, 1]) if with_int_labels else np.array([0.0, 1.0])
    model.fit(np.array(x), y, verbose=0)
    assert model.predict(np.array(x), verbose=0).shape == (2, 2)
    assert tuple(model(np.array(x)).shape) == (2, 2)
