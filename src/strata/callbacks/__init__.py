"""Callbacks: hooks called by `fit`, `evaluate` and `predict`."""
