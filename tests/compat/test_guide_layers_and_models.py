"""Programs in the style of Keras's guides "Making new layers and models via subclassing" and
"The Functional API", written for Keras 3 with only the imports changed, run through fit."""

import numpy as np
import pytest

import strata as keras
from strata import layers, ops


class Linear(keras.layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True
        )
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b

    def get_config(self):
        return {**super().get_config(), "units": self.units}


class ComputeSum(keras.layers.Layer):
    def __init__(self, input_dim):
        super().__init__()
        self.total = self.add_weight(initializer="zeros", shape=(input_dim,), trainable=False)

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        return self.total


class ActivityRegularizationLayer(keras.layers.Layer):
    def __init__(self, rate=1e-2):
        super().__init__()
        self.rate = rate

    def call(self, inputs):
        self.add_loss(self.rate * ops.mean(inputs))
        return inputs


class MLPBlock(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.linear_1 = Linear(32)
        self.linear_2 = Linear(32)
        self.linear_3 = Linear(1)

    def call(self, inputs):
        x = ops.relu(self.linear_1(inputs))
        x = ops.relu(self.linear_2(x))
        return self.linear_3(x)


class Sampling(layers.Layer):
    """Uses (z_mean, z_log_var) to sample z, the vector encoding a digit."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.seed_generator = keras.random.SeedGenerator(1337)

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = ops.shape(z_mean)[0]
        dim = ops.shape(z_mean)[1]
        epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon


class VariationalAutoEncoder(keras.Model):
    def __init__(self, original_dim, intermediate_dim=16, latent_dim=4, **kwargs):
        super().__init__(**kwargs)
        self.original_dim = original_dim
        self.dense_proj = layers.Dense(intermediate_dim, activation="relu")
        self.dense_mean = layers.Dense(latent_dim)
        self.dense_log_var = layers.Dense(latent_dim)
        self.sampling = Sampling()
        self.dense_decoder = layers.Dense(intermediate_dim, activation="relu")
        self.dense_output = layers.Dense(original_dim, activation="sigmoid")

    def call(self, inputs):
        x = self.dense_proj(inputs)
        z_mean, z_log_var = self.dense_mean(x), self.dense_log_var(x)
        z = self.sampling((z_mean, z_log_var))
        reconstructed = self.dense_output(self.dense_decoder(z))
        kl_loss = -0.5 * ops.mean(z_log_var - ops.square(z_mean) - ops.exp(z_log_var) + 1)
        self.add_loss(kl_loss)
        return reconstructed


def test_linear_layer_weights_and_sum_state():
    x = ops.ones((2, 2))
    linear_layer = Linear(4)
    y = linear_layer(x)
    assert tuple(y.shape) == (2, 4)
    assert len(linear_layer.weights) == 2 and len(linear_layer.trainable_weights) == 2
    my_sum = ComputeSum(2)
    my_sum(x)
    y = my_sum(x)
    np.testing.assert_allclose(ops.convert_to_numpy(y), [4.0, 4.0])
    assert len(my_sum.non_trainable_weights) == 1 and not my_sum.trainable_weights


def test_add_loss_resets_each_call_and_counts_in_fit():
    layer = ActivityRegularizationLayer()
    layer(ops.ones((2, 2)))
    assert len(layer.losses) == 1
    layer(ops.ones((2, 2)))
    assert len(layer.losses) == 1  # not accumulated across calls

    inputs = keras.Input(shape=(3,))
    x = layers.Dense(32, activation="relu")(inputs)
    x = ActivityRegularizationLayer()(x)
    model = keras.Model(inputs, layers.Dense(1)(x))
    model.compile(optimizer="adam", loss="mse")
    history = model.fit(np.random.random((8, 3)), np.random.random((8, 1)), verbose=0)
    assert np.isfinite(history.history["loss"][0])


def test_mlp_block_tracks_nested_weights():
    mlp = MLPBlock()
    y = mlp(ops.ones(shape=(3, 64)))
    assert tuple(y.shape) == (3, 1) and len(mlp.weights) == 6


def test_variational_autoencoder_trains_with_only_its_kl_loss_added():
    rng = np.random.default_rng(0)
    x_train = rng.random((64, 20)).astype("float32")
    vae = VariationalAutoEncoder(20, 16, 4)
    optimizer = keras.optimizers.Adam(learning_rate=1e-3)
    vae.compile(optimizer, loss=keras.losses.MeanSquaredError())
    history = vae.fit(x_train, x_train, epochs=3, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_functional_multi_input_multi_output_ticket_model():
    num_tags, num_words, num_departments = 12, 100, 4
    title_input = keras.Input(shape=(None,), name="title")
    body_input = keras.Input(shape=(None,), name="body")
    tags_input = keras.Input(shape=(num_tags,), name="tags")
    title_features = layers.LSTM(16)(layers.Embedding(num_words, 8)(title_input))
    body_features = layers.LSTM(8)(layers.Embedding(num_words, 8)(body_input))
    x = layers.concatenate([title_features, body_features, tags_input])
    priority_pred = layers.Dense(1, name="priority")(x)
    department_pred = layers.Dense(num_departments, name="department")(x)
    model = keras.Model(
        inputs=[title_input, body_input, tags_input],
        outputs={"priority": priority_pred, "department": department_pred},
    )
    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss={
            "priority": keras.losses.BinaryCrossentropy(from_logits=True),
            "department": keras.losses.CategoricalCrossentropy(from_logits=True),
        },
        loss_weights={"priority": 1.0, "department": 0.2},
    )
    rng = np.random.default_rng(1)
    title_data = rng.integers(num_words, size=(32, 10))
    body_data = rng.integers(num_words, size=(32, 20))
    tags_data = rng.integers(2, size=(32, num_tags)).astype("float32")
    priority_targets = rng.random((32, 1))
    dept_targets = rng.integers(2, size=(32, num_departments))
    history = model.fit(
        {"title": title_data, "body": body_data, "tags": tags_data},
        {"priority": priority_targets, "department": dept_targets},
        epochs=2,
        batch_size=8,
        verbose=0,
    )
    assert np.isfinite(history.history["loss"]).all()


def test_functional_residual_toy_resnet_with_ops_between_layers():
    inputs = keras.Input(shape=(16, 16, 3), name="img")
    x = layers.Conv2D(8, 3, activation="relu")(inputs)
    block_1_output = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(8, 3, activation="relu", padding="same")(block_1_output)
    block_2_output = ops.add(x, block_1_output)  # Keras 3 allows ops between layers
    x = layers.GlobalAveragePooling2D()(block_2_output)
    outputs = layers.Dense(3)(ops.relu(x))
    model = keras.Model(inputs, outputs, name="toy_resnet")
    model.compile(
        optimizer="rmsprop",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["acc"],
    )
    rng = np.random.default_rng(2)
    history = model.fit(rng.random((16, 16, 16, 3)), rng.integers(3, size=16), epochs=1, verbose=0)
    assert set(history.history) == {"loss", "acc"}


@pytest.mark.parametrize("register", [True, False])
def test_custom_layer_round_trips_through_save(tmp_path, register):
    layer_class = Linear
    if register:
        layer_class = keras.saving.register_keras_serializable(package="guide")(
            type("RegisteredLinear", (Linear,), {})
        )
    inputs = keras.Input((4,))
    model = keras.Model(inputs, layer_class(3)(inputs))
    path = tmp_path / "custom.keras"
    model.save(path)
    custom = None if register else {"Linear": Linear}
    loaded = keras.models.load_model(path, custom_objects=custom)
    x = np.random.random((2, 4)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)
