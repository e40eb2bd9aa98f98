"""Fixtures of the tuning tests; `postgres_url` itself lives in tests/conftest.py."""

import uuid

import optuna
import pytest

from strata.tuning._storage import sqlalchemy_url


@pytest.fixture(autouse=True)
def _work_in_a_temporary_folder(tmp_path, monkeypatch):
    """A tuner without `directory` writes `./untitled_project` (KerasTuner's default): keep
    every test's project folder out of the repository."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def postgres_study(postgres_url):
    """A fresh study name on the test server; the study is deleted after the test."""
    name = f"test-{uuid.uuid4().hex}"
    yield name
    try:
        optuna.delete_study(study_name=name, storage=sqlalchemy_url(postgres_url))
    except KeyError:
        pass  # the test never created it
