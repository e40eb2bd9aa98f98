import doctest

import pytest

from strata.tuning import _pruning, oracle, tuner, tuners

MODULES = [_pruning, oracle, tuner, tuners]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_docstring_examples_run(module):
    outcome = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert outcome.attempted > 0, f"{module.__name__} has no docstring example"
    assert outcome.failed == 0
