"""Ready-made image classification architectures with Keras's names and parameter counts.

Every function returns a functional `Model`; `weights` is None (random initialization) or
the path to a local strata weights file: nothing is downloaded (`"imagenet"` raises a
`ValueError`). Each family's submodule (`strata.applications.resnet`, ...) has its
`preprocess_input` and `decode_predictions`.
"""

from strata.applications import (
    imagenet_utils,
    inception_v3,
    mobilenet,
    mobilenet_v2,
    resnet,
    resnet_v2,
    vgg16,
    xception,
)
from strata.applications.inception_v3 import InceptionV3
from strata.applications.mobilenet import MobileNet
from strata.applications.mobilenet_v2 import MobileNetV2
from strata.applications.resnet import ResNet50, ResNet101, ResNet152
from strata.applications.resnet_v2 import ResNet50V2
from strata.applications.vgg16 import VGG16
from strata.applications.xception import Xception

__all__ = [
    "InceptionV3",
    "MobileNet",
    "MobileNetV2",
    "ResNet50",
    "ResNet50V2",
    "ResNet101",
    "ResNet152",
    "VGG16",
    "Xception",
    "imagenet_utils",
    "inception_v3",
    "mobilenet",
    "mobilenet_v2",
    "resnet",
    "resnet_v2",
    "vgg16",
    "xception",
]
