"""Record PyTorch's forward values and input gradients for einsum, tensordot, outer, norm,
prod, cumsum, cumprod, sort, argsort and top_k.

Run (needs torch, which the project venv has):

    .venv/bin/python scripts/reference/torch_ops_linalg.py

Writes tests/data/reference/torch_ops_linalg.npz, replayed by
tests/test_reference_torch_gradients.py; the case format is in _torch.py.

Beside general inputs, the cases sit where libraries disagree or formulas break: zeros in
prod and cumprod (one zero: only it gets a gradient; two: none), the zero vector and ties
in the norms, ties in sort (stable) and top_k, size-1 axes that einsum stretches,
diagonals and traces.
"""

import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _torch import A, TorchCases  # noqa: E402

cases = TorchCases("torch_ops_linalg", seed=4321)
rng, randn, case = cases.rng, cases.randn, cases.case
inf = float("inf")

# ---- einsum: matmul-like, outer, traces and diagonals, '...', stretched size-1 axes -------
for name, subscripts, shapes in [
        ("matmul", "ij,jk->ik", [(3, 4), (4, 2)]),
        ("batch-matmul", "bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
        ("implicit", "ij,jk", [(2, 3), (3, 4)]),
        ("sum-all", "ij->", [(3, 4)]),
        ("trace", "ii->", [(4, 4)]),
        ("diagonal", "ii->i", [(4, 4)]),
        ("diagonal-batch", "bii->bi", [(2, 3, 3)]),
        ("ellipsis-broadcast", "...ij,...jk->...ik", [(2, 1, 3, 4), (5, 4, 2)]),
        ("stretch-size-1", "ij,ij->ij", [(1, 3), (2, 3)]),
        ("stretch-contracted", "ij,jk->ik", [(2, 1), (3, 4)]),
        ("three-operands", "ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
        ("bilinear", "bi,ij,bj->b", [(3, 4), (4, 5), (3, 5)])]:
    keys = "xyz"[:len(shapes)]
    case(f"einsum-{name}", "einsum", [subscripts] + [A(k) for k in keys],
         lambda *t, s=subscripts: torch.einsum(s, *t),
         {k: randn(*s) for k, s in zip(keys, shapes)}, list(keys))

# ---- tensordot (NumPy's axes) and outer (NumPy flattens; torch.outer takes vectors) -------
for name, sa, sb, axes, dims in [
        ("axes2", (2, 3, 4), (3, 4, 5), 2, 2),
        ("axes0", (2, 3), (4,), 0, 0),
        ("pairs", (2, 3, 4), (4, 3), [[1, 2], [1, 0]], ([1, 2], [1, 0])),
        ("pair-of-ints", (3, 2), (3, 4), [0, 0], ([0], [0]))]:
    case(f"tensordot-{name}", "tensordot", [A("x"), A("y")],
         lambda x, y, d=dims: torch.tensordot(x, y, dims=d),
         {"x": randn(*sa), "y": randn(*sb)}, ["x", "y"], {"axes": axes})
case("outer-vectors", "outer", [A("x"), A("y")], torch.outer,
     {"x": randn(3), "y": randn(4)}, ["x", "y"])
case("outer-flattens", "outer", [A("x"), A("y")],
     lambda x, y: torch.outer(x.reshape(-1), y.reshape(-1)),
     {"x": randn(2, 3), "y": randn(2, 1, 2)}, ["x", "y"])

# ---- prod: general, then zeros (torch: one zero gets the product of the others) -------------
x3 = randn(2, 3, 4)
for tag, axis, keep in [("all", None, False), ("axis1", 1, False), ("axis-1-keepdims", -1, True)]:
    case(f"prod-{tag}", "prod", [A("x")],
         lambda x, a=axis, k=keep: x.prod() if a is None else x.prod(a, keepdim=k),
         {"x": x3}, ["x"], {"axis": axis, "keepdims": keep})
case("prod-axes02", "prod", [A("x")], lambda x: x.prod(2).prod(0), {"x": x3}, ["x"],
     {"axis": [0, 2]})
zeros = np.array([[2.0, 0.0, 3.0, -1.5],            # one zero
                  [0.0, 1.5, 0.0, 2.0],             # two zeros
                  [0.0, 0.0, 0.0, 0.0],             # all zero
                  [1.5, -2.0, 0.5, 3.0]], np.float32)
for tag, axis in [("rows", 1), ("columns", 0), ("all", None)]:
    case(f"prod-zeros-{tag}", "prod", [A("x")],
         lambda x, a=axis: x.prod() if a is None else x.prod(a), {"x": zeros}, ["x"],
         {"axis": axis})
case("prod-one-zero-all", "prod", [A("x")], lambda x: x.prod(),
     {"x": np.array([[2.0, -1.5], [0.0, 3.0]], np.float32)}, ["x"])
case("prod-size-1-axis", "prod", [A("x")], lambda x: x.prod(1), {"x": randn(3, 1)}, ["x"],
     {"axis": 1})

# ---- cumsum, cumprod: NumPy's axis=None runs over the flattened tensor ----------------------
for fn, tf in [("cumsum", torch.cumsum), ("cumprod", torch.cumprod)]:
    for axis in [0, -1]:
        case(f"{fn}-axis{axis}", fn, [A("x")], lambda x, a=axis, tf=tf: tf(x, a),
             {"x": randn(3, 4)}, ["x"], {"axis": axis})
    case(f"{fn}-flattened", fn, [A("x")], lambda x, tf=tf: tf(x.reshape(-1), 0),
         {"x": randn(2, 3)}, ["x"])
cum_zeros = np.array([[2.0, 0.0, 3.0, -1.5, 2.0],    # one zero
                      [1.5, 0.0, 2.0, 0.0, 3.0],     # two zeros
                      [0.0, 2.0, -1.0, 1.5, 2.0],    # zero first
                      [1.5, -2.0, 0.5, 3.0, 0.0]], np.float32)   # zero last
case("cumprod-zeros", "cumprod", [A("x")], lambda x: torch.cumprod(x, 1), {"x": cum_zeros},
     ["x"], {"axis": 1})
case("cumprod-zeros-axis0", "cumprod", [A("x")], lambda x: torch.cumprod(x, 0),
     {"x": cum_zeros}, ["x"], {"axis": 0})
case("cumprod-zeros-flattened", "cumprod", [A("x")],
     lambda x: torch.cumprod(x.reshape(-1), 0), {"x": cum_zeros[:2, :3]}, ["x"])

# ---- norm: torch.linalg.vector_norm / matrix_norm; the zero vector; ties for inf and 1 --------
for tag, ord, axis, keep in [("default", None, None, False), ("2-axis-1", 2, -1, False),
                             ("2-axis0-keepdims", 2, 0, True), ("1-axis1", 1, 1, False),
                             ("inf-axis1", inf, 1, False)]:
    kw = {"ord": ord, "axis": axis, "keepdims": keep}
    case(f"norm-vector-{tag}", "norm", [A("x")],
         lambda x, o=ord, a=axis, k=keep: torch.linalg.vector_norm(
             x, 2 if o is None else o, a, keepdim=k), {"x": randn(3, 4)}, ["x"], kw)
signs = np.array([[0.0, 0.0, 0.0, 0.0],              # the zero vector
                  [3.0, -3.0, 1.0, 0.0],             # tied largest |x|, and a 0
                  [-2.0, 0.5, 0.0, 2.0]], np.float32)
for ord in [2, 1, inf]:
    case(f"norm-zero-vector-and-ties-ord{ord}", "norm", [A("x")],
         lambda x, o=ord: torch.linalg.vector_norm(x, o, 1), {"x": signs}, ["x"],
         {"ord": ord, "axis": 1})
case("norm-zero-tensor", "norm", [A("x")], lambda x: torch.linalg.vector_norm(x),
     {"x": np.zeros((2, 3), np.float32)}, ["x"])
columns = np.array([[1.0, -3.0, 2.0], [-3.0, 1.0, 2.0], [0.0, 0.0, 1.0]], np.float32)
for tag, ord, axis, keep in [("fro", "fro", [0, 1], False), ("fro-batch", "fro", [1, 2], True),
                             ("1", 1, [0, 1], False), ("inf", inf, [0, 1], False),
                             ("1-swapped-axes", 1, [1, 0], False)]:
    x = columns if "batch" not in tag else randn(2, 3, 4)
    case(f"norm-matrix-{tag}", "norm", [A("x")],
         lambda x, o=ord, a=axis, k=keep: torch.linalg.matrix_norm(x, o, tuple(a), keepdim=k),
         {"x": x}, ["x"], {"ord": ord, "axis": axis, "keepdims": keep})
# ties share the gradient: the row sums of |columns| are 6, 6, 1 (inf); its transpose's
# column sums are too (1)
case("norm-matrix-inf-ties", "norm", [A("x")], lambda x: torch.linalg.matrix_norm(x, inf),
     {"x": columns}, ["x"], {"ord": inf, "axis": [0, 1]})
case("norm-matrix-1-ties", "norm", [A("x")], lambda x: torch.linalg.matrix_norm(x, 1),
     {"x": columns.T.copy()}, ["x"], {"ord": 1, "axis": [0, 1]})

# ---- sort, argsort (stable: ties keep their order; NaN last) --------------------------------
ties = rng.integers(0, 3, (3, 5)).astype(np.float32)
for axis in [-1, 0]:
    case(f"sort-ties-axis{axis}", "sort", [A("x")],
         lambda x, a=axis: torch.sort(x, dim=a, stable=True).values, {"x": ties}, ["x"],
         {"axis": axis})
case("argsort-ties", "argsort", [A("x")], lambda x: torch.sort(x, stable=True).indices,
     {"x": ties})
case("sort-flattened", "sort", [A("x")],
     lambda x: torch.sort(x.reshape(-1), stable=True).values, {"x": ties[:2]}, ["x"],
     {"axis": None})
case("sort-general-3d", "sort", [A("x")], lambda x: torch.sort(x, dim=1, stable=True).values,
     {"x": randn(2, 4, 3)}, ["x"], {"axis": 1})
nan_row = np.array([[2.0, np.nan, 1.0, 1.0, -0.5]], np.float32)
case("sort-nan-last", "sort", [A("x")], lambda x: torch.sort(x, stable=True).values,
     {"x": nan_row}, ["x"])
case("argsort-nan-last", "argsort", [A("x")], lambda x: torch.sort(x, stable=True).indices,
     {"x": nan_row})


# ---- top_k: values and int indices; the values' gradient goes to the picked places ---------
def top_k_case(name, torch_fn, x, k):
    case(name, "top_k", [A("x")], torch_fn, {"x": x}, ["x"], {"k": k})
    cases[name][1]["g1"] = np.zeros(cases[name][1]["out1"].shape, np.float32)  # indices: no
    # gradient, but the replay sums every output times its cotangent


top_k_case("top_k-distinct", lambda x: torch.topk(x, 3), randn(4, 6), 3)
top_k_case("top_k-3d", lambda x: torch.topk(x, 2), randn(2, 3, 5), 2)
top_k_case("top_k-all", lambda x: torch.topk(x, 4), randn(3, 4), 4)
# ties: torch.topk leaves their order open (on the CPU it gave indices [2, 4, 0] for three
# tied 3s); TF and TF.js take the lower index first, which a stable descending sort gives
tied = np.array([[3.0, 1.0, 3.0, 2.0, 3.0, 1.0], [0.0, 0.0, 0.0, 0.0, 5.0, 0.0]], np.float32)
for k in [2, 4]:
    top_k_case(f"top_k-ties-k{k}",
               lambda x, k=k: [t[..., :k] for t in torch.sort(x, dim=-1, descending=True,
                                                              stable=True)], tied, k)

if __name__ == "__main__":
    cases.save()
