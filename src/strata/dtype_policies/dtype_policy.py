"""Dtype policies: which dtype a layer keeps its weights in and which it computes in.

`"float32"` (or any float dtype) keeps and computes in that dtype. `"mixed_float16"` and
`"mixed_bfloat16"` keep weights in float32 and compute in the half type: strata runs such
layers under `torch.autocast`, so matrix products and convolutions use the half type while
reductions, softmax and losses stay in float32 (torch's autocast lists), and `compile` wraps
the optimizer in a `LossScaleOptimizer` for `mixed_float16` as Keras does.
"""

from __future__ import annotations

FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")
MIXED = {"mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}


class DTypePolicy:
    """A layer's dtype policy (Keras's `keras.DTypePolicy`).

    Args:
        name: a dtype (`"float32"`, `"float64"`, `"bfloat16"`, `"int32"`, ...),
            `"mixed_float16"` or `"mixed_bfloat16"`; None takes `strata.backend.floatx()`.

    Example:
        >>> from strata.dtype_policies import DTypePolicy
        >>> policy = DTypePolicy("mixed_float16")
        >>> policy.compute_dtype, policy.variable_dtype
        ('float16', 'float32')
    """

    def __init__(self, name=None):
        if name is None:
            from strata.backend import floatx

            name = floatx()
        if isinstance(name, str) and name not in MIXED:
            from strata.backend.conversion import standardize_dtype

            try:
                name = standardize_dtype(name)
            except (TypeError, ValueError):
                name = None
        if not isinstance(name, str):
            raise ValueError(
                f"DTypePolicy expected a dtype name ({', '.join(FLOAT_DTYPES)}, int32, ...) or "
                f"one of {tuple(MIXED)}; received {name!r}."
            )
        self._name = name
        self._compute_dtype = MIXED.get(name, name)
        self._variable_dtype = "float32" if name in MIXED else name

    @property
    def name(self) -> str:
        return self._name

    @property
    def compute_dtype(self) -> str:
        return self._compute_dtype

    @property
    def variable_dtype(self) -> str:
        return self._variable_dtype

    @property
    def is_mixed(self) -> bool:
        """Weights and computation in different dtypes (the mixed policies)."""
        return self._compute_dtype != self._variable_dtype

    @property
    def quantization_mode(self):
        return None

    def get_config(self) -> dict:
        return {"name": self._name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'


FloatDTypePolicy = DTypePolicy


def get(identifier) -> DTypePolicy:
    """A policy from a name, a `DTypePolicy`, a serialized policy or None (the global one)."""
    if identifier is None:
        from strata.dtype_policies import dtype_policy

        return dtype_policy()
    if isinstance(identifier, DTypePolicy):
        return identifier
    if isinstance(identifier, str):
        return DTypePolicy(identifier)
    if isinstance(identifier, dict) and isinstance(identifier.get("config"), dict):
        return deserialize(identifier)
    raise ValueError(
        "A dtype policy expected a name, a DTypePolicy or a serialized policy; received "
        f"{identifier!r}."
    )


def serialize(policy) -> dict:
    return {"module": "keras", "class_name": "DTypePolicy", "config": policy.get_config()}


def deserialize(config, custom_objects=None) -> DTypePolicy:
    if config.get("class_name") not in ("DTypePolicy", "FloatDTypePolicy"):
        raise ValueError(
            "deserialize expected a DTypePolicy config; received class_name "
            f"{config.get('class_name')!r}."
        )
    return DTypePolicy.from_config(config["config"])
