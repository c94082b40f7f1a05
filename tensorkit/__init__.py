"""tensorkit: tensors, ops, autograd and layers for learning deep learning by shapes.

``import tensorkit as tk``; make tensors with ``tk.tensor``, chain ``tk.*`` ops, and see
the shapes of everything, also before any data exists (``tk.symbolic``).
"""

from . import _malloc  # noqa: F401  (fewer page faults on big temporaries: see _malloc)
from . import activations, initializers, layers, models, random
from . import callbacks, losses, metrics, optimizers, regularizers
from . import data, export, saving
from . import pretrained
from .backend import get_backend, gpu_available, set_backend
from .creation import *  # noqa: F401,F403
from .errors import BackendError, DeviceError, DTypeError, GradientError, ShapeError
from .errors import SymbolicTensorError
from .graph import Trace, recording, trace
from .layers.base import clear_session
from .models import Input, Model, Sequential
from .ops import *  # noqa: F401,F403
from .tensor import Tensor, backprop, enable_grad, grad, gradients, is_tensor, no_grad
from .tensor import symbolic, tensor

__version__ = "0.1.0"
