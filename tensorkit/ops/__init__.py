"""The op tables, by family, and the Tensor methods that call them."""

from ..tensor import OPS, Tensor
from . import conv, elementwise, indexing, linalg, losses, nn, normalization, recurrent
from . import image, reductions, shape, sorting
from .conv import *  # noqa: F401,F403
from .elementwise import *  # noqa: F401,F403
from .image import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .reductions import *  # noqa: F401,F403
from .shape import *  # noqa: F401,F403
from .sorting import *  # noqa: F401,F403


def _shape_args(args):
    """x.reshape(2, 3) and x.reshape((2, 3)) both mean the shape (2, 3)."""
    return tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else args


def _attach_methods():
    T = Tensor
    T.__getitem__ = indexing.getitem
    T.T = property(lambda x: shape.transpose(x))
    T.reshape = lambda x, *s: shape.reshape(x, _shape_args(s))
    T.transpose = lambda x, *axes: shape.transpose(x, _shape_args(axes) or None)
    T.astype = shape.cast
    T.to = shape.to_device
    for name, fn in [("flatten", shape.flatten), ("squeeze", shape.squeeze),
                     ("expand_dims", shape.expand_dims), ("with_dims", shape.with_dims),
                     ("sum", reductions.sum), ("mean", reductions.mean),
                     ("max", reductions.max), ("min", reductions.min),
                     ("var", reductions.var), ("std", reductions.std),
                     ("argmax", reductions.argmax), ("argmin", reductions.argmin),
                     ("any", reductions.any), ("all", reductions.all),
                     ("matmul", linalg.matmul), ("clip", elementwise.clip),
                     ("softmax", nn.softmax), ("swapaxes", shape.swapaxes),
                     ("repeat", shape.repeat), ("prod", reductions.prod),
                     ("cumsum", reductions.cumsum), ("cumprod", reductions.cumprod),
                     ("argsort", sorting.argsort)]:
        setattr(T, name, fn)
    for name in ["exp", "log", "sqrt", "square", "abs", "tanh", "sigmoid", "relu"]:
        setattr(T, name, lambda x, op=OPS[name]: op(x))


_attach_methods()
FAMILIES = (conv, elementwise, image, indexing, linalg, losses, nn, normalization, recurrent,
            reductions, shape, sorting)
__all__ = [name for family in FAMILIES for name in family.__all__]
