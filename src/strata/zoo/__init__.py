"""A model zoo of your own: trained models saved by name, with metrics and tags, to reuse.

The zoo is a folder (`$STRATA_ZOO`, default `~/.strata/zoo`, or `directory=` on each call) of
model files in strata's safe format and one record per entry. Saves commit atomically, so
concurrent writers and killed saves never leave a half entry; see `strata.zoo.store`.
`strata.applications` models load a zoo entry's weights with `weights="zoo:<name>"`.
"""

from strata.zoo.api import clean, delete, info, list, load, load_weights, save, verify
from strata.zoo.records import EntryNotFoundError, ZooEntry, ZooListing
from strata.zoo.store import zoo_directory

__all__ = [
    "EntryNotFoundError",
    "ZooEntry",
    "ZooListing",
    "clean",
    "delete",
    "info",
    "list",
    "load",
    "load_weights",
    "save",
    "verify",
    "zoo_directory",
]
