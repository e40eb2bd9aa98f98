"""Keras 3 ops: core."""

__all__ = []
