"""Print strata's coverage of Keras 3.15's public API, and optionally update the baseline.

python tools/api_coverage.py            # figures per module, and the missing names
python tools/api_coverage.py --update   # rewrite tests/compat/covered_names.txt
"""

import sys
from pathlib import Path

from strata.utils.api_coverage import by_module, coverage

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "tests" / "compat" / "keras_3_15_api.json"
BASELINE = ROOT / "tests" / "compat" / "covered_names.txt"

covered, missing = coverage(API)
total = len(covered) + len(missing)
have, lack = by_module(covered), by_module(missing)
for module in sorted(set(have) | set(lack)):
    print(f"{module:32s} {have[module]:4d} / {have[module] + lack[module]:4d}")
print(f"\ncovered {len(covered)} of {total} names ({100 * len(covered) / total:.1f}%)")
if "--missing" in sys.argv:
    print("\n".join(missing))
if "--update" in sys.argv:
    BASELINE.write_text("\n".join(covered) + "\n")
    print(f"wrote {BASELINE}")
