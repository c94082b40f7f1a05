"""RNN(cell) and the cells against recorded Keras 3 (JAX) cases: SimpleRNNCell, LSTMCell,
GRUCell (reset_after True/False), StackedRNNCells and a learner's own cell, with masks,
go_backwards, initial states, zero_output_for_mask, return_state; and the cells called on
one step. scripts/reference/keras_rnn_cells.py writes them.

Each case builds the layer, copies Keras' weights with set_weights (so the get_weights
order and shapes must be Keras'), and compares every output (a stack's nested states
flattened) and the gradients of sum(outputs * fixed cotangents) for the inputs, the
initial states and the weights.
"""

import numpy as np
import pytest
from reference import load_cases

import tensorkit as tk
from tensorkit import layers as L

CASES = load_cases("keras_rnn_cells")
TOL = dict(rtol=1e-4, atol=1e-5)


class MinimalRNNCell(L.Layer):
    """The cell of Keras' RNN docstring, written the Keras way."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units),
                                      initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                initializer="uniform", name="recurrent_kernel")

    def call(self, inputs, states):
        prev_output = states[0]
        h = tk.ops.matmul(inputs, self.kernel)
        output = h + tk.ops.matmul(prev_output, self.recurrent_kernel)
        return output, [output]


def cotangent(shape, i):
    n = int(np.prod(shape))
    return np.sin(1.0 + 0.7 * np.arange(n) + i).astype(np.float32).reshape(shape)


def make_cell(entry):
    if isinstance(entry[0], list):
        return L.StackedRNNCells([make_cell(e) for e in entry])
    cls = MinimalRNNCell if entry[0] == "MinimalRNNCell" else getattr(L, entry[0])
    return cls(**entry[1])


def nest(cell, flat):
    """Flat states -> the nesting Keras' cells take (a list per stacked LSTM cell)."""
    if not flat or not isinstance(cell, L.StackedRNNCells):
        return list(flat)
    out, it = [], iter(flat)
    for c in cell.cells:
        many = isinstance(c.state_size, list)
        part = [next(it) for _ in range(len(c.state_size) if many else 1)]
        out.append(part if many else part[0])
    return out


def _leaves(x):
    return [leaf for i in x for leaf in _leaves(i)] if isinstance(x, (list, tuple)) else [x]


@pytest.mark.parametrize("name", sorted(CASES))
def test_rnn_cell_matches_keras(name):
    spec, arrays = CASES[name]
    tk.clear_session()
    cell = make_cell(spec["cell"])
    names = ["x"] + spec["states"]
    values = {n: tk.tensor(arrays[n], requires_grad=True) for n in names}
    mask = None if spec["mask"] is None else tk.tensor(arrays[spec["mask"]])
    if spec["form"] == "cell":
        cell.build(values["x"].shape)
        layer = cell

        def call():
            return cell.call(values["x"], nest(cell, [values[n] for n in spec["states"]]))
    else:
        layer = L.RNN(cell, **spec["rnn"])

        def call():
            kwargs = {"mask": mask} if mask is not None else {}
            if spec["states"]:
                kwargs["initial_state"] = [values[n] for n in spec["states"]]
            return layer(values["x"], **kwargs)
        with tk.no_grad():
            call()                                      # builds the weights
    n_w = len([k for k in arrays if k[0] == "w" and k[1:].isdigit()])
    assert [w.shape for w in layer.weights] == [arrays[f"w{i}"].shape for i in range(n_w)]
    layer.set_weights([arrays[f"w{i}"] for i in range(n_w)])

    outs = _leaves(call())
    assert len(outs) == spec["n_out"]
    loss = None
    for i, y in enumerate(outs):
        np.testing.assert_allclose(y.numpy(), arrays[f"y{i}"], **TOL, err_msg=f"output {i}")
        term = (y * tk.tensor(cotangent(y.shape, i))).sum()
        loss = term if loss is None else loss + term
    loss.backward()
    for n in names:
        np.testing.assert_allclose(values[n].grad.numpy(), arrays[f"g_{n}"], **TOL,
                                   err_msg=f"gradient of input {n}")
    for i, w in enumerate(layer.weights):
        np.testing.assert_allclose(w.grad.numpy(), arrays[f"gw{i}"], **TOL,
                                   err_msg=f"gradient of {w.name}")
