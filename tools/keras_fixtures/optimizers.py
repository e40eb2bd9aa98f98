"""Record Keras 3's optimizer updates for strata's step-by-step comparison tests.

Run with Keras (never imported by the tests):

    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/optimizers.py

For every case in `CASES` (an optimizer class name, its constructor arguments, and optionally
a learning-rate schedule or an inner optimizer), three float32 variables start from fixed
values and receive fixed gradients for `STEPS` steps; the variables after each step are stored
as `<case>/values` with shape (STEPS, total size), plus one more row after
`finalize_variable_values` for cases marked "finalize". The inputs and the cases (as JSON)
are stored alongside, in tests/optimizers/fixtures/keras_updates.npz.
"""

import json
import os

import keras
import numpy as np

STEPS = 5
SHAPES = [(3, 4), (4,), (5, 3)]
OUT = os.path.join(
    os.path.dirname(__file__), "..", "..", "tests", "optimizers", "fixtures", "keras_updates.npz"
)

# name -> {"class": ..., "kwargs": {...}, optional "schedule": [class, kwargs],
# optional "inner": [class, kwargs], optional "grads": "small" | "nonfinite" | "scaled"}
CASES = {
    "sgd": {"class": "SGD", "kwargs": {"learning_rate": 0.1}},
    "sgd_momentum": {"class": "SGD", "kwargs": {"learning_rate": 0.1, "momentum": 0.9}},
    "sgd_nesterov": {
        "class": "SGD",
        "kwargs": {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True},
    },
    "sgd_momentum_schedule": {
        "class": "SGD",
        "kwargs": {"momentum": 0.8},
        "schedule": [
            "ExponentialDecay",
            {"initial_learning_rate": 0.2, "decay_steps": 1, "decay_rate": 0.5},
        ],
    },
    "sgd_decay_clipnorm": {
        "class": "SGD",
        "kwargs": {"learning_rate": 0.1, "momentum": 0.5, "weight_decay": 0.1, "clipnorm": 0.5},
    },
    "rmsprop": {"class": "RMSprop", "kwargs": {"learning_rate": 0.01}},
    "rmsprop_small": {"class": "RMSprop", "kwargs": {"learning_rate": 1e-4}, "grads": "small"},
    "rmsprop_momentum": {"class": "RMSprop", "kwargs": {"learning_rate": 0.01, "momentum": 0.9}},
    "rmsprop_centered": {"class": "RMSprop", "kwargs": {"learning_rate": 0.01, "centered": True}},
    "rmsprop_centered_momentum": {
        "class": "RMSprop",
        "kwargs": {"learning_rate": 0.01, "centered": True, "momentum": 0.5, "rho": 0.8},
    },
    "adam": {"class": "Adam", "kwargs": {"learning_rate": 0.01}},
    "adam_small": {"class": "Adam", "kwargs": {"learning_rate": 1e-3}, "grads": "small"},
    "adam_amsgrad": {"class": "Adam", "kwargs": {"learning_rate": 0.01, "amsgrad": True}},
    "adam_decay_global_clipnorm": {
        "class": "Adam",
        "kwargs": {"learning_rate": 0.01, "weight_decay": 0.05, "global_clipnorm": 1.0},
    },
    "adam_cosine": {
        "class": "Adam",
        "kwargs": {},
        "schedule": ["CosineDecay", {"initial_learning_rate": 0.05, "decay_steps": 4}],
    },
    "adam_accumulation": {
        "class": "Adam",
        "kwargs": {"learning_rate": 0.01, "gradient_accumulation_steps": 2},
    },
    "adam_ema": {
        "class": "Adam",
        "kwargs": {
            "learning_rate": 0.05,
            "use_ema": True,
            "ema_momentum": 0.5,
            "ema_overwrite_frequency": 2,
        },
    },
    "adam_ema_finalize": {
        "class": "Adam",
        "kwargs": {"learning_rate": 0.05, "use_ema": True, "ema_momentum": 0.7},
        "finalize": True,
    },
    "sgd_ema_accumulation": {
        "class": "SGD",
        "kwargs": {
            "learning_rate": 0.1,
            "momentum": 0.5,
            "gradient_accumulation_steps": 2,
            "use_ema": True,
            "ema_momentum": 0.6,
        },
        "finalize": True,
    },
    "adam_loss_scale_factor": {
        "class": "Adam",
        "kwargs": {"learning_rate": 0.01, "loss_scale_factor": 8.0, "clipvalue": 0.5},
        "grads": "scaled",
    },
    "adamw": {"class": "AdamW", "kwargs": {"learning_rate": 0.01}},
    "adamw_amsgrad": {
        "class": "AdamW",
        "kwargs": {"learning_rate": 0.01, "weight_decay": 0.1, "amsgrad": True},
    },
    "adamax": {"class": "Adamax", "kwargs": {"learning_rate": 0.01}},
    "adamax_small": {"class": "Adamax", "kwargs": {"learning_rate": 0.01}, "grads": "small"},
    "adagrad": {"class": "Adagrad", "kwargs": {"learning_rate": 0.1}},
    "adagrad_zero_start": {
        "class": "Adagrad",
        "kwargs": {"learning_rate": 0.1, "initial_accumulator_value": 0.0, "epsilon": 1e-3},
    },
    "adadelta": {"class": "Adadelta", "kwargs": {"learning_rate": 1.0}},
    "nadam": {"class": "Nadam", "kwargs": {"learning_rate": 0.01}},
    "nadam_decay": {"class": "Nadam", "kwargs": {"learning_rate": 0.01, "weight_decay": 0.1}},
    "ftrl": {"class": "Ftrl", "kwargs": {"learning_rate": 0.1}},
    "ftrl_regularized": {
        "class": "Ftrl",
        "kwargs": {
            "learning_rate": 0.1,
            "learning_rate_power": -0.7,
            "l1_regularization_strength": 0.01,
            "l2_regularization_strength": 0.02,
            "l2_shrinkage_regularization_strength": 0.03,
            "beta": 0.1,
        },
    },
    "lion": {"class": "Lion", "kwargs": {"learning_rate": 0.01}},
    "lion_decay": {
        "class": "Lion",
        "kwargs": {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9, "weight_decay": 0.5},
    },
    "lamb": {"class": "Lamb", "kwargs": {"learning_rate": 0.01}},
    "adafactor": {"class": "Adafactor", "kwargs": {"learning_rate": 0.01}},
    "adafactor_settings": {
        "class": "Adafactor",
        "kwargs": {
            "learning_rate": 0.5,
            "beta_2_decay": -0.5,
            "epsilon_2": 0.01,
            "clip_threshold": 0.5,
            "relative_step": False,
        },
    },
    "muon": {"class": "Muon", "kwargs": {"learning_rate": 0.01}},
    "muon_plain": {
        "class": "Muon",
        "kwargs": {
            "learning_rate": 0.02,
            "nesterov": False,
            "rms_rate": None,
            "weight_decay": None,
            "adam_weight_decay": 0.1,
            "adam_lr_ratio": 0.5,
        },
    },
    "schedule_free_adamw": {"class": "ScheduleFreeAdamW", "kwargs": {"learning_rate": 0.01}},
    "schedule_free_adamw_beta_1": {
        "class": "ScheduleFreeAdamW",
        "kwargs": {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-6},
    },
    "schedule_free_adamw_warmup": {
        "class": "ScheduleFreeAdamW",
        "kwargs": {"learning_rate": 0.05, "warmup_steps": 3, "weight_decay": 0.1},
    },
    "loss_scale": {
        "class": "LossScaleOptimizer",
        "kwargs": {"initial_scale": 8.0, "dynamic_growth_steps": 2},
        "inner": ["SGD", {"learning_rate": 0.1, "momentum": 0.9}],
        "grads": "nonfinite",
    },
}


def inputs():
    """Fixed initial values and per-step gradients (float32)."""
    rng = np.random.default_rng(1234)
    initial = [rng.normal(size=shape).astype("float32") for shape in SHAPES]
    grads = [[rng.normal(size=shape).astype("float32") for shape in SHAPES] for _ in range(STEPS)]
    return initial, grads


def case_grads(case, grads):
    """The gradients a case receives: scaled by 1e-4 ("small"), by the loss scale
    ("scaled", "nonfinite") and with an infinity at step 2 ("nonfinite")."""
    kind = case.get("grads")
    if kind == "small":
        return [[g * 1e-4 for g in step] for step in grads]
    if kind == "scaled":
        factor = case["kwargs"]["loss_scale_factor"]
        return [[g * factor for g in step] for step in grads]
    if kind == "nonfinite":
        out = [[g * 8.0 for g in step] for step in grads]
        out[2][1] = out[2][1].copy()
        out[2][1][0] = np.inf
        return out
    return grads


def make_optimizer(case):
    kwargs = dict(case["kwargs"])
    if "schedule" in case:
        name, config = case["schedule"]
        kwargs["learning_rate"] = getattr(keras.optimizers.schedules, name)(**config)
    if "inner" in case:
        name, config = case["inner"]
        return keras.optimizers.LossScaleOptimizer(
            getattr(keras.optimizers, name)(**config), **kwargs
        )
    return getattr(keras.optimizers, case["class"])(**kwargs)


def run(case, initial, grads):
    variables = [keras.Variable(v.copy(), name=f"w{i}") for i, v in enumerate(initial)]
    optimizer = make_optimizer(case)
    history = []
    for step in case_grads(case, grads):
        optimizer.apply([keras.ops.convert_to_tensor(g) for g in step], variables)
        history.append(np.concatenate([np.asarray(v.numpy()).ravel() for v in variables]))
    if case.get("finalize"):
        optimizer.finalize_variable_values(variables)
        history.append(np.concatenate([np.asarray(v.numpy()).ravel() for v in variables]))
    return np.stack(history)


DEFAULT_CLASSES = (
    "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl", "Lion",
    "Lamb", "Adafactor", "Muon", "ScheduleFreeAdamW",
)  # fmt: skip


SCHEDULES = {
    "exponential": [
        "ExponentialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.5},
    ],
    "exponential_staircase": [
        "ExponentialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 3, "decay_rate": 0.5, "staircase": True},
    ],
    "piecewise": ["PiecewiseConstantDecay", {"boundaries": [2, 5], "values": [1.0, 0.5, 0.1]}],
    "polynomial": [
        "PolynomialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 6, "end_learning_rate": 0.01, "power": 2.0},
    ],
    "polynomial_cycle": [
        "PolynomialDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 4, "cycle": True},
    ],
    "inverse_time": [
        "InverseTimeDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5},
    ],
    "inverse_time_staircase": [
        "InverseTimeDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 2, "decay_rate": 0.5, "staircase": True},
    ],
    "cosine": ["CosineDecay", {"initial_learning_rate": 0.1, "decay_steps": 8, "alpha": 0.1}],
    "cosine_warmup": [
        "CosineDecay",
        {"initial_learning_rate": 0.0, "decay_steps": 6, "warmup_target": 0.2, "warmup_steps": 3},
    ],
    "cosine_restarts": [
        "CosineDecayRestarts",
        {
            "initial_learning_rate": 0.1,
            "first_decay_steps": 3,
            "t_mul": 2.0,
            "m_mul": 0.5,
            "alpha": 0.05,
        },
    ],
}
SCHEDULE_STEPS = 15


def schedule_values():
    """Each schedule's value at steps 0 .. SCHEDULE_STEPS - 1."""
    values = {}
    for key, (name, config) in SCHEDULES.items():
        schedule = getattr(keras.optimizers.schedules, name)(**config)
        values[key] = np.array([float(schedule(step)) for step in range(SCHEDULE_STEPS)])
    return values


def default_configs():
    """Each optimizer's `get_config()` with its defaults (the name left out)."""
    configs = {}
    for name in DEFAULT_CLASSES:
        config = getattr(keras.optimizers, name)().get_config()
        config.pop("name")
        configs[name] = config
    wrapped = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD()).get_config()
    wrapped.pop("name")
    wrapped.pop("inner_optimizer")
    configs["LossScaleOptimizer"] = wrapped
    return configs


def main():
    initial, grads = inputs()
    arrays = {f"initial/{i}": v for i, v in enumerate(initial)}
    for step, values in enumerate(grads):
        arrays.update({f"grads/{step}/{i}": g for i, g in enumerate(values)})
    for name, case in CASES.items():
        arrays[f"{name}/values"] = run(case, initial, grads)
    arrays["cases"] = np.array(json.dumps(CASES))
    arrays["default_configs"] = np.array(json.dumps(default_configs()))
    arrays["schedules"] = np.array(json.dumps(SCHEDULES))
    arrays.update({f"schedule/{k}": v for k, v in schedule_values().items()})
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {len(CASES)} cases to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
