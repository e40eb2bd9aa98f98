"""Greedy layer-wise pretraining: stacked autoencoders trained one hidden layer at a time."""

from __future__ import annotations

import numpy as np
import torch

from strata import backend


def _as_list(value, count, what):
    if isinstance(value, (list, tuple)):
        if len(value) != count:
            raise ValueError(
                f"greedy_layerwise expected {what} to be one value or a list of {count} (one per "
                f"layer); received {len(value)} values."
            )
        return list(value)
    return [value] * count


def _check_units(units):
    units = [units] if isinstance(units, (int, np.integer)) else units
    if (
        not isinstance(units, (list, tuple))
        or not units
        or any(isinstance(u, bool) or not isinstance(u, (int, np.integer)) or u < 1 for u in units)
    ):
        raise ValueError(
            "greedy_layerwise expected units to be a positive integer or a non-empty list of "
            f"positive integers (one per hidden layer); received {units!r}."
        )
    return [int(u) for u in units]


def _check_data(x):
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    if not isinstance(x, np.ndarray):
        raise ValueError(
            "greedy_layerwise expected x_unlabeled to be a NumPy array or a torch tensor of "
            f"shape (samples, features); received {type(x).__name__}."
        )
    if x.ndim < 2 or x.shape[0] == 0:
        raise ValueError(
            "greedy_layerwise expected x_unlabeled of shape (samples, features) with at least "
            f"one sample; received shape {x.shape}. Flatten images first (e.g. x.reshape(len(x), "
            "-1))."
        )
    # One dtype for inputs and reconstruction targets (the layers compute in floatx).
    return x if x.dtype == backend.floatx() else x.astype(backend.floatx())


def _stage_model(input_shape, frozen, encoder, decoder, noise, seed):
    """`Input -> frozen encoders -> [noise] -> new encoder -> decoder`, a plain Sequential.

    The earlier encoders are frozen and deterministic, so fit's frozen-layer cache (where
    available) computes their outputs once instead of once per epoch.
    """
    from strata import layers
    from strata.layers import Input
    from strata.models import Sequential

    stack = [Input(shape=input_shape), *frozen]
    if noise:
        stack.append(layers.GaussianNoise(noise, seed=seed))
    stack += [encoder, decoder]
    return Sequential(stack, name=f"pretrain_{encoder.name}")


def _targets(input_shape, frozen, x, batch_size):
    """What the new layer must reconstruct: the frozen layers' outputs, computed once."""
    if not frozen:
        return x
    from strata.layers import Input
    from strata.models import Sequential

    prefix = Sequential([Input(shape=input_shape), *frozen])
    return prefix.predict(x, batch_size=max(batch_size, 256), verbose=0)


def greedy_layerwise(
    units,
    x_unlabeled,
    activation="relu",
    epochs=10,
    batch_size=32,
    optimizer="adam",
    loss="mse",
    decoder_activation=None,
    noise=None,
    names="hidden{}",
    validation_split=0.0,
    verbose=0,
    seed=None,
    return_histories=False,
    **fit_kwargs,
):
    """Pretrain a stack of Dense layers without labels, one autoencoder per layer.

    Stage `k` trains the model `Input -> hidden1 ... hidden(k-1) (frozen) -> hidden k ->
    decoder k` with `fit` to reconstruct the output of `hidden(k-1)` (the input itself for
    `k = 1`): each new layer learns to encode what the frozen layers below it produce. The
    decoders are thrown away; the encoders come back trained and trainable again, ready to be
    stacked under a new head and fine-tuned on the few labelled examples.

    The earlier layers are frozen (`trainable=False`) in each stage model, so `fit`'s
    frozen-layer cache, where available, computes their outputs once per stage rather than
    once per epoch; the reconstruction targets are computed once per stage with `predict`.

    Args:
        units: the hidden layers' sizes, e.g. `[300, 100]` (an int for one layer).
        x_unlabeled: unlabelled examples, shape `(samples, features)` (Dense acts on the
            last axis of higher ranks); other dtypes are cast to floatx. Scale them first.
        activation: the encoders' activation, one for all or a list (one per layer).
        epochs: epochs per stage (an int, or a list: one per layer).
        batch_size: the batch size of each stage's `fit`.
        optimizer: an optimizer name or config; each stage gets a fresh instance (an instance
            given here is deserialized anew from its config per stage).
        loss: the reconstruction loss (default mean squared error).
        decoder_activation: the decoders' activation (default linear), one or a list.
        noise: the standard deviation of Gaussian noise added to each stage's encoder input
            during training (a denoising autoencoder); None or 0 for none.
        names: the encoders' names, a format string with one `{}` for the 1-based index (default
            `"hidden{}"`, as in seed 001) or a list of names.
        validation_split: passed to each stage's `fit`.
        verbose: passed to each stage's `fit`.
        seed: when given, `strata.utils.set_random_seed(seed)` is called first (global seeds:
            initial weights, shuffling and noise are reproducible).
        return_histories: also return each stage's `History`.
        **fit_kwargs: more arguments for each stage's `fit` (e.g. `callbacks`, `shuffle`).

    Returns:
        The trained `strata.layers.Dense` encoders, bottom first, built and trainable (a list);
        with `return_histories=True`, `(layers, histories)`.

    Example:
        >>> import numpy as np, strata
        >>> x = np.random.default_rng(0).random((64, 12), dtype="float32")
        >>> hidden = greedy_layerwise([8, 4], x, epochs=2, seed=0)
        >>> [(layer.name, layer.units) for layer in hidden]
        [('hidden1', 8), ('hidden2', 4)]
        >>> model = strata.Sequential([strata.Input((12,)), *hidden,
        ...                            strata.layers.Dense(3, activation="softmax")])
        >>> model.output_shape
        (None, 3)
    """
    from strata import layers, optimizers, utils

    units = _check_units(units)
    x = _check_data(x_unlabeled)
    count = len(units)
    activations = _as_list(activation, count, "activation")
    decoder_activations = _as_list(decoder_activation, count, "decoder_activation")
    stage_epochs = _as_list(epochs, count, "epochs")
    if isinstance(names, str):
        names = [names.format(i + 1) for i in range(count)]
    names = _as_list(names, count, "names")
    if noise is not None and (isinstance(noise, bool) or float(noise) < 0):
        raise ValueError(f"greedy_layerwise expected noise >= 0 or None; received {noise!r}.")
    if seed is not None:
        utils.set_random_seed(seed)
    optimizer_config = optimizers.serialize(optimizers.get(optimizer))

    input_shape = tuple(x.shape[1:])
    encoders, histories = [], []
    try:
        for index in range(count):
            target = _targets(input_shape, encoders, x, batch_size)
            encoder = layers.Dense(units[index], activation=activations[index], name=names[index])
            decoder = layers.Dense(
                target.shape[-1], activation=decoder_activations[index], name=f"decoder{index + 1}"
            )
            for frozen in encoders:
                frozen.trainable = False
            model = _stage_model(input_shape, encoders, encoder, decoder, noise, seed)
            model.compile(optimizer=optimizers.deserialize(optimizer_config), loss=loss)
            histories.append(
                model.fit(
                    x,
                    target,
                    epochs=stage_epochs[index],
                    batch_size=batch_size,
                    validation_split=validation_split,
                    verbose=verbose,
                    **fit_kwargs,
                )
            )
            encoders.append(encoder)
    finally:
        # Trainable again, also when a stage failed or was interrupted.
        for encoder in encoders:
            encoder.trainable = True
    return (encoders, histories) if return_histories else encoders
