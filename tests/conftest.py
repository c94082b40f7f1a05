import numpy as np
import pytest

import tensorkit as tk


@pytest.fixture(autouse=True)
def _fresh_state():
    """Each test starts seeded, on NumPy, with recording and gradients on."""
    tk.random.seed(0)
    yield
    from tensorkit.graph import STATE
    assert STATE.recording and STATE.grad_enabled and not STATE.layers and not STATE.traces


@pytest.fixture
def rng():
    return np.random.default_rng(0)
