"""tensorkit: tensors, ops, autograd and layers for learning deep learning by shapes.

``import tensorkit as tk``; make tensors with ``tk.tensor``, chain ``tk.*`` ops, and see
the shapes of everything, also before any data exists (``tk.symbolic``).
"""

from . import _malloc  # noqa: F401  (fewer page faults on big temporaries: see _malloc)
from . import activations, initializers, layers, models, random
from . import callbacks, constraints, losses, metrics, optimizers, regularizers
from . import data, export, saving, utils
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

# names learners bring from TensorFlow, TF.js and PyTorch, and what tensorkit calls them
_RENAMED = {"concat": "concatenate", "cat": "concatenate", "reduce_sum": "sum",
            "reduce_mean": "mean", "reduce_max": "max", "reduce_min": "min",
            "reduce_logsumexp": "logsumexp", "matMul": "matmul", "mm": "matmul",
            "bmm": "matmul", "permute": "transpose", "view": "reshape",
            "unsqueeze": "expand_dims", "expandDims": "expand_dims", "clamp": "clip",
            "clip_by_value": "clip", "clipByValue": "clip", "oneHot": "one_hot",
            "argMax": "argmax", "argMin": "argmin", "logSoftmax": "log_softmax",
            "convert_to_tensor": "tensor", "from_numpy": "tensor", "tensor1d": "tensor",
            "tensor2d": "tensor", "tensor3d": "tensor", "tensor4d": "tensor",
            "scalar": "tensor", "variable": "tensor", "randn": "random.normal",
            "randomNormal": "random.normal", "rand": "random.uniform",
            "randomUniform": "random.uniform", "maxPool": "max_pool2d",
            "avgPool": "avg_pool2d", "max_pool": "max_pool2d", "avg_pool": "avg_pool2d",
            "conv2D": "conv2d", "conv1D": "conv1d", "conv2dTranspose": "conv2d_transpose",
            "subtract": "sub", "multiply": "mul", "divide": "div", "true_divide": "div",
            "negative": "neg", "power": "pow", "absolute": "abs",
            "asin": "arcsin", "acos": "arccos", "atan": "arctan", "asinh": "arcsinh",
            "acosh": "arccosh", "atanh": "arctanh", "atan2": "arctan2",
            "floorDiv": "floor_divide", "floordiv": "floor_divide", "floormod": "mod",
            "remainder": "mod", "fix": "trunc", "squaredDifference": "squared_difference",
            "isNaN": "isnan", "is_nan": "isnan", "isFinite": "isfinite",
            "is_finite": "isfinite", "isInf": "isinf", "is_inf": "isinf",
            "logicalNot": "logical_not", "logicalXor": "logical_xor",
            "logicalAnd": "logical_and", "logicalOr": "logical_or", "detach": "stop_gradient",
            "reverse": "flip", "repeat_interleave": "repeat", "unbind": "unstack",
            "movedim": "moveaxis", "swapdims": "swapaxes", "rollaxis": "moveaxis",
            "outerProduct": "outer", "ger": "outer", "topk": "top_k", "reduce_prod": "prod",
            "vector_norm": "norm", "matrix_norm": "norm", "cumulative_sum": "cumsum",
            "cumulative_prod": "cumprod", "conv3D": "conv3d", "conv3dTranspose": "conv3d_transpose",
            "conv_transpose3d": "conv3d_transpose", "conv_transpose2d": "conv2d_transpose",
            "conv_transpose1d": "conv1d_transpose", "maxPool3d": "max_pool3d",
            "avgPool3d": "avg_pool3d", "depthwiseConv2d": "depthwise_conv2d"}


def __getattr__(name):
    from .errors import missing_attribute
    raise missing_attribute("tk", name, globals(), _RENAMED)
