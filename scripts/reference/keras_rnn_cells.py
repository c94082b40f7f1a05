"""Record Keras 3's generic RNN API (RNN over SimpleRNNCell, LSTMCell, GRUCell,
StackedRNNCells and a learner's own cell; the cells called on one step), for
tests/test_reference_keras_rnn_cells.py.

Run with a Python that has Keras 3 and JAX (not the project venv): ``make references``.

It writes tests/data/reference/keras_rnn_cells.npz. Each case builds the layer from its
spec, gives it random weights with set_weights, and stores:
  spec   form ("rnn": RNN(cell, **rnn); "cell": the cell called on x and states), cell
         ([class name, config], or a list of them for a stack; "MinimalRNNCell" is the
         cell written in this file and in the test), rnn (RNN's config), inputs (array
         names, the first is x), states (initial state names), mask (a mask array name or
         null), n_out
  arrays x, s0.., mask, w0.. (weights, get_weights order), y0.. (outputs, nested states
         flattened), g_<input> and gw<i> (gradients of sum(y_i * ct_i), ct_i =
         cotangent(shape, i), for x, the states and the weights: jax.grad through
         stateless_call)
"""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import ops  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests"))
from reference import save_cases  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data", "reference",
                   "keras_rnn_cells.npz")
rng = np.random.default_rng(0)


class MinimalRNNCell(keras.layers.Layer):
    """The cell of Keras' RNN docstring, as a learner writes it."""

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
        h = ops.matmul(inputs, self.kernel)
        output = h + ops.matmul(prev_output, self.recurrent_kernel)
        return output, [output]


def normal(shape, scale=1.0):
    return (rng.normal(size=shape) * scale).astype(np.float32)


def cotangent(shape, i):
    n = int(np.prod(shape))
    return np.sin(1.0 + 0.7 * np.arange(n) + i).astype(np.float32).reshape(shape)


B, T, F, U = 3, 5, 3, 4
MASKS = {"right": np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 1, 0, 0, 0]], bool),
         "left": np.array([[1, 1, 1, 1, 1], [0, 0, 1, 1, 1], [0, 0, 0, 0, 1]], bool)}
CASES = {}


def case(name, cell, rnn=None, states=0, mask=None, form="rnn", sizes=None):
    """states: how many initial states (of sizes `sizes`, default U each)."""
    sizes = sizes or [U] * states
    inputs = {"x": normal((B, F) if form == "cell" else (B, T, F))}
    inputs.update({f"s{i}": normal((B, n), 0.5) for i, n in enumerate(sizes)})
    if mask:
        inputs["mask"] = MASKS[mask]
    CASES[name] = dict(form=form, cell=cell, rnn=rnn or {}, inputs=inputs,
                       states=[f"s{i}" for i in range(len(sizes))],
                       mask="mask" if mask else None)


SEQ_STATE = {"return_sequences": True, "return_state": True}
CELLS = {"simple": ["SimpleRNNCell", {"units": U}], "lstm": ["LSTMCell", {"units": U}],
         "gru": ["GRUCell", {"units": U}],
         "gru_before": ["GRUCell", {"units": U, "reset_after": False}]}
N_STATES = {"simple": 1, "lstm": 2, "gru": 1, "gru_before": 1}
for key, cell in CELLS.items():
    n = N_STATES[key]
    case(f"{key}_last", cell)
    case(f"{key}_seq_state", cell, SEQ_STATE)
    case(f"{key}_backwards", cell, {**SEQ_STATE, "go_backwards": True})
    case(f"{key}_initial_state", cell, SEQ_STATE, states=n)
    for pad in ("right", "left"):
        case(f"{key}_mask_{pad}", cell, SEQ_STATE, mask=pad)
    case(f"{key}_mask_left_initial_state", cell, SEQ_STATE, states=n, mask="left")
    case(f"{key}_mask_zero_output", cell, {**SEQ_STATE, "zero_output_for_mask": True},
         mask="right")
    case(f"{key}_mask_backwards", cell, {**SEQ_STATE, "go_backwards": True}, mask="right")
    case(f"{key}_cell_step", cell, form="cell", states=n)
case("lstm_mask_zero_output_last", CELLS["lstm"], {"zero_output_for_mask": True},
     mask="right")
case("lstm_relu_hard_sigmoid_nobias", ["LSTMCell", {
    "units": U, "activation": "relu", "recurrent_activation": "hard_sigmoid",
    "use_bias": False, "unit_forget_bias": False}], SEQ_STATE)
case("gru_nobias_linear", ["GRUCell", {"units": U, "use_bias": False,
                                       "activation": "linear"}], SEQ_STATE)
case("simple_relu_nobias", ["SimpleRNNCell", {"units": U, "activation": "relu",
                                              "use_bias": False}], SEQ_STATE)
case("stacked_lstm", [CELLS["lstm"], ["LSTMCell", {"units": 2}]], SEQ_STATE)
case("stacked_mixed_mask", [["SimpleRNNCell", {"units": U}], ["GRUCell", {"units": U}]],
     SEQ_STATE, states=2, mask="left")
case("stacked_lstm_gru_initial_state", [CELLS["lstm"], ["GRUCell", {"units": 2}]],
     {"return_state": True}, sizes=[U, U, 2])
case("minimal_cell", ["MinimalRNNCell", {"units": U}], SEQ_STATE)
case("minimal_cell_mask_backwards", ["MinimalRNNCell", {"units": U}],
     {"go_backwards": True}, mask="right")


# ---- running a case in Keras ---------------------------------------------------------------
def make_cell(entry):
    if isinstance(entry[0], list):
        return keras.layers.StackedRNNCells([make_cell(e) for e in entry])
    cls = MinimalRNNCell if entry[0] == "MinimalRNNCell" else getattr(keras.layers, entry[0])
    return cls(**entry[1])


def nest_states(cell, flat):
    """Flat initial states -> Keras' nesting (a list per stacked LSTM cell)."""
    if not flat or not isinstance(cell, keras.layers.StackedRNNCells):
        return list(flat)
    out, it = [], iter(flat)
    for c in cell.cells:
        k = len(c.state_size) if isinstance(c.state_size, (list, tuple)) else 1
        part = [next(it) for _ in range(k)]
        out.append(part if isinstance(c.state_size, (list, tuple)) else part[0])
    return out


def record(name, spec):
    keras.utils.clear_session()
    arrays = dict(spec.pop("inputs"))
    spec["inputs"] = ["x"]
    cell = make_cell(spec["cell"])
    layer = cell if spec["form"] == "cell" else keras.layers.RNN(cell, **spec["rnn"])
    mask = None if spec["mask"] is None else jnp.asarray(arrays[spec["mask"]])

    ntv = []                                     # set once built: the dropout seeds' state

    def run(tv, values):
        x = values["x"]
        states = nest_states(cell, [values[n] for n in spec["states"]])
        if spec["form"] == "cell":
            out, _ = layer.stateless_call(tv, ntv, x, states)
        else:
            kwargs = {"mask": mask} if mask is not None else {}
            if states:
                kwargs["initial_state"] = states
            out, _ = layer.stateless_call(tv, ntv, x, **kwargs)
        return jax.tree_util.tree_leaves(out)

    values = {n: jnp.asarray(arrays[n]) for n in ["x"] + spec["states"]}
    if spec["form"] == "cell":
        layer(values["x"], nest_states(cell, [values[n] for n in spec["states"]]))
    else:
        layer(values["x"])
    ntv = [v.value for v in layer.non_trainable_variables]
    assert all(w.trainable for w in layer.weights)
    weights = [normal(w.shape, 0.5) for w in layer.weights]
    layer.set_weights(weights)
    tv = [v.value for v in layer.trainable_variables]
    outs = [np.asarray(o) for o in run(tv, values)]
    cts = [cotangent(o.shape, i) for i, o in enumerate(outs)]

    def loss(tv, values):
        return sum(jnp.sum(a * c) for a, c in zip(run(tv, values), cts))

    g_tv, g_x = jax.grad(loss, argnums=(0, 1))(tv, values)
    by_var = {id(v): g for v, g in zip(layer.trainable_variables, g_tv)}
    out = dict(arrays)
    for i, (w, var) in enumerate(zip(weights, layer.weights)):
        out[f"w{i}"] = w
        out[f"gw{i}"] = np.asarray(by_var[id(var)])
    for i, o in enumerate(outs):
        out[f"y{i}"] = o
    for n in ["x"] + spec["states"]:
        out[f"g_{n}"] = np.asarray(g_x[n])
    spec["n_out"] = len(outs)
    return spec, out


def main():
    cases = {name: record(name, dict(spec)) for name, spec in CASES.items()}
    save_cases(OUT, cases)
    print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)} "
          f"({os.path.getsize(OUT) // 1024} KB)")


if __name__ == "__main__":
    main()
