import doctest

import pytest

from strata.layers.recurrent import (
    bidirectional,
    gru,
    gru_cell,
    lstm,
    lstm_cell,
    rnn,
    simple_rnn,
    simple_rnn_cell,
    stacked_rnn_cells,
    time_distributed,
)

MODULES = [
    bidirectional,
    gru,
    gru_cell,
    lstm,
    lstm_cell,
    rnn,
    simple_rnn,
    simple_rnn_cell,
    stacked_rnn_cells,
    time_distributed,
]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
