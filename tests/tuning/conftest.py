import os
import uuid

import optuna
import pytest

from strata.tuning._storage import sqlalchemy_url

DEFAULT_POSTGRES_URL = "postgresql://strata:strata@127.0.0.1:5432/strata_test"


@pytest.fixture(scope="session")
def postgres_url():
    """The test PostgreSQL server's URL (`STRATA_TEST_POSTGRES_URL`); skips or fails if down.

    `.ci/run` starts the server with tools/postgres/start_test_server.sh and sets
    `STRATA_REQUIRE_POSTGRES=1`, so that there an unreachable server fails the tests.
    """
    url = os.environ.get("STRATA_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    try:
        import psycopg2

        psycopg2.connect(url, connect_timeout=5).close()
    except Exception as error:
        message = (
            f"PostgreSQL at {url} cannot be reached ({type(error).__name__}: {error}). "
            "Start it with tools/postgres/start_test_server.sh"
        )
        if os.environ.get("STRATA_REQUIRE_POSTGRES") == "1":
            pytest.fail(message + " (STRATA_REQUIRE_POSTGRES=1)")
        pytest.skip(message)
    return url


@pytest.fixture
def postgres_study(postgres_url):
    """A fresh study name on the test server; the study is deleted after the test."""
    name = f"test-{uuid.uuid4().hex}"
    yield name
    try:
        optuna.delete_study(study_name=name, storage=sqlalchemy_url(postgres_url))
    except KeyError:
        pass  # the test never created it
