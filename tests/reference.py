"""Reference cases recorded from real Keras 3 and PyTorch, so that `make test` compares
tensorkit with them without either library installed.

A case file is ``tests/data/reference/<area>.npz``: for each case ``name`` it holds
``name/spec`` (a JSON string: what to build and run, free-form per area) and the arrays
``name/<key>`` (inputs, weights, outputs...). The scripts in ``scripts/reference/`` write
them (they need keras + jax, or torch); the tests here only read them. Loading uses
``allow_pickle=False``: a case file is data, never code.
"""

import json
import os

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "reference")


def load_cases(area):
    """{name: (spec dict, {key: array})} of one area's recorded cases."""
    cases = {}
    with np.load(os.path.join(HERE, f"{area}.npz"), allow_pickle=False) as data:
        for key in data.files:
            name, _, part = key.rpartition("/")
            spec, arrays = cases.setdefault(name, ({}, {}))
            if part == "spec":
                spec.update(json.loads(str(data[key])))
            else:
                arrays[part] = data[key]
    return cases


def save_cases(path, cases):
    """Write {name: (spec dict, {key: array})} as one compressed .npz (for the scripts)."""
    flat = {}
    for name, (spec, arrays) in cases.items():
        if "/" in name:
            raise ValueError(f"case names can't contain '/': {name!r}")
        flat[f"{name}/spec"] = np.array(json.dumps(spec, sort_keys=True))
        for key, value in arrays.items():
            flat[f"{name}/{key}"] = np.asarray(value)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    np.savez_compressed(path, **flat)


# ---- what the replay tests share --------------------------------------------------------
def params(cases, kind):
    """The cases of one kind (spec["kind"]) as pytest params (spec, arrays), named."""
    import pytest
    return [pytest.param(spec, arrays, id=name) for name, (spec, arrays) in sorted(cases.items())
            if spec["kind"] == kind]


def cotangent(shape):
    """The fixed cotangent the layer scripts multiply an output by before taking gradients
    (a formula, so the case files needn't hold it)."""
    import tensorkit as tk
    return tk.tensor(np.sin(np.arange(np.prod(shape)) * 1.7 + 0.3).reshape(shape)
                     .astype(np.float32))


def close(actual, expected, what, rtol=1e-5, atol=1e-5):
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=rtol, atol=atol, err_msg=what)


def weights(arrays):
    """A case's weights w0, w1, ... in order."""
    return [arrays[f"w{i}"] for i in range(sum(1 for k in arrays if k[0] == "w"))]


def batch_source(spec, data, log, pydataset):
    """The batches of the recorded fit-on-a-source cases: a generator, or a `pydataset`
    subclass (keras.utils.PyDataset when recording, tk.data.PyDataset when replaying) over
    data = (x, y, sample weights), noting each batch index it gives in `log`.

    spec: type "gen" | "pyds"; bs (rows per batch; the last batch is partial); forever (a
    generator that cycles); sw (yield sample weights too); x_only ((x,) batches);
    reshuffle (a PyDataset whose on_epoch_end permutes the rows, from a seeded rng); queue
    (its max_queue_size). workers stays 1: with more, Keras' enqueuer hands an epoch the
    batches it prefetched for the one before (timing-dependent), so no case could match."""
    x, y, sw = data
    bs, n = spec["bs"], len(x)
    count = -(-n // bs)

    def batch(j, order):
        rows = order[j * bs:(j + 1) * bs]
        log.append(j)
        if spec.get("x_only"):
            return (x[rows],)
        return (x[rows], y[rows], sw[rows]) if spec.get("sw") else (x[rows], y[rows])

    if spec["type"] == "gen":
        def gen():
            i = 0
            while spec.get("forever") or i < count:
                yield batch(i % count, np.arange(n))
                i += 1
        return gen()

    class Source(pydataset):
        def __init__(self):
            super().__init__(max_queue_size=spec.get("queue", 10))
            self.order, self.rng, self.ends = np.arange(n), np.random.default_rng(5), 0

        def __len__(self):
            return count

        def __getitem__(self, j):
            return batch(j, self.order)

        def on_epoch_end(self):
            self.ends += 1
            if spec.get("reshuffle"):
                self.order = self.rng.permutation(n)
    return Source()
