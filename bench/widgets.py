"""Widget figures: GraphView layout + render time for 50-, 200- and 1000-node graphs, and
the fit-time overhead of TrainingMonitor on the W1 MLP (target: at most 5%)."""

import importlib
import sys
import time
from pathlib import Path

import numpy as np

import tensorkit as tk

L = tk.layers
# Run as a script, this file's folder is first on sys.path, and `import widgets` would find
# this file instead of the package.
_here = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _here]
widgets = importlib.import_module("widgets")


def best(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def dense_stack(nodes):
    """A Sequential of Dense(relu) layers with about `nodes` graph nodes (5 per layer)."""
    return tk.Sequential([tk.Input(shape=(16,))] +
                         [L.Dense(16, activation="relu") for _ in range(max(nodes // 5, 1))])


def flat_trace(nodes):
    """A trace with no layers (nothing to collapse): a chain of `nodes` ops."""
    with tk.trace() as g:
        x = tk.symbolic((None, 4))
        for _ in range(nodes // 3):
            x = tk.relu(x * 2.0)
    return g


def graphs():
    print("GraphView: trace + layout (Graphviz dot) + SVG, seconds (best of 3)")
    print(f"{'nodes':>6} {'model, collapsed':>17} {'model, expanded':>16} {'flat trace':>11}")
    for n in (50, 200, 1000):
        model, trace = dense_stack(n), flat_trace(n)
        size = len(widgets.GraphView(model).data.nodes)
        collapsed = best(lambda m=model: widgets.GraphView(m))
        expanded = best(lambda m=model: widgets.GraphView(m, collapsed=False), 1)
        flat = best(lambda g=trace: widgets.GraphView(g), 1)
        print(f"{size:>6} {collapsed:>17.3f} {expanded:>16.3f} {flat:>11.3f}")


def overhead(epochs=2):
    """W1 MLP (784 -> 128 relu -> 10) on 6,000 random MNIST-sized samples, batch 32."""
    rng = np.random.default_rng(0)
    x = rng.random((6000, 784), dtype="float32")
    y = rng.integers(0, 10, 6000)

    def fit(callbacks):
        tk.random.seed(0)
        model = tk.Sequential([tk.Input(shape=(784,)), L.Dense(128, activation="relu"),
                               L.Dense(10, activation="softmax")])
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        t0 = time.perf_counter()
        model.fit(x, y, epochs=epochs, batch_size=32, validation_split=0.1,
                  callbacks=callbacks, verbose=0)
        return time.perf_counter() - t0

    fit([])                                             # warm up
    base, monitored = [], []
    for _ in range(3):                                  # interleaved: drift hits both alike
        base.append(fit([]))
        monitored.append(fit([widgets.TrainingMonitor()]))
    b, m = min(base), min(monitored)
    print(f"TrainingMonitor on the W1 MLP ({epochs} epochs, {6000 * 9 // 10 // 32 + 1} "
          f"batches each): fit {b:.2f} s -> {m:.2f} s with the monitor, "
          f"overhead {100 * (m - b) / b:+.1f}% (target <= 5%)")


if __name__ == "__main__":
    graphs()
    overhead()
