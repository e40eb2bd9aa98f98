"""`wide_and_deep`: a linear model over wide features and a deep model, trained jointly.

Cheng et al. 2016 ("Wide & Deep Learning for Recommender Systems"): the prediction is
`activation(w_wide . [x, cross(x)] + deep_logits + b)`, one loss, one backward pass, so the
linear ("wide") part memorizes sparse feature combinations while the deep part generalizes.
The result is a plain functional model: it saves, loads, clones, summarizes and plots like any.
"""

from __future__ import annotations

from strata.backend.keras_tensor import KerasTensor

_DEEP_OUTPUTS = ("logits", "hidden")


def wide_and_deep(
    wide_inputs,
    deep_model,
    num_outputs=1,
    activation="sigmoid",
    crosses=None,
    deep_output="logits",
    wide_regularizer=None,
    name="wide_and_deep",
):
    """A functional model joining a linear model over wide features with a deep model.

    The wide part is one `Dense(num_outputs)` layer named `"wide"` (a linear model, no
    activation) over the concatenated wide features and crossed features. Its logits are added
    to the deep part's logits (layer `"wide_deep_logits"`), then `activation` gives the
    prediction (layer `"prediction"`). Both parts train jointly under the one loss given to
    `compile`; for the paper's per-part optimizers use one optimizer with a smaller or larger
    rate for one part: `optimizer.add_variable_group(model.get_layer("wide").trainable_weights,
    lr_multiplier=...)`.

    The model's inputs are the `strata.Input` tensors the wide features come from, in order of
    first appearance, followed by the deep part's inputs that are not among them (one tensor
    when there is only one input). A wide feature may thus be an `Input` of already encoded
    features or a preprocessing layer's output over an input (e.g. `CategoryEncoding`), and
    the wide and deep parts may share inputs.

    Args:
        wide_inputs: a symbolic tensor or a list of them, each of shape `(batch, features)`
            and float dtype: numeric, one-hot or multi-hot features (encode integer ids with
            `CategoryEncoding`, or cross them with `crosses`). May be empty if `crosses` is set.
        deep_model: either a `strata.Model` (functional or Sequential, built, with one output;
            it becomes one layer of the result, called on fresh inputs shaped like its own) or
            the symbolic output tensor of a deep network built on `strata.Input` tensors.
        num_outputs: the number of logits (1 for binary classification or regression,
            the number of classes for softmax).
        activation: the final activation over the summed logits (`"sigmoid"`, `"softmax"`,
            `None` or `"linear"` for regression...).
        crosses: optional list of crossed features, each a tuple `(feature, feature, ...,
            num_bins)`: two or more integer or string categorical tensors of shape `(batch,)`
            or `(batch, 1)` and the number of hash bins; each becomes a one-hot
            `HashedCrossing(num_bins, output_mode="one_hot")` feature of the wide part.
        deep_output: `"logits"` when the deep part's output already has `num_outputs` units
            (its logits, no activation); `"hidden"` when it is the last hidden layer, which a
            `Dense(num_outputs, use_bias=False)` named `"deep_logits"` then projects (the
            paper's `w_deep . a_deep`).
        wide_regularizer: optional kernel regularizer of the wide layer (e.g. `"l1"` or
            `strata.regularizers.L1(1e-4)`, the paper's sparse linear model).
        name: the model's name.

    Returns:
        A functional `strata.Model` with one output of shape `(batch, num_outputs)`.

    Raises:
        ValueError: a wide feature is not a rank-2 float symbolic tensor, a cross is malformed,
            `deep_model` is neither a built single-output model nor a symbolic tensor, the deep
            output does not have `num_outputs` units with `deep_output="logits"`, or an argument
            is out of its range.

    Example:
        >>> import strata
        >>> from strata import layers
        >>> words = strata.Input((20,), name="words")        # bag of words, multi-hot
        >>> numbers = strata.Input((4,), name="numbers")
        >>> deep = layers.Dense(8, activation="relu")(numbers)
        >>> deep = layers.Dense(1)(deep)
        >>> model = strata.models.wide_and_deep(words, deep)
        >>> model.input_names
        ['words', 'numbers']
        >>> model.output_shape
        (None, 1)
        >>> model.get_layer("wide").get_weights()[0].shape   # Keras's (in, out) kernel
        (20, 1)
    """
    from strata import layers
    from strata.models.functional import Functional
    from strata.models.model import Model

    _check_args(num_outputs, deep_output, name)
    features = _wide_features(wide_inputs)
    features += _crossed_features(crosses, layers)
    if not features:
        raise ValueError(
            "wide_and_deep expected at least one wide feature (wide_inputs or crosses); "
            "received none."
        )
    deep = _deep_tensor(deep_model, Model)
    wide_x = (
        features[0] if len(features) == 1 else layers.Concatenate(name="wide_features")(features)
    )
    wide_logits = layers.Dense(num_outputs, kernel_regularizer=wide_regularizer, name="wide")(
        wide_x
    )
    deep_logits = _deep_logits(deep, num_outputs, deep_output, layers)
    logits = layers.Add(name="wide_deep_logits")([wide_logits, deep_logits])
    outputs = layers.Activation(activation, name="prediction")(logits)
    inputs = _source_inputs(features + [deep])
    return Functional(inputs[0] if len(inputs) == 1 else inputs, outputs, name=name)


def _check_args(num_outputs, deep_output, name):
    if isinstance(num_outputs, bool) or not isinstance(num_outputs, int) or num_outputs < 1:
        raise ValueError(
            f"wide_and_deep expected num_outputs as a positive int; received {num_outputs!r}."
        )
    if deep_output not in _DEEP_OUTPUTS:
        raise ValueError(
            f"wide_and_deep expected deep_output in {_DEEP_OUTPUTS}; received {deep_output!r}."
        )
    if not isinstance(name, str) or not name:
        raise ValueError(f"wide_and_deep expected name as a non-empty str; received {name!r}.")


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _wide_features(wide_inputs):
    features = _as_list(wide_inputs)
    for index, tensor in enumerate(features):
        if not isinstance(tensor, KerasTensor):
            raise ValueError(
                "wide_and_deep expected wide_inputs as symbolic tensors (strata.Input or a "
                f"layer's output); wide_inputs[{index}] is {type(tensor).__name__}."
            )
        if tensor.ndim != 2:
            raise ValueError(
                "wide_and_deep expected each wide input of shape (batch, features); "
                f"wide_inputs[{index}] has shape {tensor.shape}."
            )
        if not str(tensor.dtype).startswith(("float", "bfloat")):
            # Integer ids used as magnitudes by a linear model would be a silent mistake.
            raise ValueError(
                "wide_and_deep expected float wide inputs (numeric, one-hot or multi-hot "
                f"features); wide_inputs[{index}] has dtype {tensor.dtype}. Encode integer "
                "ids with strata.layers.CategoryEncoding, or cross them with crosses=."
            )
    return features


def _crossed_features(crosses, layers):
    result = []
    for index, cross in enumerate(_as_list(crosses)):
        if not isinstance(cross, (list, tuple)) or len(cross) < 3:
            raise ValueError(
                "wide_and_deep expected each cross as a tuple (feature, feature, ..., num_bins) "
                f"with at least two features; crosses[{index}] is {cross!r}."
            )
        *parts, num_bins = cross
        if not all(isinstance(part, KerasTensor) for part in parts):
            raise ValueError(
                f"wide_and_deep expected the features of crosses[{index}] as symbolic tensors; "
                f"received {[type(part).__name__ for part in parts]}."
            )
        if isinstance(num_bins, bool) or not isinstance(num_bins, int) or num_bins < 1:
            raise ValueError(
                f"wide_and_deep expected the last item of crosses[{index}] to be num_bins, a "
                f"positive int; received {num_bins!r}."
            )
        crossing = layers.HashedCrossing(num_bins, output_mode="one_hot", name=f"cross_{index}")
        result.append(crossing(list(parts)))
    return result


def _deep_tensor(deep_model, model_class):
    from strata.layers.core.input_layer import Input

    if isinstance(deep_model, KerasTensor):
        return deep_model
    if not isinstance(deep_model, model_class):
        raise ValueError(
            "wide_and_deep expected deep_model as a strata.Model or the symbolic output tensor "
            f"of a deep network; received {type(deep_model).__name__}."
        )
    model_inputs = getattr(deep_model, "inputs", None)
    model_outputs = getattr(deep_model, "outputs", None)
    if not deep_model.built or not model_inputs or not model_outputs:
        raise ValueError(
            f"wide_and_deep expected a built deep_model with symbolic inputs (give it a "
            f"strata.Input); model '{deep_model.name}' has none."
        )
    if len(model_outputs) != 1:
        raise ValueError(
            f"wide_and_deep expected a deep_model with one output; model '{deep_model.name}' "
            f"has {len(model_outputs)}."
        )
    fresh = [
        Input(shape=tuple(t.shape[1:]), dtype=t.dtype, name=t.node.layer.name) for t in model_inputs
    ]
    return deep_model(fresh[0] if len(fresh) == 1 else fresh)


def _deep_logits(deep, num_outputs, deep_output, layers):
    if deep.ndim != 2:
        raise ValueError(
            f"wide_and_deep expected the deep output of shape (batch, units); received shape "
            f"{deep.shape}."
        )
    if deep_output == "hidden":
        return layers.Dense(num_outputs, use_bias=False, name="deep_logits")(deep)
    if deep.shape[-1] != num_outputs:
        raise ValueError(
            f"wide_and_deep expected the deep output to have num_outputs={num_outputs} units "
            f"(its logits, with deep_output='logits'); received shape {deep.shape}. Pass "
            "deep_output='hidden' to project a hidden layer onto the logits."
        )
    return deep


def _source_inputs(tensors):
    """The input tensors (outputs of InputLayers) the given tensors depend on, first seen first."""
    found, seen, visited = [], set(), set()

    def visit(tensor):
        if tensor._keras_history is None:
            raise ValueError(
                f"wide_and_deep expected tensors built from strata.Input; {tensor} was not "
                "produced by a layer."
            )
        node = tensor.node
        if node.is_input:
            if id(tensor) not in seen:
                seen.add(id(tensor))
                found.append(tensor)
            return
        if id(node) in visited:
            return
        visited.add(id(node))
        for parent in node.input_tensors:
            visit(parent)

    for tensor in tensors:
        visit(tensor)
    return found
