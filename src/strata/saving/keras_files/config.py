"""Keras 3 and Keras 2 model configs, checked and rewritten into the form strata's layers take.

strata's layer configs are Keras 3's (`get_config` keys, `{"module", "class_name", "config",
"registered_name"}` objects), so a Keras 3 `config.json` needs few changes: dtype policies
become their names, Keras-only keys left at their defaults are dropped, and `x + y` style
operations in a functional graph become the matching merge layer. A Keras 2 `model_config`
(legacy HDF5) also gets its nested-list call records rewritten as Keras 3 call records.

Before anything is built the config is checked: a Lambda carrying marshalled bytecode (how both
Keras versions save a Python function) is refused always, whatever `safe_mode` says, because
strata never runs bytecode from a file; a class from outside Keras that is neither registered
with strata nor passed in `custom_objects` is refused by name. Nothing named by the file is
ever imported.
"""

from __future__ import annotations

import json

from strata.saving.registry import get_registered_object

# Keras-only arguments strata's layers do not take; dropped only at these (default) values.
_DEFAULT_ONLY = {
    "ragged": False,
    "optional": False,
    "quantization_config": None,
    "renorm": False,
    "renorm_clipping": None,
    "renorm_momentum": 0.99,
    "input_axes": None,
    "output_axes": None,
    "time_major": False,
    "lora_rank": None,
    "lora_alpha": None,
    "softmax_robust_masking": False,
}
# Keras 2 bookkeeping that changes nothing computed.
_IGNORED = ("shared_object_id", "implementation", "query_shape", "key_shape", "value_shape")
_DTYPE_POLICIES = ("DTypePolicy", "FloatDTypePolicy", "Policy")
_KERAS_MODULES = ("keras", "tf_keras", "tensorflow.keras", "strata")
# Functional-graph operations (Keras 3 ops, Keras 2 TFOpLambda) strata rebuilds as layers.
_OPS_AS_LAYERS = {
    "__operators__.add": "Add",
    "math.add": "Add",
    "math.subtract": "Subtract",
    "math.multiply": "Multiply",
    "math.maximum": "Maximum",
    "math.minimum": "Minimum",
}
_MODEL_CLASSES = ("Functional", "Model", "Sequential")
_OP_NAMESPACES = ("numpy", "nn", "math", "core", "linalg", "image")
# Merge layers share their names with Keras ops (`Add` layer, `add` op).
_MERGES = ("Add", "Subtract", "Multiply", "Maximum", "Minimum", "Average", "Concatenate", "Dot")
# Keras 2 arguments Keras 3 dropped, ignored at their defaults for these layer kinds.
_GROUPLESS = ("Transpose", "Depthwise", "Separable")
_SEPARABLE_UNUSED = ("kernel_initializer", "kernel_regularizer", "kernel_constraint")


class Translator:
    """Checks and rewrites one file's config; `label` names the file in messages.

    Args:
        label: the file, for messages.
        custom_objects: the user's {name: class}, which may stand for classes from outside
            Keras.
        keras2: the config is a Keras 2 (tf.keras) `model_config`.
    """

    def __init__(self, label, custom_objects=None, keras2=False):
        self.label = label
        self.custom_objects = dict(custom_objects or {})
        self.keras2 = keras2

    def model(self, config) -> dict:
        """The model's serialized form, ready for `strata.layers.deserialize`."""
        if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
            raise ValueError(
                f"'{self.label}': expected a serialized Keras model (a dict with 'class_name' "
                f"and 'config'); received {type(config).__name__}."
            )
        return self.obj(config)

    def obj(self, value):
        """A serialized object (or any JSON value inside one), rewritten."""
        if isinstance(value, list):
            return [self.obj(item) for item in value]
        if not isinstance(value, dict):
            return value
        if _is_object(value):
            return self._object(value)
        return {k: self.obj(v) for k, v in value.items() if k not in _IGNORED}

    def _object(self, value) -> dict:
        class_name = value["class_name"]
        if class_name in _DTYPE_POLICIES:
            return value  # replaced by its name where it is used (see _arguments)
        if class_name in ("Lambda", "__lambda__"):
            self._check_lambda(value)
            value = _named_function(value)
        self._check_origin(value)
        out = {k: v for k, v in value.items() if k not in _IGNORED}
        out["config"] = self._arguments(class_name, value.get("config") or {})
        if class_name in _MODEL_CLASSES and isinstance(out["config"].get("layers"), list):
            out["config"] = self._container(class_name, out["config"])
        return out

    def _arguments(self, class_name, config) -> dict:
        if not isinstance(config, dict):
            return config
        out = {}
        for key, item in config.items():
            if key in _IGNORED or (key in _DEFAULT_ONLY and item == _DEFAULT_ONLY[key]):
                continue
            if key == "dtype" and isinstance(item, dict):
                item = _policy_name(item, self.label)
            out[key] = self.obj(item)
        if any(kind in class_name for kind in _GROUPLESS) and out.get("groups") == 1:
            del out["groups"]
        if class_name.startswith("SeparableConv"):
            for key in _SEPARABLE_UNUSED:  # Keras 2 listed them; its separable convs ignore them
                out.pop(key, None)
        if class_name == "BatchNormalization" and isinstance(out.get("axis"), list):
            # Keras 2 stores the normalized axis as a one-item list of positive indices.
            axis = out["axis"]
            out["axis"] = axis[0] if len(axis) == 1 else axis
        return out

    # ---------------------------------------------------------------------------- containers
    def _container(self, class_name, config) -> dict:
        if class_name == "Sequential":
            return config
        skip = {}
        layers = []
        for entry in config["layers"]:
            entry = self._op_as_layer(entry)
            if self.keras2 and _keeps_own_first_node(entry):
                skip[entry.get("name") or entry["config"].get("name")] = 1
            layers.append(entry)
        if self.keras2:
            layers = [self._keras2_nodes(entry, skip) for entry in layers]
            for key in ("input_layers", "output_layers"):
                config[key] = _single(_shift(config.get(key), skip))
        return {**config, "layers": layers}

    def _op_as_layer(self, entry) -> dict:
        """A functional-graph operation (`x + y`, `ops.not_equal(x, 0)`) as a strata layer."""
        if entry["class_name"] == "TFOpLambda":
            return self._tf_op_as_layer(entry)
        op_name = _keras3_op_name(entry)
        if op_name is None:
            return entry
        from strata.layers.core.op_layer import resolve_op

        try:
            resolve_op(op_name)
        except ValueError:
            raise ValueError(
                f"'{self.label}': the model applies the Keras operation '{entry['class_name']}' "
                f"({entry.get('module') or 'keras.ops'}) in its graph, which strata.ops lacks "
                f"as '{op_name}'. Rebuild the model in code and load the weights with "
                "model.load_weights(path)."
            ) from None
        name = entry.get("name") or entry["config"].get("name")
        # A Keras 3 operation keeps its options (axis=...) in its config and receives the
        # tensors (and constants) at the call: strata's OpLayer keeps both in `arguments`.
        options = {k: v for k, v in entry["config"].items() if k not in ("name", "dtype")}
        nodes = []
        for node in entry.get("inbound_nodes") or []:
            tensors = []
            args = _encode(list(node.get("args", [])), tensors)
            kwargs = {k: _encode(v, tensors) for k, v in (node.get("kwargs") or {}).items()}
            encoded = {
                "args": args,
                "kwargs": {**{k: _encode(v, []) for k, v in options.items()}, **kwargs},
            }
            nodes.append((encoded, tensors))
        if len({json.dumps(n[0], sort_keys=True) for n in nodes}) > 1:
            raise ValueError(
                f"'{self.label}': operation '{name}' is applied twice with different arguments; "
                "strata rebuilds operations applied once. Rebuild the model in code."
            )
        arguments = nodes[0][0] if nodes else {"args": [], "kwargs": options}
        calls = [{"args": [t if len(t) > 1 else t[0]], "kwargs": {}} for _, t in nodes if t]
        return {
            "module": "strata.layers.core.op_layer",
            "class_name": "OpLayer",
            "config": {"name": name, "op_name": op_name, "arguments": arguments},
            "registered_name": "strata>OpLayer",
            "name": name,
            "inbound_nodes": calls,
        }

    def _tf_op_as_layer(self, entry) -> dict:
        """A tf.keras TFOpLambda (`x + y` on tf.keras tensors) as the merge layer computing it."""
        key = entry["config"].get("function")
        layer = _OPS_AS_LAYERS.get(key)
        if layer is None:
            raise ValueError(
                f"'{self.label}': the model applies the TensorFlow operation '{key}' in its "
                f"graph; strata rebuilds only {sorted(_OPS_AS_LAYERS)} this way. Rebuild the "
                "model in code and load the weights with model.load_weights(path)."
            )
        layer_name = entry.get("name") or entry["config"].get("name")
        nodes = [self._op_node(node, key) for node in entry.get("inbound_nodes") or []]
        return {
            "module": "keras.layers",
            "class_name": layer,
            "config": {"name": layer_name},
            "registered_name": None,
            "name": layer_name,
            "inbound_nodes": nodes,
        }

    def _op_node(self, node, op):
        """A TFOpLambda's call `op(x, y=...)` as the merge layer's call `layer([x, y])`."""
        # Keras 2 TFOpLambda: one call [x, 0, 0, {"y": [name, 0, 0], ...}] (some versions wrap
        # it in a list of calls).
        first = node if isinstance(node[0], str) else node[0]
        kwargs = first[3] if len(first) > 3 else {}
        others = [v for k, v in kwargs.items() if _is_ref(v)]
        if not others or any(not _is_ref(v) and k != "name" for k, v in kwargs.items()):
            raise self._constant_operand(op)
        return [list(first[:3]) + [{}]] + [list(ref) + [{}] for ref in others]

    def _constant_operand(self, op) -> ValueError:
        return ValueError(
            f"'{self.label}': the model applies '{op}' to something other than two or more "
            "tensors (a constant or keyword operand); strata rebuilds only tensor-with-tensor "
            "operations. Rebuild the model in code and load the weights with "
            "model.load_weights(path)."
        )

    def _keras2_nodes(self, entry, skip) -> dict:
        nodes = []
        for node in entry.get("inbound_nodes") or []:
            if isinstance(node, dict):
                nodes.append(node)
                continue
            calls = [_tensor(_shift(call[:3], skip)) for call in node]
            kwargs = node[0][3] if node and len(node[0]) > 3 else {}
            kwargs = {k: _refs_to_tensors(_shift_any(v, skip)) for k, v in kwargs.items()}
            args = calls if len(calls) > 1 else calls[:1]
            args = [args] if len(calls) > 1 else args
            nodes.append({"args": args, "kwargs": kwargs})
        return {**entry, "inbound_nodes": nodes}

    # -------------------------------------------------------------------------------- checks
    def _check_lambda(self, value) -> None:
        config = value.get("config") or {}
        function = config.get("function")
        bytecode = (
            value["class_name"] == "__lambda__"
            or isinstance(function, list)
            or (isinstance(function, dict) and function.get("class_name") == "__lambda__")
            or config.get("function_type") == "lambda"
            or config.get("output_shape_type") == "lambda"
        )
        if bytecode:
            raise ValueError(
                f"'{self.label}' holds a Lambda layer ('{config.get('name', '?')}') whose "
                "function is saved as marshalled Python bytecode. strata refuses it under "
                "safe_mode=True, and never runs bytecode from a file even with "
                "safe_mode=False (it executes arbitrary code and is tied to one Python "
                "version). Rebuild the model in code with the Lambda (or a registered custom "
                "layer) and load the weights with model.load_weights(path)."
            )

    def _check_origin(self, value) -> None:
        module = value.get("module")
        registered = value.get("registered_name")
        names = [n for n in (registered, value["class_name"]) if isinstance(n, str)]
        known = any(get_registered_object(name, self.custom_objects) is not None for name in names)
        if module is None or known or _is_keras_module(module):
            return
        raise ValueError(
            f"'{self.label}' names the class '{value['class_name']}' from module '{module}', "
            "which is not part of Keras. strata never imports modules named by a file; "
            "classes outside Keras load only when registered with "
            "@strata.saving.register_keras_serializable or passed in custom_objects "
            f"(e.g. custom_objects={{'{registered or value['class_name']}': MyClass}})."
        )


def _is_object(value) -> bool:
    return isinstance(value.get("class_name"), str) and "config" in value


def _is_keras_module(module) -> bool:
    return isinstance(module, str) and module.split(".")[0] in _KERAS_MODULES


def _policy_name(policy, label) -> str:
    inner = policy.get("config") or {}
    name = inner.get("name")
    if policy.get("class_name") not in _DTYPE_POLICIES or not isinstance(name, str):
        raise ValueError(
            f"'{label}': expected a dtype policy such as DTypePolicy('float32'); received "
            f"{policy.get('class_name')!r} ({name!r}), which strata does not support."
        )
    return name


def _keeps_own_first_node(entry) -> bool:
    """Whether Keras 2 counted the nested model's own construction as its node 0."""
    if entry.get("class_name") in ("Functional", "Model"):
        return True
    if entry.get("class_name") != "Sequential":
        return False
    layers = (entry.get("config") or {}).get("layers") or []
    return bool(layers) and layers[0].get("class_name") == "InputLayer"


def _is_ref(value) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 3
        and isinstance(value[0], str)
        and all(isinstance(v, int) for v in value[1:])
    )


def _shift(ref, skip):
    """Renumber a Keras 2 [layer, node, tensor] reference (or list of them) to count only the
    calls made in this model."""
    if _is_ref(ref):
        return [ref[0], ref[1] - skip.get(ref[0], 0), ref[2]]
    if isinstance(ref, list):
        return [_shift(item, skip) for item in ref]
    return ref


def _shift_any(value, skip):
    return _shift(value, skip) if isinstance(value, list) else value


def _single(refs):
    # Keras 2 lists one input as [[name, 0, 0]]; Keras 3 writes the bare triple.
    return refs[0] if isinstance(refs, list) and len(refs) == 1 and _is_ref(refs[0]) else refs


def _tensor(ref) -> dict:
    return {"class_name": "__keras_tensor__", "config": {"keras_history": list(ref)}}


def _refs_to_tensors(value):
    if _is_ref(value):
        return _tensor(value)
    return value


def _keras3_op_name(entry):
    """`"<namespace>.<op>"` for a Keras 3 operation node, or None for a layer."""
    from strata.saving.keras_files.keras3_weights import snake_case

    module = str(entry.get("module") or "")
    snake = snake_case(entry["class_name"])
    if module.startswith("keras.src.ops."):
        namespace = module.split(".")[3]
        return f"{namespace}.{snake}"
    nodes = entry.get("inbound_nodes") or []
    if module or not nodes or not all(isinstance(n, dict) for n in nodes):
        return None
    # Keras 3's legacy .h5 writer drops the module: an operation is a name strata's layers
    # lack, or a merge name (Add) called on separate tensors instead of one list.
    import strata.layers
    import strata.ops

    separate = any(len(n.get("args", [])) > 1 for n in nodes)
    is_layer = isinstance(getattr(strata.layers, entry["class_name"], None), type)
    if is_layer and not (entry["class_name"] in _MERGES and separate):
        return None

    for namespace in _OP_NAMESPACES:
        if hasattr(getattr(strata.ops, namespace, None), snake):
            return f"{namespace}.{snake}"
    return None


def _encode(value, tensors):
    """A Keras 3 call argument in strata OpLayer's form: tensors become `{"__tensor__": i}`."""
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        tensors.append(value)
        return {"__tensor__": len(tensors) - 1}
    if isinstance(value, list):
        return [_encode(item, tensors) for item in value]
    if isinstance(value, dict):
        return {"__dict__": {k: _encode(v, tensors) for k, v in value.items()}}
    return value


def _named_function(value) -> dict:
    """A Lambda whose function Keras 3 saved by its registered name (`{"class_name":
    "function", "config": "demo>double"}`) with that name alone, which strata's Lambda looks up
    among registered functions and custom_objects (nothing is imported)."""
    config = value.get("config") or {}
    function = config.get("function")
    if isinstance(function, dict) and function.get("class_name") == "function":
        name = function.get("config")
        if isinstance(name, str):
            return {**value, "config": {**config, "function": name}}
    if isinstance(function, str) and config.get("function_type") == "raw":
        # Keras 2 names the function and the module it came from; only the name is kept.
        keras2_keys = ("function_type", "module", "output_shape_type", "output_shape_module")
        kept = {k: v for k, v in config.items() if k not in keras2_keys}
        return {**value, "config": kept}
    return value
