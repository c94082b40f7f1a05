"""Keras-compatible layers: same names, arguments, defaults and weight shapes as Keras 3."""

from .base import Layer, Variable, clear_session
from .core import *  # noqa: F401,F403
