import doctest

import pytest

from strata.preprocessing import sequence
from strata.utils import file_io, numerical


@pytest.mark.parametrize("module", [numerical, file_io, sequence])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
