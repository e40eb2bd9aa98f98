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
    assert hp.values == {"layers": 1, "units_0": 32, "activation": "relu", "dropout": False,
                         "lr": 0.0001}
    assert "Default search space size: 5" in out.getvalue()
