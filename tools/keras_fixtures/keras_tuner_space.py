"""Record KerasTuner's view of one search space, for tests/tuning/test_keras_tuner_parity.py.

Run with KerasTuner installed in the scratch Keras environment (never imported by the tests):

    KERAS_BACKEND=torch /work/kerasenv/bin/python tools/keras_fixtures/keras_tuner_space.py

Writes tests/tuning/fixtures/keras_tuner_space.json holding, for the build function below
(the test keeps an identical copy): the config (space and values) and the
`search_space_summary()` text of a recording build, the values of a build whose values were
set beforehand (KerasTuner's way to rebuild a model), and the finite value lists of the stepped
hyperparameters and the value list KerasTuner's grid search tries for each hyperparameter.
"""

import contextlib
import io
import json
import os

import keras_tuner as kt

OUT = os.path.join(
    os.path.dirname(__file__),
    "..",
    "..",
    "tests",
    "tuning",
    "fixtures",
    "keras_tuner_space.json",
)
GIVEN = {
    "model": "mlp",
    "residual": True,
    "alpha": 0.5,
    "units": 96,
    "heads": 60,
    "activation": "gelu",
    "bias": True,
    "tail": 4,
}


def build(hp):
    hp.Int("layers", 1, 3)
    hp.Int("units", 32, 256, step=32, default=64)
    hp.Int("batch", 2, 32, step=2, sampling="log")
    hp.Int("heads", 1, 64, sampling="reverse_log")
    hp.Int("rev_step", 1, 100, step=10, sampling="reverse_log")
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    hp.Float("dropout", 0.0, 0.5, step=0.125)
    hp.Float("decay", 0.001, 10.0, step=10.0, sampling="log")
    hp.Choice("activation", ["relu", "tanh", "gelu"])
    hp.Choice("width", [16, 8, 4], default=8)
    hp.Choice("scale", [0.5, 1.5])
    hp.Boolean("bias")
    hp.Boolean("norm", default=True)
    hp.Fixed("optimizer", "adam")
    hp.Fixed("epochs", 3)
    hp.Choice("model", ["linear", "mlp"])
    with hp.conditional_scope("model", "mlp"):
        hp.Int("hidden", 8, 64, step=8)
        hp.Boolean("residual")
        with hp.conditional_scope("residual", [True]):
            hp.Float("alpha", 0.1, 0.9, step=0.2)
    hp.Int("tail", 1, 4, parent_name="model", parent_values=["linear"])


def summary(hp):
    # The loop of KerasTuner's BaseTuner.search_space_summary, on a space without a tuner.
    with contextlib.redirect_stdout(io.StringIO()) as out:
        print("Search space summary")
        print(f"Default search space size: {len(hp.space)}")
        for p in hp.space:
            config = p.get_config()
            name = config.pop("name")
            print(f"{name} ({p.__class__.__name__})")
            print(config)
    return out.getvalue()


def main():
    recorded = kt.HyperParameters()
    build(recorded)
    given = kt.HyperParameters()
    given.values = dict(GIVEN)
    build(given)
    stepped = {
        p.name: list(p.values)
        for p in recorded.space
        if isinstance(p, (kt.engine.hyperparameters.Int, kt.engine.hyperparameters.Float))
        and p.step is not None
    }
    # The per-hyperparameter value lists of KerasTuner's GridSearchOracle: default first.
    grid_values = {
        p.name: [p.default] + [v for v in p.values if v != p.default] for p in recorded.space
    }
    record = {
        "keras_tuner_version": kt.__version__,
        "given": GIVEN,
        "recorded_config": recorded.get_config(),
        "summary": summary(recorded),
        "given_values": given.values,
        "stepped_values": stepped,
        "grid_values": grid_values,
    }
    with open(OUT, "w") as f:
        json.dump(record, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
