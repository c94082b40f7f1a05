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


@pytest.fixture(scope="session")
def jupyter_lab(tmp_path_factory):
    """(url, token, home) of one JupyterLab server for every real-browser widget test; each
    test writes its own notebook into `home` (tests/lab_harness.py)."""
    import lab_harness
    why = lab_harness.missing()
    if why:
        pytest.skip(why)
    home = tmp_path_factory.mktemp("lab")
    with lab_harness.serve(home) as (url, token):
        yield url, token, home
