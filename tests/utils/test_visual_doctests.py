import doctest

import pytest

from strata.utils import history_plot, model_visualization


@pytest.mark.parametrize("module", [history_plot, model_visualization])
def test_docstring_examples_run(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_callback_docstring_examples_run():
    from strata.callbacks import activation_stats, gradient_monitor

    for module in (activation_stats, gradient_monitor):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted > 0 and result.failed == 0
