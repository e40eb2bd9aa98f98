"""Name-by-name coverage of Keras 3.15's public API (tests/compat/keras_3_15_api.json).

The baseline `covered_names.txt` lists every Keras name strata had when it was last updated
(`python tools/api_coverage.py --update`); a name that disappears fails here. The README's
figure must be the measured one.
"""

import json
import re
from pathlib import Path

from strata.utils.api_coverage import coverage, resolve

HERE = Path(__file__).parent
API = HERE / "keras_3_15_api.json"
BASELINE = HERE / "covered_names.txt"
README = HERE.parents[1] / "README.md"


def _baseline():
    return [line for line in BASELINE.read_text().splitlines() if line]


def test_no_covered_name_disappears():
    gone = [name for name in _baseline() if resolve(name) is None]
    assert not gone, f"Keras names strata covered and no longer has: {gone}"


def test_baseline_holds_only_keras_names():
    names = set(json.loads(API.read_text())["names"])
    assert set(_baseline()) <= names


def test_readme_states_the_measured_coverage():
    covered, missing = coverage(API)
    total = len(covered) + len(missing)
    stated = re.search(r"covers \*\*(\d+) of (\d+)\*\* public names", README.read_text())
    assert stated, "README must state the coverage as 'covers **N of M** public names'"
    assert (int(stated.group(1)), int(stated.group(2))) == (len(covered), total), (
        f"README states {stated.group(1)} of {stated.group(2)}; measured {len(covered)} of "
        f"{total}. Run tools/api_coverage.py --update and update the README."
    )


def test_resolve_finds_names_and_misses_absent_ones():
    import strata

    assert resolve("keras.layers.Dense") is strata.layers.Dense
    assert resolve("keras.layers.NoSuchLayer") is None
    assert resolve("keras.nosuchmodule.thing") is None
