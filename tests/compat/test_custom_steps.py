"""Keras's torch-backend guides for custom training, run with only the import changed.

The programs follow "Customizing what happens in fit() with PyTorch" and "Writing a training
loop from scratch in PyTorch" (keras.io guides for Keras 3), written here on small synthetic data.
Each checks that training reduces the loss and that the metrics update.
"""

import numpy as np
import pytest
import torch

import strata as keras
from strata import layers

# --------------------------------------------------------------------------------- data


def _regression(rows=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 32)).astype("float32")
    w = rng.normal(size=(32, 1)).astype("float32")
    return x, (x @ w + 0.1 * rng.normal(size=(rows, 1))).astype("float32")


def _classification(rows=256, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 16)).astype("float32")
    y = (x[:, :3].sum(axis=1) > 0).astype("int64") + (x[:, 3] > 1).astype("int64")
    return x, y


# ------------------------------------------------------- "Customizing what happens in fit()"


class CustomModel(keras.Model):
    def train_step(self, data):
        # Unpack the data. Its structure depends on your model and
        # on what you pass to `fit()`.
        x, y = data

        # Call torch.nn.Module.zero_grad() to clear the leftover gradients
        # for the weights from the previous train step.
        self.zero_grad()

        # Compute loss
        y_pred = self(x, training=True)  # Forward pass
        loss = self.compute_loss(y=y, y_pred=y_pred)

        # Call torch.Tensor.backward() on the loss to compute gradients
        # for the weights.
        loss.backward()

        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]

        # Update weights
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)

        # Update metrics (includes the metric that tracks the loss)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)

        # Return a dict mapping metric names to current value
        # Note that it will include the loss (tracked in self.metrics).
        return {m.name: m.result() for m in self.metrics}


def _first_guide_model(cls):
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    return cls(inputs, outputs)


def test_overridden_train_step_trains_and_reports_compiled_metrics():
    x, y = _regression()
    model = _first_guide_model(CustomModel)
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    assert sorted(history.history) == ["loss", "mae"]
    losses = history.history["loss"]
    assert losses[-1] < 0.8 * losses[0]
    assert history.history["mae"][-1] < history.history["mae"][0]
    # The logs are the metrics' results, the same values evaluate computes afresh.
    assert model.metrics_names == ["loss", "compile_metrics"]


class LowLevelCustomModel(keras.Model):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")
        self.loss_fn = keras.losses.MeanSquaredError()

    def train_step(self, data):
        x, y = data

        # Call torch.nn.Module.zero_grad() to clear the leftover gradients
        # for the weights from the previous train step.
        self.zero_grad()

        # Compute loss
        y_pred = self(x, training=True)  # Forward pass
        loss = self.loss_fn(y, y_pred)

        # Call torch.Tensor.backward() on the loss to compute gradients
        # for the weights.
        loss.backward()

        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]

        # Update weights
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)

        # Compute our own metrics
        self.loss_tracker.update_state(loss)
        self.mae_metric.update_state(y, y_pred)
        return {
            "loss": self.loss_tracker.result(),
            "mae": self.mae_metric.result(),
        }

    @property
    def metrics(self):
        # We list our `Metric` objects here so that `reset_states()` can be
        # called automatically at the start of each epoch
        # or at the start of `evaluate()`.
        return [self.loss_tracker, self.mae_metric]


def test_metrics_as_a_property_are_reset_each_epoch_and_logged():
    x, y = _regression()
    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = LowLevelCustomModel(inputs, outputs)
    # We don't pass a loss or metrics here.
    model.compile(optimizer=keras.optimizers.Adam(0.02))
    history = model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    assert sorted(history.history) == ["loss", "mae"]
    losses = history.history["loss"]
    assert losses[-1] < 0.8 * losses[0]
    # Reset each epoch: the last epoch's mean equals a fresh mean over its batches, which is
    # below the first epoch's (a tracker that kept accumulating would lag behind).
    assert float(model.loss_tracker.result()) == pytest.approx(losses[-1], rel=1e-5)
    assert float(model.loss_tracker.count.numpy()) == 8.0  # 256 / 32 batches, one epoch


class WeightedCustomModel(keras.Model):
    def train_step(self, data):
        # Unpack the data. Its structure depends on your model and
        # on what you pass to `fit()`.
        if len(data) == 3:
            x, y, sample_weight = data
        else:
            sample_weight = None
            x, y = data

        # Call torch.nn.Module.zero_grad() to clear the leftover gradients
        # for the weights from the previous train step.
        self.zero_grad()

        # Compute loss
        y_pred = self(x, training=True)  # Forward pass
        loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sample_weight)

        # Call torch.Tensor.backward() on the loss to compute gradients
        # for the weights.
        loss.backward()

        trainable_weights = [v for v in self.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]

        # Update weights
        with torch.no_grad():
            self.optimizer.apply(gradients, trainable_weights)

        # Update metrics (includes the metric that tracks the loss)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred, sample_weight=sample_weight)

        # Return a dict mapping metric names to current value
        # Note that it will include the loss (tracked in self.metrics).
        return {m.name: m.result() for m in self.metrics}


def test_sample_weights_reach_a_custom_train_step():
    x, y = _regression()
    sw = np.random.default_rng(3).random((len(y), 1)).astype("float32")
    model = _first_guide_model(WeightedCustomModel)
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse", metrics=["mae"])
    history = model.fit(x, y, sample_weight=sw, epochs=3, verbose=0)
    assert history.history["loss"][-1] < 0.8 * history.history["loss"][0]


class EvalCustomModel(keras.Model):
    def test_step(self, data):
        # Unpack the data
        x, y = data
        # Compute predictions
        y_pred = self(x, training=False)
        # Updates the metrics tracking the loss
        loss = self.compute_loss(y=y, y_pred=y_pred)
        # Update the metrics.
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        # Return a dict mapping metric names to current value.
        # Note that it will include the loss (tracked in self.metrics).
        return {m.name: m.result() for m in self.metrics}


def test_custom_test_step_gives_the_same_values_as_the_built_in_one():
    x, y = _regression(rows=64)
    model = _first_guide_model(EvalCustomModel)
    model.compile(loss="mse", metrics=["mae"])
    custom = model.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    inputs = keras.Input(shape=(32,))
    plain = keras.Model(inputs, keras.layers.Dense(1)(inputs))
    plain.set_weights(model.get_weights())
    plain.compile(loss="mse", metrics=["mae"])
    builtin = plain.evaluate(x, y, batch_size=16, verbose=0, return_dict=True)
    assert sorted(custom) == ["loss", "mae"]
    for key in builtin:
        assert custom[key] == pytest.approx(builtin[key], rel=1e-5)
    # And in Keras's list order: the loss first.
    listed = model.evaluate(x, y, batch_size=16, verbose=0)
    assert listed == pytest.approx([builtin["loss"], builtin["mae"]], rel=1e-5)


# ----------------------------------------------------------------------- the GAN example


class GAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.built = True

    @property
    def metrics(self):
        return [self.d_loss_tracker, self.g_loss_tracker]

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    def train_step(self, real_images):
        if isinstance(real_images, tuple) or isinstance(real_images, list):
            real_images = real_images[0]
        # Sample random points in the latent space
        batch_size = real_images.shape[0]
        random_latent_vectors = torch.randn(batch_size, self.latent_dim)

        # Decode them to fake images
        generated_images = self.generator(random_latent_vectors)

        # Combine them with real images
        combined_images = torch.concat([generated_images, real_images], axis=0)

        # Assemble labels discriminating real from fake images
        labels = torch.concat([torch.ones((batch_size, 1)), torch.zeros((batch_size, 1))], axis=0)

        # Train the discriminator
        self.zero_grad()
        predictions = self.discriminator(combined_images)
        d_loss = self.loss_fn(labels, predictions)
        d_loss.backward()
        grads = [v.value.grad for v in self.discriminator.trainable_weights]
        with torch.no_grad():
            self.d_optimizer.apply(grads, self.discriminator.trainable_weights)

        # Sample random points in the latent space
        random_latent_vectors = torch.randn(batch_size, self.latent_dim)

        # Assemble labels that say "all real images"
        misleading_labels = torch.zeros((batch_size, 1))

        # Train the generator (note that we should *not* update the weights
        # of the discriminator)!
        self.zero_grad()
        predictions = self.discriminator(self.generator(random_latent_vectors))
        g_loss = self.loss_fn(misleading_labels, predictions)
        grads = g_loss.backward()
        grads = [v.value.grad for v in self.generator.trainable_weights]
        with torch.no_grad():
            self.g_optimizer.apply(grads, self.generator.trainable_weights)

        # Update metrics and return their value.
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {
            "d_loss": self.d_loss_tracker.result(),
            "g_loss": self.g_loss_tracker.result(),
        }


def test_gan_with_two_optimizers_updates_each_network_with_its_own():
    latent_dim = 4
    discriminator = keras.Sequential(
        [keras.Input(shape=(8,)), layers.Dense(16, activation="relu"), layers.Dense(1)],
        name="discriminator",
    )
    generator = keras.Sequential(
        [keras.Input(shape=(latent_dim,)), layers.Dense(16, activation="relu"), layers.Dense(8)],
        name="generator",
    )
    real = np.random.default_rng(0).normal(2.0, 0.5, size=(128, 8)).astype("float32")
    dataset = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(real)), 32)
    gan = GAN(discriminator=discriminator, generator=generator, latent_dim=latent_dim)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(learning_rate=0.003),
        g_optimizer=keras.optimizers.Adam(learning_rate=0.003),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    d_before, g_before = discriminator.get_weights(), generator.get_weights()
    history = gan.fit(dataset, epochs=2, verbose=0)
    assert sorted(history.history) == ["d_loss", "g_loss"]
    assert all(np.isfinite(v) for v in history.history["d_loss"] + history.history["g_loss"])
    assert gan.d_optimizer.iterations == 8 and gan.g_optimizer.iterations == 8
    assert gan.d_optimizer.trainable_variables[0] is discriminator.trainable_weights[0]
    assert not np.allclose(d_before[0], discriminator.get_weights()[0])
    assert not np.allclose(g_before[0], generator.get_weights()[0])
    # The discriminator learns to tell real rows (mean 2) from the generator's first output.
    assert history.history["d_loss"][-1] < history.history["d_loss"][0] + 0.1


# ------------------------------------------------ "Writing a training loop from scratch"


def _mnist_like_model():
    return keras.Sequential(
        [
            layers.Input(shape=(16,)),
            layers.Dense(32, activation="relu"),
            layers.Dense(32, activation="relu"),
            layers.Dense(3),
        ]
    )


def test_training_loop_from_scratch_with_optimizer_apply_and_metric_objects():
    x_train, y_train = _classification(rows=512)
    x_val, y_val = _classification(rows=128, seed=9)
    train_dataset = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train)),
        batch_size=32,
        shuffle=True,
    )
    val_dataset = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x_val), torch.from_numpy(y_val)),
        batch_size=32,
    )

    model = _mnist_like_model()
    # Instantiate an optimizer to train the model.
    optimizer = keras.optimizers.Adam(learning_rate=1e-2)
    # Instantiate a loss function.
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    # Prepare the metrics.
    train_acc_metric = keras.metrics.SparseCategoricalAccuracy()
    val_acc_metric = keras.metrics.SparseCategoricalAccuracy()

    epoch_losses, train_accs, val_accs = [], [], []
    epochs = 4
    for epoch in range(epochs):  # noqa: B007 - the guide's loop
        total = 0.0
        for step, (inputs, targets) in enumerate(train_dataset):  # noqa: B007
            # Forward pass
            logits = model(inputs)
            loss = loss_fn(targets, logits)

            # Backward pass
            model.zero_grad()
            trainable_weights = [v for v in model.trainable_weights]

            # Call torch.Tensor.backward() on the loss to compute gradients
            # for the weights.
            loss.backward()
            gradients = [v.value.grad for v in trainable_weights]

            # Update weights
            with torch.no_grad():
                optimizer.apply(gradients, trainable_weights)

            # Update training metric.
            train_acc_metric.update_state(targets, logits)
            total += float(loss.detach())

        epoch_losses.append(total / (step + 1))
        # Display metrics at the end of each epoch.
        train_accs.append(float(train_acc_metric.result()))
        # Reset training metrics at the end of each epoch
        train_acc_metric.reset_state()

        # Run a validation loop at the end of each epoch.
        for x_batch_val, y_batch_val in val_dataset:
            val_logits = model(x_batch_val, training=False)
            # Update val metrics
            val_acc_metric.update_state(y_batch_val, val_logits)
        val_accs.append(float(val_acc_metric.result()))
        val_acc_metric.reset_state()

    assert epoch_losses[-1] < 0.7 * epoch_losses[0]
    assert train_accs[-1] > train_accs[0]
    assert val_accs[-1] > 0.6
    assert optimizer.iterations == epochs * 16
    assert float(train_acc_metric.result()) == 0.0  # reset_state really resets


def test_training_loop_from_scratch_with_no_grad_step_functions():
    x_train, y_train = _classification(rows=256)
    model = _mnist_like_model()
    optimizer = keras.optimizers.SGD(learning_rate=0.1)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    train_acc_metric = keras.metrics.SparseCategoricalAccuracy()
    val_acc_metric = keras.metrics.SparseCategoricalAccuracy()

    def train_step(x, y):
        logits = model(x, training=True)
        loss_value = loss_fn(y, logits)
        loss_value.backward()
        trainable_weights = [v for v in model.trainable_weights]
        gradients = [v.value.grad for v in trainable_weights]
        with torch.no_grad():
            optimizer.apply(gradients, trainable_weights)
        model.zero_grad()
        train_acc_metric.update_state(y, logits)
        return loss_value

    @torch.no_grad()
    def test_step(x, y):
        val_logits = model(x, training=False)
        val_acc_metric.update_state(y, val_logits)

    x = torch.from_numpy(x_train)
    y = torch.from_numpy(y_train)
    first = float(train_step(x[:32], y[:32]))
    for _ in range(3):
        for start in range(0, 256, 32):
            last = float(train_step(x[start : start + 32], y[start : start + 32]))
    test_step(x, y)
    assert last < first
    assert 0.0 < float(val_acc_metric.result()) <= 1.0
    assert float(train_acc_metric.result()) > 0.0


# ------------------------------------------------------------------- compute_metrics seam


class ComputeMetricsModel(keras.Model):
    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred)
        loss.backward()
        with torch.no_grad():
            self.optimizer.apply_gradients([(v.value.grad, v) for v in self.trainable_weights])
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
        return self.compute_metrics(x, y, y_pred, sample_weight=None)


def test_compute_metrics_updates_the_compiled_metrics_and_returns_all_results():
    x, y = _classification(rows=128)
    inputs = keras.Input(shape=(16,))
    outputs = layers.Dense(3, activation="softmax")(inputs)
    model = ComputeMetricsModel(inputs, outputs)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    assert sorted(history.history) == ["accuracy", "loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert 0.0 < history.history["accuracy"][-1] <= 1.0
    results = model.get_metrics_result()
    assert sorted(results) == ["accuracy", "loss"]
    assert float(results["accuracy"]) == pytest.approx(history.history["accuracy"][-1])


def test_apply_on_part_of_the_built_variables_keeps_the_optimizer_state():
    model = _mnist_like_model()
    optimizer = keras.optimizers.Adam(learning_rate=1e-2)
    x, y = _classification(rows=32)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    def step(variables):
        model.zero_grad()
        loss_fn(torch.from_numpy(y), model(torch.from_numpy(x))).backward()
        with torch.no_grad():
            optimizer.apply([v.value.grad for v in variables], variables)

    step(list(model.trainable_weights))
    torch_optimizer = optimizer.torch_optimizer
    first = model.layers[0].kernel.detach().clone()
    last = model.layers[-1].kernel.detach().clone()
    model.layers[0].trainable = False
    step(list(model.trainable_weights))
    assert optimizer.torch_optimizer is torch_optimizer  # not rebuilt: Adam's moments kept
    assert torch.equal(first, model.layers[0].kernel.detach())
    assert not torch.equal(last, model.layers[-1].kernel.detach())
    assert optimizer.iterations == 2


class CustomMSE(keras.losses.Loss):
    def __init__(self, regularization_factor=0.1, name="custom_mse"):
        super().__init__(name=name)
        self.regularization_factor = regularization_factor

    def call(self, y_true, y_pred):
        mse = torch.mean(torch.square(y_true - y_pred), axis=-1)
        reg = torch.mean(torch.square(0.5 - y_pred), axis=-1)
        return mse + self.regularization_factor * reg

    def get_config(self):
        return {"regularization_factor": self.regularization_factor, "name": self.name}


def test_custom_loss_subclass_trains_and_reduces_like_keras():
    loss = CustomMSE()
    y_true = torch.tensor([[1.0, 0.0], [0.0, 0.0]])
    y_pred = torch.tensor([[0.5, 0.5], [0.0, 1.0]])
    # Per sample: mse (0.25, 0.5), reg (0, 0.25); the mean over the batch by default.
    expected = ((0.25 + 0.0) + (0.5 + 0.1 * 0.25)) / 2
    assert float(loss(y_true, y_pred)) == pytest.approx(expected)
    x, y = _regression(rows=64)
    model = _first_guide_model(keras.Model)
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss=CustomMSE())
    history = model.fit(x, y, epochs=3, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert CustomMSE.from_config(loss.get_config()).regularization_factor == 0.1
