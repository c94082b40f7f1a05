"""Hypothesis strategies for shapes: scalars, vectors, matrices, higher rank, broadcast pairs."""

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=5)


@st.composite
def broadcast_pair(draw):
    """Two shapes NumPy can broadcast, e.g. (3, 1, 4) and (2, 4), scalars included."""
    base = draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4))
    a, b = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, base_shape=base,
                                                  min_side=1, max_side=4)).input_shapes
    return a, b


def values(shape, low=-2.0, high=2.0, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).uniform(low, high, size=shape).astype(dtype)
