import doctest

import pytest

from strata.datasets import digits, imdb, mnist


@pytest.mark.parametrize("module", [digits, imdb, mnist])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
