"""What the PyTorch recording scripts share: one seeded generator per script and the case
recorder. A case says which ``tk.<fn>`` to call, with which arguments (``{"a": key}`` is an
array of the case, ``{"slice": [...]}``, "..." and ``{"tuple": [...]}`` build getitem
indices), and which inputs get gradients (``wrt``). Its arrays hold the inputs, the
cotangent ``g`` (``g0, g1...`` for several outputs), PyTorch's output ``out`` (``out0...``)
and PyTorch's gradient ``grad_<input>`` for each input in wrt. Replayed by
tests/test_reference_torch_gradients.py, for every ``tests/data/reference/torch_*.npz``."""

import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests"))
from reference import save_cases  # noqa: E402


def A(key):
    return {"a": key}


class TorchCases(dict):
    """{name: (spec, arrays)} of one area, written to tests/data/reference/<area>.npz."""

    def __init__(self, area, seed):
        super().__init__()
        self.out = os.path.join(HERE, "..", "..", "tests", "data", "reference", f"{area}.npz")
        self.rng = np.random.default_rng(seed)

    def randn(self, *shape):
        return self.rng.standard_normal(shape).astype(np.float32)

    def case(self, name, fn, args, torch_fn, arrays, wrt=(), kwargs=None, **extra):
        """Run torch_fn on the arrays (floats in `wrt` with requires_grad), record it all."""
        assert name not in self, name
        tensors = {}
        for key, value in arrays.items():
            t = torch.tensor(value)
            if value.dtype.kind in "iu":
                t = t.long()
            tensors[key] = t.requires_grad_() if key in wrt else t
        out = torch_fn(*tensors.values())              # in the order of `arrays`
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        many = isinstance(out, (list, tuple))
        record = dict(arrays)
        gs = []
        for i, o in enumerate(outs):
            suffix = str(i) if many else ""
            record["out" + suffix] = o.detach().numpy()
            if o.dtype.is_floating_point:
                g = self.randn(*o.shape)
                record["g" + suffix] = g
                gs.append((o, torch.tensor(g)))
        if wrt:
            grads = torch.autograd.grad([o for o, _ in gs], [tensors[k] for k in wrt],
                                        [g for _, g in gs], allow_unused=True)
            for key, gr in zip(wrt, grads):
                record["grad_" + key] = (torch.zeros_like(tensors[key]) if gr is None
                                         else gr).numpy()
        spec = dict(fn=fn, args=args, kwargs=kwargs or {}, wrt=list(wrt), many=many, **extra)
        self[name] = (spec, record)

    def unary(self, name, fn, torch_fn, x, kwargs=None, **extra):
        self.case(name, fn, [A("x")], lambda x: torch_fn(x), {"x": x}, ["x"], kwargs, **extra)

    def save(self):
        save_cases(self.out, dict(self))
        print(f"{len(self)} cases -> {os.path.relpath(self.out)} "
              f"({os.path.getsize(self.out) // 1024} KB)")
