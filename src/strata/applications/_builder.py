"""What every application shares: argument checks, the input tensor, pooling, the weights file."""

from __future__ import annotations

import os

from strata import activations
from strata.backend import config as backend_config
from strata.backend.keras_tensor import KerasTensor

POOLINGS = (None, "avg", "max")


def check_arguments(name, weights, pooling, classes, classifier_activation):
    """Validate the arguments common to all applications before anything is built.

    Raises:
        ValueError: `weights` is `"imagenet"` (nothing can be downloaded here), a path that
            does not exist or an unknown `"zoo:<name>"` entry, `pooling` or `classes` is
            invalid, or `classifier_activation` is neither softmax nor None while weights are
            loaded (as Keras requires).
    """
    check_weights(name, weights)
    if pooling not in POOLINGS:
        raise ValueError(f"{name} expected pooling in {POOLINGS}; received {pooling!r}.")
    if not isinstance(classes, int) or isinstance(classes, bool) or classes < 1:
        raise ValueError(f"{name} expected a positive integer `classes`; received {classes!r}.")
    if weights is not None:
        allowed = (activations.get("softmax"), activations.get(None))
        if activations.get(classifier_activation) not in allowed:
            raise ValueError(
                f"{name} expected classifier_activation 'softmax' or None when loading "
                f"pretrained weights; received {classifier_activation!r}."
            )


ZOO_PREFIX = "zoo:"


def check_weights(name, weights) -> None:
    """Refuse, before building, `weights` that cannot be loaded: `"imagenet"` (strata downloads
    nothing), a missing file, an unknown zoo entry or anything else."""
    if weights is None:
        return
    if isinstance(weights, str) and weights == "imagenet":
        raise ValueError(
            f"{name} cannot load weights='imagenet': strata downloads nothing. Pass weights=None "
            "for random initialization, the path to a local strata weights file (saved with "
            "`model.save_weights(path)`) or model file (`model.save(path)`), or "
            "weights='zoo:<name>' for an entry of your model zoo (`strata.zoo.save`)."
        )
    if isinstance(weights, str) and weights.startswith(ZOO_PREFIX):
        from strata import zoo

        try:
            zoo.info(weights[len(ZOO_PREFIX) :])
        except ValueError as error:
            raise ValueError(f"{name} cannot load weights={weights!r}: {error}") from None
        return
    if not isinstance(weights, (str, os.PathLike)) or not os.path.isfile(weights):
        raise ValueError(
            f"{name} expected weights=None, 'zoo:<entry name>' or the path to an existing "
            f"weights file; received {weights!r}."
        )


def load_weights(model, weights) -> None:
    """Load `weights` (a local file, or `"zoo:<name>"` for a zoo entry) into `model`.

    A file goes to `model.load_weights`, which reads whatever formats it knows; a zoo entry's
    file is checked against its recorded checksum first.
    """
    zoo_name = weights[len(ZOO_PREFIX) :] if str(weights).startswith(ZOO_PREFIX) else None
    try:
        if zoo_name is not None:
            from strata import zoo

            zoo.load_weights(model, zoo_name)
        else:
            model.load_weights(weights)
    except ValueError as error:
        how = (
            f"strata.zoo.load_weights(model, {zoo_name!r}, by_name=True)"
            if zoo_name is not None
            else f"model.load_weights({str(weights)!r}, by_name=True)"
        )
        raise ValueError(
            f"{error} To load only the layers this model has (include_top=False from a model "
            f"saved with its top, say), build it with weights=None, then call {how}."
        ) from error


def input_shape_for(name, input_shape, default_size, min_size, require_flatten):
    """The sample shape to build: Keras's `obtain_input_shape` rules.

    Args:
        name: the application's name, for messages.
        input_shape: the user's shape (3 values, channels on the data format's side) or None.
        default_size: the height and width used when a fixed size is needed.
        min_size: the smallest height and width the architecture accepts.
        require_flatten: True with `include_top`: the shape must be fully known.
    """
    channels_last = backend_config.image_data_format() == "channels_last"
    if input_shape is None:
        if require_flatten:
            size = (default_size, default_size)
            return (*size, 3) if channels_last else (3, *size)
        return (None, None, 3) if channels_last else (3, None, None)
    input_shape = tuple(None if d is None else int(d) for d in input_shape)
    layout = "(height, width, 3)" if channels_last else "(3, height, width)"
    if len(input_shape) != 3:
        raise ValueError(
            f"{name} expected an input_shape of 3 values {layout}; received {input_shape}."
        )
    spatial = input_shape[:2] if channels_last else input_shape[1:]
    if any(d is not None and d < min_size for d in spatial):
        raise ValueError(
            f"{name} expected an input height and width of at least {min_size}; "
            f"received input_shape={input_shape}."
        )
    if require_flatten and None in input_shape:
        raise ValueError(
            f"{name} with include_top=True expected a fully known input_shape; "
            f"received {input_shape}."
        )
    return input_shape


def image_input(input_tensor, input_shape):
    """The graph's input: `input_tensor` when given (a symbolic tensor), else a new `Input`."""
    from strata.layers import Input

    if input_tensor is None:
        return Input(shape=input_shape)
    if not isinstance(input_tensor, KerasTensor):
        raise ValueError(
            "input_tensor expected a symbolic tensor (from strata.Input or a layer call); "
            f"received {type(input_tensor).__name__}."
        )
    return input_tensor


def source_inputs(tensor) -> list:
    """The `Input` tensors that `tensor` is computed from, in the order they are first met."""
    found, seen, stack = [], set(), [tensor]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if current._keras_history is None or current.node.is_input:
            found.append(current)
        else:
            stack.extend(reversed(current.node.input_tensors))
    return found


def channel_axis() -> int:
    return -1 if backend_config.image_data_format() == "channels_last" else 1


def pool(x, pooling, avg_name=None, max_name=None):
    """Global average or max pooling of the features (`pooling="avg"`/`"max"`), or `x`."""
    from strata import layers

    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=avg_name)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=max_name)(x)
    return x


def average_pool_top(x, include_top, pooling, classes, classifier_activation, pool_name=None):
    """With `include_top`, global average pooling (`pool_name`) and the `classes`-way Dense
    classifier (`predictions`); without, `pool(x, pooling)`."""
    from strata import layers

    if not include_top:
        return pool(x, pooling)
    x = layers.GlobalAveragePooling2D(name=pool_name)(x)
    return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)


def finish(name, img_input, input_tensor, outputs, weights):
    """The functional model from the graph's inputs to `outputs`, with `weights` loaded."""
    from strata.models import Model

    inputs = source_inputs(input_tensor) if input_tensor is not None else img_input
    if isinstance(inputs, list) and len(inputs) == 1:
        inputs = inputs[0]
    model = Model(inputs, outputs, name=name)
    if weights is not None:
        load_weights(model, weights)
    return model


def size_from_shape(input_shape, input_tensor, sizes, fallback=224):
    """The MobileNets' default size: the square input size when it is one of `sizes`.

    The size comes from `input_shape`, or from `input_tensor` when no shape is given.
    """
    channels_last = backend_config.image_data_format() == "channels_last"
    if input_shape is not None:
        spatial = tuple(input_shape)[:2] if channels_last else tuple(input_shape)[1:3]
    elif isinstance(input_tensor, KerasTensor):
        spatial = input_tensor.shape[1:3] if channels_last else input_tensor.shape[2:4]
    else:
        return fallback
    rows, cols = (tuple(spatial) + (None, None))[:2]
    return rows if rows == cols and rows in sizes else fallback


def rows_of(input_shape):
    """The height in a sample shape (None when free)."""
    return input_shape[0 if backend_config.image_data_format() == "channels_last" else 1]
