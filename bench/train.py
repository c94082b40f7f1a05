"""Training speed of tensorkit next to PyTorch CPU: samples/second of whole training steps
(forward, loss, backward, Adam step) through ``model.fit``. Prints figures.

    python bench/train.py [W1 W2 ...]   (from the repo root; `make bench` also installs torch)

W1  MLP 64-128-64-10 ReLU, batch 32, on 8x8 digits-sized inputs       target >= 2.5x torch
W2  MLP 784-256-10, batch 128                                          target >= 1.2x torch
W3  CNN 28x28x1 Conv2D(16,3)-MaxPool-Conv2D(32,3)-MaxPool-Flatten-Dense(10), batch 64
                                                                       target >= 1.0x torch
W4  Embedding(1000,32)-LSTM(64) over length 40 -> Dense(1, sigmoid), batch 32
                                                                       target >= 0.8x torch

Each measurement is one epoch of `steps` batches (fit with shuffle, verbose=0) against the
same model, data and loop in PyTorch (torch.set_num_threads(2)). The two sides are
interleaved (A B A B ...), each timed in its own steady state after 0.2 s of untimed runs
(measure.py says why), and the medians compared (see shared PERFORMANCE.md); a workload
whose layers do not exist yet is skipped with a note. Ratios from one run transfer between
machines; absolute times do not.
"""

import sys
import time

import numpy as np
from measure import busy_elsewhere, cpu_seconds, median_times, tk, torch

REPEATS = 7


# ---- the workloads: (tensorkit model, torch model, x, y, loss names) ----------------------
def _layer(name):
    layer = getattr(tk.layers, name, None)
    if layer is None:
        raise LookupError(f"tk.layers.{name} does not exist yet")
    return layer


def w1():
    L = tk.layers
    model = tk.Sequential([tk.Input(shape=(64,)), L.Dense(128, activation="relu"),
                           L.Dense(64, activation="relu"), L.Dense(10)])
    net = None if torch is None else torch.nn.Sequential(
        torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, 10))
    return model, net, (64,), 10, 32, 60


def w2():
    L = tk.layers
    model = tk.Sequential([tk.Input(shape=(784,)), L.Dense(256, activation="relu"),
                           L.Dense(10)])
    net = None if torch is None else torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10))
    return model, net, (784,), 10, 128, 20


def w3():
    conv, pool, flatten = _layer("Conv2D"), _layer("MaxPooling2D"), _layer("Flatten")
    model = tk.Sequential([tk.Input(shape=(28, 28, 1)), conv(16, 3, activation="relu"),
                           pool(), conv(32, 3, activation="relu"), pool(), flatten(),
                           tk.layers.Dense(10)])
    net = None if torch is None else _TorchCNN()
    return model, net, (28, 28, 1), 10, 64, 8


def w4():
    emb, lstm = _layer("Embedding"), _layer("LSTM")
    model = tk.Sequential([tk.Input(shape=(40,), dtype="int32"), emb(1000, 32), lstm(64),
                           tk.layers.Dense(1, activation="sigmoid")])
    net = None if torch is None else _TorchLSTM()
    return model, net, (40,), "ids", 32, 8


if torch is not None:
    class _TorchCNN(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.c1, self.c2 = torch.nn.Conv2d(1, 16, 3), torch.nn.Conv2d(16, 32, 3)
            self.fc = torch.nn.Linear(32 * 5 * 5, 10)

        def forward(self, x):                           # NHWC in, as tensorkit and Keras
            x = x.permute(0, 3, 1, 2)
            x = torch.max_pool2d(torch.relu(self.c1(x)), 2)
            x = torch.max_pool2d(torch.relu(self.c2(x)), 2)
            return self.fc(x.permute(0, 2, 3, 1).flatten(1))

    class _TorchLSTM(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = torch.nn.Embedding(1000, 32)
            self.lstm = torch.nn.LSTM(32, 64, batch_first=True)
            self.fc = torch.nn.Linear(64, 1)

        def forward(self, x):
            _, (h, _) = self.lstm(self.emb(x))
            return torch.sigmoid(self.fc(h[-1]))


WORKLOADS = {"W1": (w1, 2.5, "MLP 64-128-64-10 ReLU, batch 32"),
             "W2": (w2, 1.2, "MLP 784-256-10, batch 128"),
             "W3": (w3, 1.0, "CNN 28x28x1 conv16-pool-conv32-pool-dense10, batch 64"),
             "W4": (w4, 0.8, "Embedding(1000,32)-LSTM(64) len 40 -> Dense(1), batch 32")}


def measure(build):
    tk.random.seed(0)
    model, net, shape, classes, batch, steps = build()
    rng = np.random.default_rng(0)
    n = batch * steps
    if classes == "ids":
        x = rng.integers(1, 1000, (n,) + shape).astype("int32")
        y = rng.integers(0, 2, (n, 1)).astype("float32")
        model.compile(optimizer="adam", loss="binary_crossentropy")
    else:
        x = rng.random((n,) + shape, dtype=np.float32)
        y = rng.integers(0, classes, n).astype("int32")
        model.compile(optimizer="adam",
                      loss=tk.losses.SparseCategoricalCrossentropy(from_logits=True))

    def run_tk():
        model.fit(x, y, batch_size=batch, epochs=1, shuffle=True, verbose=0)

    variants = {"tensorkit": run_tk}
    if net is not None:
        opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
        tx = torch.from_numpy(x.astype("int64") if classes == "ids" else x)
        ty = torch.from_numpy(y if classes == "ids" else y.astype("int64"))
        loss_fn = torch.nn.BCELoss() if classes == "ids" else torch.nn.CrossEntropyLoss()

        def run_torch():
            order = torch.randperm(n)
            for i in range(steps):
                idx = order[i * batch:(i + 1) * batch]
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(net(tx[idx]), ty[idx])
                loss.backward()
                opt.step()

        variants["torch"] = run_torch
    before, t0 = cpu_seconds(), time.perf_counter()
    medians = median_times(variants, REPEATS, warmup=1)
    busy = busy_elsewhere(before, cpu_seconds(), time.perf_counter() - t0)
    return {k: v / steps for k, v in medians.items()}, batch, busy


def main(names):
    print(f"tensorkit training steps (fit: forward, loss, backward, Adam), medians of "
          f"{REPEATS} interleaved runs; torch {torch.__version__ if torch else 'missing'}")
    if torch is None:
        print("  torch not installed: run `make bench` or pip install torch==2.13.0 "
              "(tensorkit figures only)")
    print(f"{'':4}{'workload':58}{'tk ms/step':>11}{'torch':>8}{'tk samples/s':>14}"
          f"{'x torch':>9}{'target':>8}")
    for name in names:
        build, target, label = WORKLOADS[name]
        try:
            times, batch, busy = measure(build)
        except LookupError as e:
            print(f"{name:4}{label:58}  skipped: {e}")
            continue
        tk_ms = times["tensorkit"] * 1e3
        line = f"{name:4}{label:58}{tk_ms:11.3f}"
        if "torch" in times:
            ratio = times["torch"] / times["tensorkit"]
            verdict = "ok" if ratio >= target else "BELOW"
            line += (f"{times['torch'] * 1e3:8.3f}{batch / times['tensorkit']:14,.0f}"
                     f"{ratio:9.2f}{target:>6.1f}  {verdict}")
        else:
            line += f"{'-':>8}{batch / times['tensorkit']:14,.0f}"
        if busy is not None and busy > 0.3:
            line += f"  (other processes kept {busy:.1f} cores busy: rerun when idle)"
        print(line, flush=True)


if __name__ == "__main__":
    main([a.upper() for a in sys.argv[1:]] or list(WORKLOADS))
