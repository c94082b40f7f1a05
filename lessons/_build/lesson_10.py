"""Lesson 10: the cells of the learner's and the teacher's copy (see build_06_10.py)."""
# ruff: noqa: E501 -- long lines are notebook cell sources, kept as learners see them

from build_06_10 import HEADER, Lesson

L = Lesson("10_pretrained_and_transfer.ipynb")
L.md("""
# 10. Pretrained models and transfer learning

Training from scratch needs lots of labelled data. A model already trained on a related
task has learned useful features in its body; only its **head** is specific to the old
task. Transfer learning keeps the body, swaps the head, and trains only what must change.
""")
L.code(HEADER + "\n\nlayers = tk.layers\n%matplotlib inline\nimport matplotlib.pyplot as plt")
L.md("## What ships with tensorkit")
L.code("""
for entry in tk.pretrained.list():
    print(f"{entry['name']:15} input {tuple(entry['input_shape'])!s:17} "
          f"test accuracy {entry['test_accuracy']:.3f}")
""")
L.md("Load the digits CNN: a fresh, compiled model with trained weights.")
L.code("""
model = tk.pretrained.load("digits_cnn")
model.summary()
""")
L.code("widgets.GraphView(model)")
L.md("It does what it says on the held-out split it was scored on:")
L.code("""
x, y = tk.data.load_digits(as_images=True)
x_train, x_test, y_train, y_test = tk.data.train_test_split(x, y, test_size=0.2, seed=0)
loss, acc = model.evaluate(x_test, y_test, verbose=0)
print(f"10-digit test accuracy: {acc:.3f}")
""")
L.md("""
## A new task, with little data

New question: **is the digit 5 or more?** Two classes instead of ten, and only 100 labelled
images to learn from.
""")
L.code("""
big_train = (y_train.numpy() >= 5).astype("int32")
big_test = (y_test.numpy() >= 5).astype("int32")
x_small, y_small = x_train[:100], big_train[:100]
print("train:", x_small.shape, y_small.shape, " test:", x_test.shape, big_test.shape)
""")
L.md("""
## Pop the head, add a new one

`pop()` removes the last layer, the 10-way `head`. What is left ends in `flatten`, a
(None, 512) feature vector per image: that is what the new head receives.
""")
L.code("""
old_head = model.pop()
print("removed:", old_head.name, type(old_head).__name__)
print("last layer now:", model.layers[-1].name)
""")
L.md("""
## Freeze the body

`layer.trainable = False` keeps a layer's weights as they are during `fit`. Freeze every
layer of the body, then add the new head (trainable) and compile again.
""")
L.code("""
for layer in model.layers:
    layer.trainable = False
tk.random.seed(0)                     # the new head's initial weights
model.add(layers.Dense(2, activation="softmax", name="new_head"))
model.compile(optimizer=tk.optimizers.Adam(0.03), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
model.summary()
""")
L.md("""
`LayerPanel` shows the same thing, layer by layer; in JupyterLab you can untick or tick a
layer to freeze or unfreeze it, and the totals follow.
""")
L.code("widgets.LayerPanel(model)")
L.md("""
### The same head, from an inner layer's output

A model that starts with `tk.Input` keeps its graph: `base.input` is the input tensor and
each `layer.output` the tensor that layer made. `tk.Model(base.input, new_head(features))`
builds the new model from a fresh copy of the body without `pop()`, and gives the same
shape. `pop()`/`add()` suits a Sequential stack whose head is its last layer;
`layer.output` lets you branch from **any** inner layer, e.g. to put two heads on one body.
""")
L.code("""
base = tk.pretrained.load("digits_cnn")
features = base.layers[-2].output                    # flatten, under the head: (None, 512)
new_head = layers.Dense(2, activation="softmax")
functional = tk.Model(base.input, new_head(features))   # (None, 8, 8, 1) -> (None, 2)
print("pop/add:   ", model.output.shape)
print("functional:", functional.output.shape)
""")
L.md("## Train only the head")
L.code("""
frozen_body = model.get_layer("conv_2").get_weights()[0].copy()
history = model.fit(x_small, y_small, epochs=40, batch_size=32, verbose=0)
loss, acc = model.evaluate(x_test, big_test, verbose=0)
print(f"transfer, head only: test accuracy {acc:.3f}")
print("conv_2 unchanged:", np.array_equal(frozen_body, model.get_layer("conv_2").get_weights()[0]))
""")
L.md("""
## Compare: the same network from scratch

Same layers, random weights, the same 100 images and 40 epochs: every weight has to be
learned from those 100 images.
""")
L.code("""
tk.random.seed(0)
scratch = tk.Sequential([
    tk.Input(shape=(8, 8, 1)),
    layers.Conv2D(16, 3, padding="same", activation="relu"),
    layers.MaxPooling2D(2),
    layers.Conv2D(32, 3, padding="same", activation="relu"),
    layers.Flatten(),
    layers.Dense(2, activation="softmax"),
], name="scratch")
scratch.compile(optimizer=tk.optimizers.Adam(0.003), loss="sparse_categorical_crossentropy",
                metrics=["accuracy"])
scratch_history = scratch.fit(x_small, y_small, epochs=40, batch_size=32, verbose=0)
loss, acc = scratch.evaluate(x_test, big_test, verbose=0)
print(f"from scratch:        test accuracy {acc:.3f}")
""")
L.code("""
fig, ax = plt.subplots(figsize=(5, 2.5), dpi=72)
ax.plot(history.history["loss"], label="transfer (head only)")
ax.plot(scratch_history.history["loss"], label="from scratch")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.legend()
plt.show()
""")
L.md("""
## Fine-tune: unfreeze layer by layer

With the head trained, unfreeze the top of the body (`conv_2`) and train a little more
with a **small** learning rate, so the pretrained features are adjusted, not destroyed.
Compile again after changing `trainable`.
""")
L.code("""
model.get_layer("conv_2").trainable = True
model.compile(optimizer=tk.optimizers.Adam(0.0005), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
widgets.LayerPanel(model)
""")
L.code("""
fine_history = model.fit(x_small, y_small, epochs=10, batch_size=32, verbose=0)
loss, acc = model.evaluate(x_test, big_test, verbose=0)
print(f"after fine-tuning conv_2: test accuracy {acc:.3f}")
""")
L.md("""
Compare with the head-only number above. With only 100 images, unfreezing more weights
buys little and can overfit: fine-tuning pays off when there is more data for the new task.
""")
L.md("""
## Labels that don't fit the new head

A common slip: evaluating the new 2-class model with the old 10-digit labels.
""")
L.code("""
try:
    model.evaluate(x_test, y_test, verbose=0)          # y_test: digits 0..9
except ValueError as err:
    print(err)
""")
# ---- exercises
L.md("## Exercises")
L.exercise(
    "10.1", "predict the shape",
    """Load `digits_mlp` (its layers: `hidden_1`, `hidden_2`, `head`) and `pop()` its head.
What shape does the last remaining layer give — the input of a new head?""",
    "answer = None  # your answer: a shape tuple",
    "answer = (None, 32)",
    """mlp = tk.pretrained.load("digits_mlp")
mlp.pop()
expected = mlp.layers[-1].compute_output_shape(mlp.layers[-1].input_shape)
widgets.check(answer, expected, hint="Look at the Output Shape column of hidden_2 in mlp.summary().")""")
L.exercise(
    "10.2", "build the layer",
    """Build the new head that maps the CNN body's `(None, 512)` features to probabilities
of **3** classes, and call it on `tk.symbolic((None, 512))`.""",
    "answer = None  # your answer: a layer, called once on tk.symbolic((None, 512))",
    """answer = layers.Dense(3, activation="softmax")
output = answer(tk.symbolic((None, 512)))""",
    """widgets.check(answer, {"type": "Dense", "shape": (None, 3), "params": 512 * 3 + 3},
              hint="One unit per class; softmax makes probabilities.")""")
L.exercise(
    "10.3", "set trainable",
    """In a fresh `digits_cnn`, fine-tuning should change `conv_2` but keep `conv_1` as it
is. Freeze the right layer and make `answer` that layer.""",
    """cnn = tk.pretrained.load("digits_cnn")
answer = None  # your answer: the layer you froze, e.g. cnn.get_layer(...)""",
    """cnn = tk.pretrained.load("digits_cnn")
cnn.get_layer("conv_1").trainable = False
answer = cnn.get_layer("conv_1")""",
    """print("conv_2 still trainable:", cnn.get_layer("conv_2").trainable)
widgets.check(answer, {"type": "Conv2D", "name": "conv_1", "trainable": False},
              hint="layer.trainable = False on the layer whose weights must stay.")""")
L.md("""
## Summary

- `tk.pretrained.load(name)` gives a trained, compiled model; `summary()` shows its layers.
- `model.pop()` drops the head; `model.add(...)` puts a new one on the body's features.
  Or branch from any layer: `tk.Model(base.input, new_head(base.layers[-2].output))`.
- `layer.trainable = False` freezes a layer (`LayerPanel` shows it); compile after changing it.
- With little data, a frozen pretrained body + a new head trains few weights and did
  better here than the same network from scratch; then unfreeze the top layers and
  fine-tune with a small learning rate.
""")


def build():
    return L
