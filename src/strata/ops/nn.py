"""Keras 3 ops: nn."""

__all__ = []
