"""Record PyTorch's forward values and input gradients for tensorkit's newer shape ops:
tile, repeat, flip, roll, moveaxis, swapaxes, tril, triu and unstack.

Run (needs torch, which the project venv has):

    .venv/bin/python scripts/reference/torch_ops_shape.py

Writes tests/data/reference/torch_ops_shape.npz, replayed by
tests/test_reference_torch_gradients.py; the case format is in _torch.py.

Names differ between the libraries: NumPy's (and tensorkit's) repeat is torch's
repeat_interleave, and torch's x.repeat is NumPy's tile; flip is TF.js's reverse, unstack
torch's unbind, moveaxis torch's movedim. The cases sit where the semantics can differ:
reps shorter or longer than the rank and zero reps, per-element repeats with zeros, axis=None
(flattened) for repeat and roll, negative axes, shifts larger than the axis and several
shifts on one axis, moveaxis of several axes, swapaxes of an axis with itself, tril/triu
diagonals beyond the matrix, -inf above the diagonal (a causal mask), size-1 axes.
"""

import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _torch import A, TorchCases  # noqa: E402

cases = TorchCases("torch_ops_shape", seed=2024)
randn, case, unary = cases.randn, cases.case, cases.unary

x23 = randn(2, 3)
x234 = randn(2, 3, 4)


def as_list(a):
    """Tuples as lists: a case's spec is JSON."""
    return list(a) if isinstance(a, tuple) else a


# ---- tile: reps padded with 1s on the left, whichever is shorter -------------------------
for label, x, reps in [("same-rank", x23, (2, 3)), ("shorter", x234, (2,)),
                       ("longer", x23, (2, 1, 2)), ("ones", x23, (1, 1)),
                       ("zero", x23, (0, 2)), ("vector", randn(3), (3,)),
                       ("scalar", np.array(1.5, np.float32), (2, 2))]:
    unary(f"tile-{label}", "tile", lambda x, reps=reps: torch.tile(x, reps), x,
          {"reps": list(reps)})
case("tile-int", "tile", [A("x"), [2, 2]], lambda x: torch.tile(x, (2, 2)).int(),
     {"x": np.array([[1, -2], [3, 4]], np.int32)})

# ---- repeat (torch's repeat_interleave): one count, or one per element -------------------
for label, x, repeats, axis in [("int-axis1", x23, 2, 1), ("int-axis-neg", x234, 3, -1),
                                ("int-flat", x23, 2, None), ("int-zero", x23, 0, 0),
                                ("seq-axis0", randn(3, 2), [1, 0, 2], 0),
                                ("seq-axis-neg", x234, [2, 1, 0, 3], -1),
                                ("seq-flat", randn(2, 2), [1, 2, 0, 3], None),
                                ("seq-all-zero", randn(3, 2), [0, 0, 0], 0),
                                ("one-count-list", x23, [2], 1)]:
    counts = repeats if isinstance(repeats, int) else torch.tensor(repeats)
    unary(f"repeat-{label}", "repeat",
          lambda x, counts=counts, axis=axis: torch.repeat_interleave(x, counts, dim=axis), x,
          {"repeats": repeats, "axis": axis})
case("repeat-int-dtype", "repeat", [A("x"), [2, 1, 0]],
     lambda x: torch.repeat_interleave(x, torch.tensor([2, 1, 0])).int(),
     {"x": np.array([5, -1, 7], np.int32)})

# ---- flip (TF.js's reverse) --------------------------------------------------------------
for label, axis in [("axis0", 0), ("axis-neg", -1), ("two", (0, 2)), ("all", None)]:
    dims = tuple(range(3)) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    unary(f"flip-{label}", "flip", lambda x, dims=dims: torch.flip(x, dims), x234,
          {"axis": as_list(axis)})

# ---- roll: axis=None rolls the flattened elements ----------------------------------------
for label, x, shift, axis in [("axis0", x23, 1, 0), ("negative", x234, -2, -1),
                              ("larger-than-axis", x234, 7, 2), ("flat", x234, 5, None),
                              ("two-axes", x234, (1, -2), (0, -1)),
                              ("one-axis-twice", x234, (2, 3), (1, 1)),
                              ("size-1-axis", randn(1, 4), 3, 0)]:
    unary(f"roll-{label}", "roll",
          lambda x, shift=shift, axis=axis: torch.roll(x, shift, axis), x,
          {"shift": as_list(shift), "axis": as_list(axis)})

# ---- moveaxis (torch's movedim) and swapaxes ---------------------------------------------
x4 = randn(2, 3, 1, 4)                     # every size different: a wrong order shows
for label, source, destination in [("one", 1, -1), ("negative", -1, 0),
                                   ("two", (0, 1), (2, 0)), ("crossing", (0, 3), (3, 0))]:
    unary(f"moveaxis-{label}", "moveaxis",
          lambda x, s=source, d=destination: torch.movedim(x, s, d), x4,
          {"source": as_list(source), "destination": as_list(destination)})
for label, a1, a2 in [("first-last", 0, -1), ("same", 1, 1), ("middle", 1, 2)]:
    unary(f"swapaxes-{label}", "swapaxes", lambda x, a1=a1, a2=a2: torch.swapaxes(x, a1, a2),
          x4, {"axis1": a1, "axis2": a2})

# ---- tril / triu: batched over leading axes, diagonals past the edge ---------------------
inf_above = np.where(np.triu(np.ones((3, 3), bool), 1), -np.inf, 0.5).astype(np.float32)
for fn, tf in [("tril", torch.tril), ("triu", torch.triu)]:
    for label, x, k in [("square", randn(3, 3), 0), ("above", randn(3, 3), 1),
                        ("below", randn(3, 3), -1), ("wide", randn(3, 5), 2),
                        ("tall", randn(5, 3), -2), ("batched", x234, 0),
                        ("past-edge", randn(3, 3), 5), ("before-edge", randn(3, 3), -5),
                        ("inf-above", inf_above, 0)]:
        unary(f"{fn}-{label}", fn, lambda x, tf=tf, k=k: tf(x, diagonal=k), x, {"k": k})

# ---- unstack (torch's unbind): a list of tensors -----------------------------------------
for label, x, axis in [("axis0", x234, 0), ("axis1", x234, 1), ("axis-neg", x234, -1),
                       ("size-1", randn(1, 3), 0), ("vector", randn(4), 0)]:
    case(f"unstack-{label}", "unstack", [A("x")],
         lambda x, axis=axis: torch.unbind(x, axis), {"x": x}, ["x"], {"axis": axis})

if __name__ == "__main__":
    cases.save()
