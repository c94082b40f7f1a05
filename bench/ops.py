"""Per-op overhead and conv2d speed of tensorkit, next to PyTorch CPU. Prints figures.

    python bench/ops.py            (from the repo root; `make bench` also installs torch)

(a) A chain of 1000 small elementwise ops on 4x4 float32 tensors: microseconds per op,
    forward only and forward+backward, with graph recording on and off, and the same
    chain in PyTorch. (b) conv2d forward+backward (gradients for input and kernel).

Method (see shared PERFORMANCE.md and measure.py): warm up, interleave the variants
(A B A B ...), time each only after it has run untimed for 0.2 s (the other library's idle
BLAS/OpenMP threads stop spinning meanwhile), take the median of several repeats, so a
busy neighbour skews every variant alike. Ratios from one run are what transfer between
machines; absolute times do not.
"""

import time

import numpy as np
from measure import busy_elsewhere, cpu_seconds, median_times, tk, torch

TORCH_MISSING = "torch not installed: run `make bench` or pip install torch==2.13.0"

CHAIN_OPS = 1000
BODY_OPS = 5                                          # mul, add, tanh, exp, sub
TARGET_US_PER_OP = 8.0                                # forward+backward, recording on
TARGET_RECORDING = 0.20                               # recording may add at most 20%
TARGET_CONV_SPEED = 1.0                               # x torch's speed


# ---- (a) a chain of small elementwise ops ---------------------------------------------------

def chain_variants():
    rng = np.random.default_rng(0)
    a0, b0, c0, x0 = (rng.uniform(-1, 1, (4, 4)).astype(np.float32) for _ in range(4))
    a, b, c = tk.tensor(a0), tk.tensor(b0), tk.tensor(c0)
    x = tk.tensor(x0, requires_grad=True)

    def tk_chain():
        y = x
        for _ in range(CHAIN_OPS // BODY_OPS):
            y = tk.exp(tk.tanh(y * a + b)) - c        # (4, 4) throughout
        return y

    def tk_backward():
        x.grad = None
        tk_chain().sum().backward()

    def recording(on, fn):
        def run():
            with tk.recording(on):
                fn()
        return run

    variants = {
        "tk forward, recording on": recording(True, tk_chain),
        "tk forward, recording off": recording(False, tk_chain),
        "tk forward+backward, recording on": recording(True, tk_backward),
        "tk forward+backward, recording off": recording(False, tk_backward),
    }
    if torch is not None:
        ta, tb, tc = (torch.from_numpy(v) for v in (a0, b0, c0))
        tx = torch.from_numpy(x0.copy()).requires_grad_(True)

        def torch_chain():
            y = tx
            for _ in range(CHAIN_OPS // BODY_OPS):
                y = torch.exp(torch.tanh(y * ta + tb)) - tc
            return y

        def torch_backward():
            tx.grad = None
            torch_chain().sum().backward()

        def torch_no_grad():
            with torch.no_grad():
                torch_chain()

        variants["torch forward, no_grad"] = torch_no_grad
        variants["torch forward (autograd)"] = torch_chain
        variants["torch forward+backward"] = torch_backward
    return variants


def bench_chain(repeats=25):
    us = {k: v / CHAIN_OPS * 1e6 for k, v in median_times(chain_variants(), repeats).items()}
    rows = [(k, f"{v:7.2f}") for k, v in us.items()]
    fb_on = us["tk forward+backward, recording on"]
    fb_off = us["tk forward+backward, recording off"]
    fw_on, fw_off = us["tk forward, recording on"], us["tk forward, recording off"]
    checks = [
        ("tk fwd+bwd, recording on (us/op)", f"{fb_on:.2f}", f"<= {TARGET_US_PER_OP:g}",
         fb_on <= TARGET_US_PER_OP),
        ("recording adds, fwd+bwd", f"{fb_on / fb_off - 1:+.0%}", f"<= {TARGET_RECORDING:.0%}",
         fb_on / fb_off - 1 <= TARGET_RECORDING),
        ("recording adds, forward", f"{fw_on / fw_off - 1:+.0%}", f"<= {TARGET_RECORDING:.0%}",
         fw_on / fw_off - 1 <= TARGET_RECORDING),
    ]
    if torch is not None:
        for what, mine, theirs in [("forward", fw_on, us["torch forward (autograd)"]),
                                   ("fwd+bwd", fb_on, us["torch forward+backward"])]:
            checks.append((f"torch time / tk time, {what}", f"{theirs / mine:.2f}x", "", None))
    return rows, checks


# ---- (b) conv2d forward+backward ------------------------------------------------------------

CONV_CASES = [((64, 28, 28, 1), 16), ((64, 13, 13, 16), 32)]     # NHWC input, out channels


def conv_variants(in_shape, cout):
    rng = np.random.default_rng(0)
    cin = in_shape[-1]
    x0 = rng.standard_normal(in_shape).astype(np.float32)
    k0 = (rng.standard_normal((3, 3, cin, cout)) / np.sqrt(9 * cin)).astype(np.float32)
    x = tk.tensor(x0, requires_grad=True)
    k = tk.tensor(k0, requires_grad=True)

    def tk_step():
        x.grad = k.grad = None
        tk.conv2d(x, k, strides=1, padding="valid").sum().backward()

    tk_step()                                         # NotImplementedError while being written
    variants = {"tk": tk_step}
    if torch is not None:
        tx = torch.from_numpy(x0.transpose(0, 3, 1, 2).copy()).requires_grad_(True)  # NCHW
        tw = torch.from_numpy(k0.transpose(3, 2, 0, 1).copy()).requires_grad_(True)  # OIHW

        def torch_step():
            tx.grad = tw.grad = None
            torch.nn.functional.conv2d(tx, tw).sum().backward()

        variants["torch"] = torch_step
    return variants


def bench_conv(repeats=21):
    rows, checks = [], []
    for in_shape, cout in CONV_CASES:
        name = f"{in_shape} -> {cout} channels"
        try:
            variants = conv_variants(in_shape, cout)
        except NotImplementedError:
            rows.append((name, "conv2d: not implemented yet"))
            continue
        ms = {k: v * 1e3 for k, v in median_times(variants, repeats).items()}
        rows.append((name + ", tk", f"{ms['tk']:7.2f}"))
        if "torch" in ms:
            rows.append((name + ", torch (NCHW)", f"{ms['torch']:7.2f}"))
            speed = ms["torch"] / ms["tk"]
            checks.append((f"{name}: tk speed", f"{speed:.2f}x torch",
                           f">= {TARGET_CONV_SPEED:g}x", speed >= TARGET_CONV_SPEED))
    return rows, checks


# ---- the table ------------------------------------------------------------------------------

def print_table(title, rows, checks):
    print(f"\n{title}")
    width = max([len(r[0]) for r in rows] + [len(c[0]) for c in checks]) + 2
    for name, value in rows:
        print(f"  {name:<{width}} {value}")
    if checks:
        print(f"  {'':-<{width}}")
        for name, value, target, ok in checks:
            verdict = "" if ok is None else ("ok" if ok else "MISSED")
            print(f"  {name:<{width}} {value:>12}  {target:>8}  {verdict}".rstrip())


def main():
    print(f"tensorkit {tk.__version__}, NumPy {np.__version__}, "
          + (f"PyTorch {torch.__version__} ({torch.get_num_threads()} threads)"
             if torch is not None else TORCH_MISSING))
    if torch is None:
        print(TORCH_MISSING)
    for title, bench in [
            (f"(a) {CHAIN_OPS} elementwise ops on (4, 4) float32, median us per op",
             bench_chain),
            ("(b) conv2d 3x3 valid, forward+backward (input and kernel grads), median ms",
             bench_conv)]:
        before, t0 = cpu_seconds(), time.perf_counter()
        rows, checks = bench()
        others = busy_elsewhere(before, cpu_seconds(), time.perf_counter() - t0)
        print_table(title, rows, checks)
        if others is not None and others > 0.25:
            print(f"  note: other processes kept {others:.1f} cores busy meanwhile; these "
                  "figures are skewed, run again on a quiet machine.")


if __name__ == "__main__":
    main()
