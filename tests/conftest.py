import os
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]


def _shared_dir() -> Path | None:
    candidates = [os.environ.get("STRATA_SHARED_DIR"), ROOT.parent / "shared", "/work/shared"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "datasets").is_dir():
            return Path(candidate)
    return None


SHARED = _shared_dir()
DEFAULT_POSTGRES_URL = "postgresql://strata:strata@127.0.0.1:5432/strata_test"


@pytest.fixture
def shared_datasets() -> Path:
    """The real MNIST and IMDB files of ../shared/datasets; skips with a reason if absent."""
    if SHARED is None:
        pytest.skip("../shared/datasets is not present on this machine (real-data test skipped)")
    return SHARED / "datasets"


@pytest.fixture(autouse=True)
def _fresh_names_and_seed():
    """Each test starts with Keras's automatic names (`dense`, `dense_1`) and a fixed seed."""
    import strata

    strata.backend.clear_session(free_memory=False)  # names only: a gc per test is slow
    strata.backend.set_random_seed(1234)
    threads = torch.get_num_threads()
    yield
    # Examples run in tests may set torch's thread count (--threads 1); with one thread some
    # CPU kernels take other paths, which a layout test after them would see.
    torch.set_num_threads(threads)
    # A test that failed while a global dtype policy was set must not leave it to the next
    # (float16 convolutions on a CPU are two orders of magnitude slower).
    strata.config.set_dtype_policy(None)


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
