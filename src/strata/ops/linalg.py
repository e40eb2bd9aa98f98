"""Keras 3 ops: linalg."""

__all__ = []
