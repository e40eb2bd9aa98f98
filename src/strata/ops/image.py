"""Keras 3 ops: image."""

__all__ = []
