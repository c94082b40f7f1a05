"""tensorkit's ops against PyTorch: forward values and input gradients, recorded by
scripts/reference/torch_*.py into tests/data/reference/torch_*.npz (the case format is in
scripts/reference/_torch.py; `make references` re-records them).

Each case calls ``tk.<fn>`` on its arrays, backpropagates the recorded cotangent, and
compares output and gradients with torch's, nan and inf included (a kink's convention, such
as the gradient of sqrt at 0, is part of what is compared).
"""

import glob
import os

import numpy as np
import pytest
from reference import load_cases

import tensorkit as tk

AREAS = sorted(os.path.basename(p)[:-4] for p in glob.glob(
    os.path.join(os.path.dirname(__file__), "data", "reference", "torch_*.npz")))
CASES = {f"{area}/{name}": case for area in AREAS for name, case in load_cases(area).items()}
# float32, with sums whose order differs from torch's (matmul, conv, reductions)
RTOL, ATOL = 1e-5, 1e-5


def _decode(value, inputs):
    """A spec argument as a Python value: arrays by key, slices, ... and index tuples."""
    if isinstance(value, list):
        return [_decode(v, inputs) for v in value]
    if value == "...":
        return Ellipsis
    if not isinstance(value, dict):
        return value
    if "a" in value:
        return inputs[value["a"]]
    if "slice" in value:
        return slice(*value["slice"])
    (items,) = value.values()                       # {"tuple": [...]}
    return tuple(_decode(v, inputs) for v in items)


def _close(got, want, what, rtol=RTOL, atol=ATOL):
    got = np.asarray(got)
    assert got.shape == want.shape, f"{what}: shape {got.shape}, torch {want.shape}"
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=rtol,
                               atol=atol, equal_nan=True, err_msg=what)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")     # ddof >= N: NumPy warns
@pytest.mark.parametrize("name", sorted(CASES))
def test_op_matches_torch(name):
    spec, arrays = CASES[name]
    inputs = {key: tk.tensor(value, requires_grad=key in spec["wrt"])
              for key, value in arrays.items()
              if not (key.startswith(("out", "grad_")) or key[:1] == "g" and
                      key[1:].isdigit() or key == "g")}
    args = _decode(spec["args"], inputs)
    kwargs = {k: _decode(v, inputs) for k, v in spec["kwargs"].items()}
    with np.errstate(all="ignore"):                 # the cases at 0 divide by it on purpose
        out = getattr(tk, spec["fn"])(*args, **kwargs)
        outs = list(out) if spec["many"] else [out]
        suffixes = [str(i) for i in range(len(outs))] if spec["many"] else [""]
        for o, s in zip(outs, suffixes):
            _close(o.data, arrays["out" + s], f"output{s}")
        if not spec["wrt"]:
            return
        if spec["many"]:
            total = None
            for o, s in zip(outs, suffixes):
                part = tk.sum(o * arrays["g" + s])
                total = part if total is None else total + part
            total.backward()
        else:
            out.backward(arrays["g"])
    for key in spec["wrt"]:
        grad = inputs[key].grad
        got = np.zeros_like(arrays[key]) if grad is None else grad.data
        _close(got, arrays["grad_" + key], f"gradient for {key}")
