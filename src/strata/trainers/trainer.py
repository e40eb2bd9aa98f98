"""Trainer: compile / fit / evaluate / predict for models (filled in by the training engine)."""

from __future__ import annotations


class Trainer:
    def __init__(self):
        self.compiled = False
        self.optimizer = None
        self.stop_training = False
