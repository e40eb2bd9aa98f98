"""Ready-made image classification architectures with Keras's names and parameter counts.

Every function returns a functional `Model`; `weights` is None (random initialization), the
path to a local weights or model file, or `"zoo:<name>"` for an entry of your `strata.zoo`:
nothing is downloaded (`"imagenet"` raises a `ValueError`). Each family's submodule
(`strata.applications.resnet`, ...) has its `preprocess_input` and `decode_predictions`.
"""

from strata.applications import (
    convnext,
    densenet,
    efficientnet,
    efficientnet_v2,
    imagenet_utils,
    inception_resnet_v2,
    inception_v3,
    mobilenet,
    mobilenet_v2,
    mobilenet_v3,
    nasnet,
    resnet,
    resnet50,
    resnet_v2,
    vgg16,
    vgg19,
    xception,
)
from strata.applications.convnext import (
    ConvNeXtBase,
    ConvNeXtLarge,
    ConvNeXtSmall,
    ConvNeXtTiny,
    ConvNeXtXLarge,
)
from strata.applications.densenet import DenseNet121, DenseNet169, DenseNet201
from strata.applications.efficientnet import (
    EfficientNetB0,
    EfficientNetB1,
    EfficientNetB2,
    EfficientNetB3,
    EfficientNetB4,
    EfficientNetB5,
    EfficientNetB6,
    EfficientNetB7,
)
from strata.applications.efficientnet_v2 import (
    EfficientNetV2B0,
    EfficientNetV2B1,
    EfficientNetV2B2,
    EfficientNetV2B3,
    EfficientNetV2L,
    EfficientNetV2M,
    EfficientNetV2S,
)
from strata.applications.inception_resnet_v2 import InceptionResNetV2
from strata.applications.inception_v3 import InceptionV3
from strata.applications.mobilenet import MobileNet
from strata.applications.mobilenet_v2 import MobileNetV2
from strata.applications.mobilenet_v3 import MobileNetV3Large, MobileNetV3Small
from strata.applications.nasnet import NASNetLarge, NASNetMobile
from strata.applications.resnet import ResNet50, ResNet101, ResNet152
from strata.applications.resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2
from strata.applications.vgg16 import VGG16
from strata.applications.vgg19 import VGG19
from strata.applications.xception import Xception

__all__ = [
    "ConvNeXtBase",
    "ConvNeXtLarge",
    "ConvNeXtSmall",
    "ConvNeXtTiny",
    "ConvNeXtXLarge",
    "DenseNet121",
    "DenseNet169",
    "DenseNet201",
    "EfficientNetB0",
    "EfficientNetB1",
    "EfficientNetB2",
    "EfficientNetB3",
    "EfficientNetB4",
    "EfficientNetB5",
    "EfficientNetB6",
    "EfficientNetB7",
    "EfficientNetV2B0",
    "EfficientNetV2B1",
    "EfficientNetV2B2",
    "EfficientNetV2B3",
    "EfficientNetV2L",
    "EfficientNetV2M",
    "EfficientNetV2S",
    "InceptionResNetV2",
    "InceptionV3",
    "MobileNet",
    "MobileNetV2",
    "MobileNetV3Large",
    "MobileNetV3Small",
    "NASNetLarge",
    "NASNetMobile",
    "ResNet101",
    "ResNet101V2",
    "ResNet152",
    "ResNet152V2",
    "ResNet50",
    "ResNet50V2",
    "VGG16",
    "VGG19",
    "Xception",
    "convnext",
    "densenet",
    "efficientnet",
    "efficientnet_v2",
    "imagenet_utils",
    "inception_resnet_v2",
    "inception_v3",
    "mobilenet",
    "mobilenet_v2",
    "mobilenet_v3",
    "nasnet",
    "resnet",
    "resnet50",
    "resnet_v2",
    "vgg16",
    "vgg19",
    "xception",
]
