"""Seed 000's hyperparameter search example runs on real MNIST in a tiny mode, alone and as
two worker processes sharing one PostgreSQL study."""

import importlib.util
import math
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tuning_mnist.py"
TINY = ["--trials", "3", "--epochs", "2", "--train-size", "600", "--top", "3"]


def _example():
    spec = importlib.util.spec_from_file_location("tuning_mnist", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_three_strategies_report_their_figures(shared_datasets, capsys):
    rows = _example().main(["--data", str(shared_datasets / "mnist"), *TINY])
    assert list(rows) == ["random", "tpe", "tpe+pruning"]
    for row in rows.values():
        assert 0.0 <= row["validation"] <= 1.0 and 0.0 <= row["test"] <= 1.0
        assert row["optimism"] == pytest.approx(row["validation"] - row["test"])
        assert math.isnan(row["rank_correlation"]) or -1 <= row["rank_correlation"] <= 1
        assert 1 <= row["epochs"] <= 3 * 2 and row["seconds"] > 0
        assert {"activation", "depth", "dropout", "learning_rate"} <= set(row["best"])
    printed = capsys.readouterr().out
    assert "best val acc" in printed and "tpe+pruning winner" in printed


@pytest.mark.slow
def test_two_workers_then_one_final_evaluation_on_postgres(shared_datasets, postgres_url, tmp_path):
    study_tag = uuid.uuid4().hex[:8]
    argv = [
        sys.executable,
        str(EXAMPLE),
        "--data",
        str(shared_datasets / "mnist"),
        *TINY,
        "--trials",
        "4",
        "--strategies",
        "tpe",
        "--storage",
        postgres_url,
        "--directory",
        str(tmp_path / study_tag),
    ]
    _delete_study("tpe", postgres_url)  # left by an earlier run that failed half-way
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    workers = [
        subprocess.Popen([*argv, "--search-only"], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=300)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0]
    ran = [out.count("Trial ") for out in outputs]
    assert sum(ran) == 4, outputs  # four trials between the two workers, none twice
    final = subprocess.run([*argv], env=env, capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr
    assert "Trial " not in final.stdout  # the study was complete: nothing ran again
    assert "best val acc" in final.stdout
    _delete_study("tpe", postgres_url)


def _delete_study(name, url):
    import optuna

    from strata.tuning._storage import sqlalchemy_url

    try:
        optuna.delete_study(study_name=name, storage=sqlalchemy_url(url))
    except KeyError:
        pass
