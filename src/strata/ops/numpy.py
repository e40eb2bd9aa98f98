"""Keras 3 ops: numpy."""

__all__ = []
