"""`strata.applications.resnet50`: Keras's alias module of `resnet`'s ResNet50."""

from strata.applications.resnet import ResNet50, decode_predictions, preprocess_input

__all__ = ["ResNet50", "decode_predictions", "preprocess_input"]
