"""Lesson 08: the cells of the learner's and the teacher's copy (see build_06_10.py)."""
# ruff: noqa: E501 -- long lines are notebook cell sources, kept as learners see them

from build_06_10 import HEADER, Lesson

L = Lesson("08_rnns_and_lstms.ipynb")
L.md("""
# 8. RNNs and LSTMs: reading in order

A recurrent layer reads a sequence **(batch, time, features)** one step at a time, carrying
a **state** from step to step. You hand it the whole sequence at once; the loop over time
happens inside the layer. What comes out is either the last state, **(batch, units)**, or
one state per step, **(batch, time, units)**.
""")
L.code(HEADER + "\n\nlayers = tk.layers\n%matplotlib inline\nimport matplotlib.pyplot as plt")
L.md("## The whole sequence goes in at once")
L.code("""
rng = np.random.default_rng(0)
x = tk.tensor(rng.normal(size=(2, 5, 3)).astype("float32"))   # 2 sequences, 5 steps, 3 features
rnn = layers.SimpleRNN(4, name="rnn")
last = rnn(x)
print("x:   ", x.shape, "= (batch, time, features)")
print("last:", last.shape, "= (batch, units)")
""")
L.md("""
## `return_sequences=True`: one state per step

Same layer type, same weights, but now every step's state comes out. The last of them is
exactly what the layer above returned.
""")
L.code("""
rnn_seq = layers.SimpleRNN(4, return_sequences=True, name="rnn_seq")
rnn_seq.build(x.shape)
rnn_seq.set_weights(rnn.get_weights())          # the same weights as `rnn`
states = rnn_seq(x)
print("states:", states.shape, "= (batch, time, units)")
print("states[:, -1] == last:", np.allclose(states.numpy()[:, -1], last.numpy()))
""")
L.md("""
## Shapes per step

Inside, one step is two matrix products and a tanh:
`h_t = tanh(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`. Here is the loop written
out, with the shapes of step 0. It gives the same numbers as the layer.
""")
L.code("""
kernel, recurrent_kernel, bias = rnn.get_weights()          # NumPy arrays
print("kernel", kernel.shape, " recurrent_kernel", recurrent_kernel.shape, " bias", bias.shape)
h = np.zeros((2, 4), dtype="float32")                  # (batch, units)
for t in range(5):
    x_t = x.numpy()[:, t]                               # (batch, features)
    h = np.tanh(x_t @ kernel + h @ recurrent_kernel + bias)
    if t == 0:
        print(f"step {t}: x_t {x_t.shape} @ {kernel.shape} + h {h.shape} @ "
              f"{recurrent_kernel.shape} -> h {h.shape}")
print("my loop == SimpleRNN:", np.allclose(h, last.numpy(), atol=1e-6))
""")
L.md("Each row below is one step's state of the first sequence: time goes down.")
L.code("""
fig, ax = plt.subplots(figsize=(2.6, 2.4), dpi=72)
ax.imshow(states.numpy()[0], cmap="coolwarm", vmin=-1, vmax=1)
ax.set_xlabel("unit")
ax.set_ylabel("time step")
ax.set_title("states[0]")
plt.show()
""")
L.md("""
## LSTM: four gates and two states

An LSTM keeps two states, `h` (the output) and `c` (the cell). Its kernel holds four
blocks side by side — input, forget, cell and output gates — so it is `(features, 4 * units)`.
`return_state=True` also returns the final `h` and `c`.
""")
L.code("""
lstm = layers.LSTM(4, return_sequences=True, return_state=True, name="lstm")
seq, h, c = lstm(x)
print("sequence:", seq.shape, " h:", h.shape, " c:", c.shape)
for w in lstm.weights:
    print(f"{w.name:20} {w.shape}")
""")
L.md("`GRU` is a lighter relative with three gates; `Bidirectional` runs a layer forwards and backwards and concatenates the two, doubling the last axis:")
L.code("""
seq_in = tk.symbolic((None, 5, 3))
print("GRU(4):                 ", layers.GRU(4)(seq_in).shape)
print("Bidirectional(LSTM(4)): ", layers.Bidirectional(layers.LSTM(4, return_sequences=True))(seq_in).shape)
""")
L.md("""
## Stacking RNNs

An RNN needs (batch, time, features). The first LSTM below returns only its last state,
(batch, units), so the second has no time axis to read:
""")
L.code("""
try:
    tk.Sequential([tk.Input(shape=(10, 8)), layers.LSTM(16, name="first"),
                   layers.LSTM(8, name="second")])
except tk.ShapeError as err:
    print(err)
""")
L.md("## Words in order")
L.md("""
Lesson 7's average of word vectors couldn't read "not good". An LSTM reads the words in
order. Same data, same Embedding, an LSTM instead of the average:
""")
L.code("""
texts, labels = tk.data.sentiment(n=1000, seed=0)
vectorize = tk.data.TextVectorization(output_sequence_length=8)
vectorize.adapt(texts)
x_text = vectorize(texts)

model = tk.Sequential([
    tk.Input(shape=(8,), dtype="int32"),
    layers.Embedding(vectorize.vocabulary_size(), 8, mask_zero=True, name="embedding"),
    layers.LSTM(16, name="lstm"),
    layers.Dense(1, activation="sigmoid", name="head"),
], name="reader")
model.summary()
""")
L.code("widgets.GraphView(model)")
L.code("""
model.compile(optimizer=tk.optimizers.Adam(0.01), loss="binary_crossentropy",
              metrics=["accuracy"])
history = model.fit(x_text, labels, epochs=15, batch_size=32, validation_split=0.2, verbose=0)
print(f"validation accuracy: {history.history['val_accuracy'][-1]:.2f}")
for sentence in ["the food was good", "the food was not good", "the food was bad"]:
    p = model.predict(vectorize([sentence]), verbose=0)[0, 0]
    print(f"{p:.2f}  {sentence}")
""")
L.code("""
fig, ax = plt.subplots(figsize=(5, 2.5), dpi=72)
ax.plot(history.history["loss"], label="training loss")
ax.plot(history.history["val_loss"], label="validation loss")
ax.set_xlabel("epoch")
ax.legend()
plt.show()
""")
# ---- exercises
L.md("## Exercises")
L.exercise(
    "8.1", "predict the shape",
    """What does `LSTM(32, return_sequences=True)` give for an input of shape
`(None, 20, 8)`?""",
    "answer = None  # your answer: a shape tuple",
    "answer = (None, 20, 32)",
    """expected = layers.LSTM(32, return_sequences=True)(tk.symbolic((None, 20, 8))).shape
widgets.check(answer, expected, hint="return_sequences keeps the time axis; units set the last axis.")""")
L.exercise(
    "8.2", "predict the shape",
    """And `Bidirectional(GRU(16))` on `(None, 20, 8)`?""",
    "answer = None  # your answer: a shape tuple",
    "answer = (None, 32)",
    """expected = layers.Bidirectional(layers.GRU(16))(tk.symbolic((None, 20, 8))).shape
widgets.check(answer, expected, hint="Without return_sequences the time axis goes; two directions are concatenated.")""")
L.exercise(
    "8.3", "fix this error",
    """Fix the model from "Stacking RNNs" so it builds, and add `layers.Dense(1)` at the end:
make `answer` the fixed `tk.Sequential`.""",
    "answer = None  # your answer: tk.Sequential([tk.Input(shape=(10, 8)), ...])",
    """answer = tk.Sequential([tk.Input(shape=(10, 8)),
                        layers.LSTM(16, return_sequences=True, name="first"),
                        layers.LSTM(8, name="second"),
                        layers.Dense(1)])""",
    """lstm_params = lambda features, units: 4 * ((features + units) * units + units)
widgets.check(answer, {"shape": (None, 1), "params": lstm_params(8, 16) + lstm_params(16, 8) + 8 + 1},
              hint="The first LSTM must pass on every step.")""")
L.exercise(
    "8.4", "build the layer",
    """Build the LSTM that maps `(None, 12, 5)` to `(None, 12, 7)` and call it on
`tk.symbolic((None, 12, 5))`.""",
    "answer = None  # your answer: a layer, called once on tk.symbolic((None, 12, 5))",
    """answer = layers.LSTM(7, return_sequences=True)
output = answer(tk.symbolic((None, 12, 5)))""",
    """widgets.check(answer, {"type": "LSTM", "shape": (None, 12, 7)},
              hint="Which argument keeps the time axis?")""")
L.md("""
## Summary

- RNNs take **(batch, time, features)**, all steps at once; the loop is inside.
- Default: the last state **(batch, units)**; `return_sequences=True`: **(batch, time, units)**.
- LSTM: kernel `(features, 4 * units)`, states `h` and `c` (`return_state=True`).
- Stack RNNs with `return_sequences=True` on every one but the last.
""")


def build():
    return L
