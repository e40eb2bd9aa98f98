"""The first example of docs/tuning-hyperparameters.md runs as written."""

import contextlib
import io
import pathlib
import re

import pytest

pytest.importorskip("optuna")

DOC = pathlib.Path(__file__).parents[2] / "docs" / "tuning-hyperparameters.md"


def test_first_docs_example_runs():
    code = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)[0]
    namespace = {}
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(compile(code, str(DOC), "exec"), namespace)
    hp = namespace["hp"]
    assert hp.values == {
        "layers": 1,
        "units_0": 32,
        "activation": "relu",
        "dropout": False,
        "lr": 0.0001,
    }
    assert "Default search space size: 5" in out.getvalue()


def test_optuna_docs_example_runs_on_tiny_data():
    import numpy as np
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    first, second = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)[:2]
    rng = np.random.default_rng(0)
    namespace = {
        "x": rng.random((40, 20), dtype=np.float32),
        "y": rng.random((40, 1), dtype=np.float32),
    }
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(first, str(DOC), "exec"), namespace)
        exec(
            compile(
                second.replace("n_trials=20", "n_trials=2").replace("epochs=5", "epochs=1"),
                str(DOC),
                "exec",
            ),
            namespace,
        )
    study, best_hp = namespace["study"], namespace["best_hp"]
    assert len(study.trials) == 2
    assert {k: best_hp.values[k] for k in study.best_trial.params} == study.best_trial.params
    assert namespace["best_model"].count_params() > 0
