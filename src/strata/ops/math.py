"""Keras 3 ops: math."""

__all__ = []
