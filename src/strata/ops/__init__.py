"""Stateless tensor functions that layers and losses share (see the submodules)."""
