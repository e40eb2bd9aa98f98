"""Layer specs for the common checks, one module per area (core.py, convolutional.py, ...).

Each module defines `SPECS = [LayerSpec(...), ...]`. Every class exported by `strata.layers`
(except the bases and wrappers listed in test_layer_checks.EXEMPT) needs at least one spec.
"""
