"""Keras-compatible layers: same names, arguments, defaults and weight shapes as Keras 3."""

from .attention import *  # noqa: F401,F403
from .base import Layer, Variable, clear_session
from .convolutional import *  # noqa: F401,F403
from .core import *  # noqa: F401,F403
from .embedding import *  # noqa: F401,F403
from .merging import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .reshaping import *  # noqa: F401,F403
from .wrappers import *  # noqa: F401,F403
from ..models import Input, InputLayer  # noqa: E402  (Keras has layers.Input too)
