"""Keras-compatible layers: same names, arguments, defaults and weight shapes as Keras 3."""

from .attention import *  # noqa: F401,F403
from .base import Layer, Variable, clear_session
from .convolutional import *  # noqa: F401,F403
from .core import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .merging import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .preprocessing import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .convolutional_recurrent import *  # noqa: F401,F403
from .reshaping import *  # noqa: F401,F403
from .wrappers import *  # noqa: F401,F403
from .image_preprocessing import *  # noqa: F401,F403
from .image_augmentation import *  # noqa: F401,F403
from .text_preprocessing import *  # noqa: F401,F403
from ..models import Input, InputLayer  # noqa: E402  (Keras has layers.Input too)

# PyTorch's names for the layers learners meet first
_RENAMED = {"Linear": "Dense", "Conv2d": "Conv2D", "Conv1d": "Conv1D",
            "ConvTranspose2d": "Conv2DTranspose", "MaxPool2d": "MaxPooling2D",
            "MaxPool1d": "MaxPooling1D", "AvgPool2d": "AveragePooling2D",
            "AvgPool1d": "AveragePooling1D", "BatchNorm1d": "BatchNormalization",
            "BatchNorm2d": "BatchNormalization", "LayerNorm": "LayerNormalization",
            "MultiheadAttention": "MultiHeadAttention", "Upsample": "UpSampling2D",
            "ColorJitter": "RandomColorJitter", "GaussianBlur": "RandomGaussianBlur",
            "RandomAutocontrast": "AutoContrast", "RandomPosterize": "RandomPosterization",
            "RandomSolarize": "Solarization", "RandomAdjustSharpness": "RandomSharpness",
            "Conv3d": "Conv3D", "ConvTranspose3d": "Conv3DTranspose",
            "ConvTranspose1d": "Conv1DTranspose", "MaxPool3d": "MaxPooling3D",
            "AvgPool3d": "AveragePooling3D", "Dropout3d": "SpatialDropout3D",
            "Dropout2d": "SpatialDropout2D", "Dropout1d": "SpatialDropout1D",
            "GroupedQueryAttention": "GroupQueryAttention"}


def __getattr__(name):
    from ..errors import missing_attribute
    raise missing_attribute("tk.layers", name, globals(), _RENAMED)
