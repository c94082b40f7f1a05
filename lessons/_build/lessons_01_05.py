"""The source of lessons 01-05: markdown, code and exercises (see build_01_05.py)."""

SETUP = """import numpy as np
import tensorkit as tk
import widgets

L = tk.layers
tk.random.seed(0)"""


def md(text):
    return ("md", text.strip())


def code(src):
    return ("code", src.strip())


def exercise(number, title, task, blank, answer, check):
    heading = f"### Exercise {number} — {title}\n\n{task.strip()}"
    return ("ex", (heading, blank.strip(), answer.strip(), check.strip()))


SHAPE_BLANK = "answer = None  # your answer: a shape tuple, e.g. (2, 3)"

# ---- 01 -------------------------------------------------------------------------------------
L01 = [
    md("""
# 1. Tensors

A **tensor** is a block of numbers with any number of axes: a single number, a row, a
table, a stack of tables... Everything a network reads, computes and learns is a tensor,
and the first question to ask of any tensor is: **what is its shape?**

This lesson: make tensors from lists and NumPy arrays; read their `shape`, rank and
`dtype`; and look at them with a `TensorView`."""),
    code(SETUP),
    md("""
## From a number to a block

`tk.tensor(...)` takes a number, a (nested) list or a NumPy array. The **shape** lists the
size of each axis; the **rank** (`ndim`) is how many axes there are."""),
    code("""
scalar = tk.tensor(3.0)
vector = tk.tensor([1.0, 2.0, 3.0])
matrix = tk.tensor([[1.0, 2.0, 3.0],
                    [4.0, 5.0, 6.0]])
for name, t in [("scalar", scalar), ("vector", vector), ("matrix", matrix)]:
    print(f"{name:7s} shape={t.shape}  rank={t.ndim}")"""),
    md("""
Read a shape from the outside in: `matrix` is **2 rows of 3 numbers**, so `(2, 3)`.
A scalar has no axes at all: its shape is the empty tuple `()`."""),
    md("""
## More axes

Nothing stops at two axes. Here is a block of 2 tables, each with 3 rows of 4 numbers,
made from a NumPy array:"""),
    code("""
block = tk.tensor(np.arange(24).reshape(2, 3, 4))
print(block.shape, "rank", block.ndim)
print(block)"""),
    md("""
Printing gets hard to read from three axes on. A **TensorView** draws the block instead: one
sheet per entry of the first axis, rows and columns inside."""),
    code("widgets.TensorView(block)"),
    md("""
## dtype: what kind of numbers

Every entry of a tensor has the same **dtype**. Whole numbers become integers; anything
with a decimal point becomes `float32`, the type networks compute in. `dtype=` or
`tk.cast` changes it."""),
    code("""
print(tk.tensor([1, 2, 3]).dtype)
print(tk.tensor([1.0, 2, 3]).dtype)
print(tk.tensor([1, 2, 3], dtype="float32").dtype)
print(tk.cast(block, "float32").dtype, "- the shape stays", tk.cast(block, "float32").shape)"""),
    md("""
## Indexing takes axes away

An integer index removes its axis; a slice `:` keeps it. Watch the shapes:"""),
    code("""
print("block          ", block.shape)
print("block[0]       ", block[0].shape, "   the first table")
print("block[0, 1]    ", block[0, 1].shape, "      its second row")
print("block[:, 1]    ", block[:, 1].shape, "   the second row of every table")
print("block[..., -1] ", block[..., -1].shape, "   the last column everywhere")
print("block[0, 1, 2] ", block[0, 1, 2].shape, "        one number")"""),
    md("""
## A tensor is a rectangle

Every row must have the same length: a ragged list is not a tensor. The error says what
is wrong and how to fix it; errors in this kit are meant to be read."""),
    code("""
try:
    tk.tensor([[1, 2, 3], [4, 5]])
except tk.ShapeError as error:
    print(error)"""),
    md("""
## Images are tensors too

The handwritten digits data set holds 1797 small images of 8×8 pixels with one grey
channel. A batch of images has the shape **(images, height, width, channels)**:"""),
    code("""
images, labels = tk.data.load_digits(as_images=True)
print("images", images.shape, images.dtype)
print("labels", labels.shape, labels.dtype)
print("first labels:", labels[:4].numpy())"""),
    md("""
A **BatchView** draws the first axis as a row of samples (click one to see it):"""),
    code("widgets.BatchView(images[:4])"),
    exercise("1.1", "predict the shape", """
What is the shape of `tk.tensor([[[1, 2]], [[3, 4]], [[5, 6]]])`? Count the brackets
from the outside in, write your answer as a tuple, then run the check.""",
             SHAPE_BLANK, "answer = (3, 1, 2)", """
t = tk.tensor([[[1, 2]], [[3, 4]], [[5, 6]]])
widgets.check(answer, t.shape, hint="Count the entries at each depth of brackets: the "
              "outermost list has 3.")"""),
    exercise("1.2", "predict the shape of one sample", """
`images` has the shape `(1797, 8, 8, 1)`. What is the shape of `images[0]`, the first
digit?""", SHAPE_BLANK, "answer = (8, 8, 1)", """
widgets.check(answer, images[0].shape, hint="An integer index removes its axis; the "
              "others stay.")"""),
    exercise("1.3", "build a batch of images", """
Make a tensor of zeros (`tk.zeros(shape)`) that could hold a batch of 5 colour images of
4×4 pixels with 3 channels (red, green, blue). Images are *channels last*.""",
             "answer = None  # your answer: tk.zeros(...)",
             "answer = tk.zeros((5, 4, 4, 3))", """
batch, height, width, channels = 5, 4, 4, 3
widgets.check(answer, (batch, height, width, channels),
              hint="Batch first, channels last: (batch, height, width, channels).")"""),
    md("""
## What you saw

- A tensor is a rectangular block of numbers; `shape` gives the size of each axis, `ndim`
  how many axes (its rank), `dtype` the kind of number.
- Integer indices remove axes, slices keep them.
- A batch of images is `(batch, height, width, channels)`.

Next: computing with tensors, and the graph every computation leaves behind."""),
]

# ---- 02 -------------------------------------------------------------------------------------
L02 = [
    md("""
# 2. Operations and the graph

Every `tk.*` operation takes tensors and gives a new one, and **records itself**: which
op, which input shapes, which output shape. Chain a few and you have an **operation graph**,
the same kind of graph a neural network is. This lesson reads those graphs, first with
data, then with no data at all."""),
    code(SETUP),
    md("""
## Ops make new tensors with new shapes

A batch of 4 samples with 3 features each, multiplied by a `(3, 2)` weight matrix, then
passed through `relu` (which sets negative numbers to 0):"""),
    code("""
rng = np.random.default_rng(0)
x = tk.tensor(rng.normal(size=(4, 3)), dtype="float32")
w = tk.tensor(rng.normal(size=(3, 2)), dtype="float32")
h = x @ w            # tk.matmul(x, w)
y = tk.relu(h)
print("x", x.shape, " w", w.shape, " ->  h", h.shape, " ->  y", y.shape)"""),
    md("""
`(4, 3) @ (3, 2)` gives `(4, 2)`: the inner sizes (3 and 3) must match and disappear.

## Recording a trace

Inside `with tk.trace() as g:`, every op is kept in `g`. A **ShapeTable** lists them, one
row per op, and highlights the axes whose size changed:"""),
    code("""
with tk.trace() as g:
    h = x @ w
    y = tk.relu(h)
    total = tk.sum(y, axis=1)
widgets.ShapeTable(g)"""),
    md("""
A **GraphView** draws the same ops as a graph: tensors flow along the arrows, and each
arrow is labelled with its shape."""),
    code("widgets.GraphView(g)"),
    md("""
## Reductions remove axes

`tk.sum`, `tk.mean` and `tk.max` collapse the axis you name; `keepdims=True` keeps it with
size 1. `axis=-1` means the last axis."""),
    code("""
cube = tk.ones((2, 3, 4))
for axis in (0, 1, 2):
    print(f"sum over axis {axis}:", tk.sum(cube, axis=axis).shape)
print("sum, keepdims:    ", tk.sum(cube, axis=-1, keepdims=True).shape)
print("sum of everything:", tk.sum(cube).shape)"""),
    md("""
## Shapes before data: symbolic tensors

A network is built before any data exists, and the number of samples in a batch is not
known yet. `tk.symbolic` makes a tensor that has only a shape, with `None` for the unknown
**batch** axis. Ops on it compute shapes, not numbers:"""),
    code("""
with tk.trace() as g2:
    inputs = tk.symbolic((None, 3), dims=("batch", "features"))
    hidden = tk.relu(inputs @ w)
    probs = tk.softmax(hidden, axis=-1)
print(probs)
g2"""),
    md("""
(A trace shows itself as its graph.) The batch axis, drawn in red, stays `None` all the
way through: the graph works for any number of samples.

## Errors arrive before data too

A shape that does not fit is caught when the op is *recorded*, so a mistake shows up while
you build, not halfway through training. Read the message: it names the op, the shapes, the
axis that disagrees and one fix."""),
    code("""
w_wrong = tk.ones((2, 3))
try:
    inputs @ w_wrong
except tk.ShapeError as error:
    print(error)"""),
    md("""
## A layer is a bundle of ops

`Dense(units)` is `x @ kernel + bias`, then its activation. Call one on a symbolic tensor
and trace it: the ShapeTable shows the ops inside and names the layer."""),
    code("""
dense = L.Dense(5, activation="relu", name="hidden")
with tk.trace() as g3:
    out = dense(tk.symbolic((None, 3)))
print("kernel", dense.kernel.shape, " bias", dense.bias.shape)
widgets.ShapeTable(g3)"""),
    exercise("2.1", "predict the shape", """
`seq = tk.symbolic((None, 5, 3))` is a batch of sequences: 5 time steps of 3 features.
What is the shape of `tk.sum(seq, axis=1)`?""", SHAPE_BLANK, "answer = (None, 3)", """
seq = tk.symbolic((None, 5, 3))
widgets.check(answer, tk.sum(seq, axis=1).shape,
              hint="A reduction removes the axis it sums over; None is still the batch.")"""),
    exercise("2.2", "predict the shape", """
What is the shape of `tk.symbolic((None, 4)) @ tk.ones((4, 7))` followed by `tk.softmax(...,
axis=-1)`?""", SHAPE_BLANK, "answer = (None, 7)", """
scores = tk.softmax(tk.symbolic((None, 4)) @ tk.ones((4, 7)), axis=-1)
widgets.check(answer, scores.shape, hint="matmul: (a, b) @ (b, c) gives (a, c); softmax "
              "keeps the shape.")"""),
    exercise("2.3", "fix this error", """
`feats` is `(None, 5)` and `proj` is `(3, 5)`. `feats @ proj` fails (try it and read the
message). Write the product that works, giving 3 numbers per sample.""",
             """
feats = tk.symbolic((None, 5))
proj = tk.ones((3, 5))
answer = None  # your answer: a fixed version of feats @ proj""",
             """
feats = tk.symbolic((None, 5))
proj = tk.ones((3, 5))
answer = feats @ tk.transpose(proj)""", """
widgets.check(answer, (feats.shape[0], proj.shape[0]),
              hint="The inner sizes must match: turn proj around with tk.transpose.")"""),
    md("""
## What you saw

- Every op records a node: op, input shapes, output shape. `tk.trace()` collects them;
  ShapeTable lists them, GraphView draws them.
- `None` stands for the batch size that is not known yet; symbolic tensors give every shape
  before any data, and catch shape mistakes while you build.
- A layer is a few ops with weights.

Next: the batch axis, broadcasting, and fixing shape errors."""),
]

# ---- 03 -------------------------------------------------------------------------------------
L03 = [
    md("""
# 3. Shapes, batches and broadcasting

Networks work on **batches**: many samples at once, stacked along the first axis. That
axis is always there, even for a single sample. This lesson follows shapes through the
functions that change them, and reads (and fixes) the errors when shapes don't fit."""),
    code(SETUP),
    md("""
## The batch axis is always there

A small model that reads 64 numbers (an 8×8 digit, flattened) and gives 10 scores:"""),
    code("""
model = tk.Sequential([tk.Input(shape=(64,)), L.Dense(10, activation="softmax")])
x, y = tk.data.load_digits()
print("data  ", x.shape)
print("model ", model.input_shape, "->", model.output_shape)"""),
    md("""
The model says `(None, 64)`: any number of samples, 64 features each. One sample on its
own is `(64,)`, which has no batch axis; the model refuses it and says how to fix it:"""),
    code("""
sample = x[0]
print("one sample:", sample.shape)
try:
    model(sample)
except tk.ShapeError as error:
    print(error)"""),
    md("""
`x[None]` (or `tk.expand_dims(x, 0)`) adds an axis of size 1 in front: a batch of one.
A slice `x[:1]` keeps the batch axis in the first place."""),
    code("""
print(sample[None].shape, tk.expand_dims(sample, 0).shape, x[:1].shape)
print("model(sample[None]) ->", model(sample[None]).shape)
print("model(x[:32])       ->", model(x[:32]).shape)"""),
    md("""
## Reshape: the same numbers, new axes

`tk.reshape` reads the numbers in order and refills them into a new shape: the count must
stay the same. `-1` means "whatever is left". A **ReshapeView** shows where each number
goes (hover over one)."""),
    code("""
flat = x[:32]                                 # (32, 64)
pictures = tk.reshape(flat, (-1, 8, 8, 1))    # (32, 64) -> (32, 8, 8, 1)
print(flat.shape, "->", pictures.shape)
widgets.ReshapeView((2, 6), "reshape", (3, 4))"""),
    md("""
A reshape that cannot keep the count fails:"""),
    code("""
try:
    tk.reshape(flat, (32, 7, 7))
except tk.ShapeError as error:
    print(error)"""),
    md("""
## Transpose: reorder the axes

`tk.transpose(t, axes)` moves axes around; the numbers follow their axes."""),
    code("""
seq = tk.ones((4, 5, 3))    # (batch, time, features)
print(tk.transpose(seq, (0, 2, 1)).shape, "(batch, features, time)")
widgets.ReshapeView((2, 3, 4), "transpose", axes=(0, 2, 1))"""),
    md("""
## Broadcasting

Adding a `(3,)` vector to a `(4, 3)` table adds it to every row: shapes are lined up **from
the right**, and an axis of size 1 (or a missing one) is stretched to fit. That is how
`Dense` adds its bias `(units,)` to a whole batch `(batch, units)`."""),
    code("""
table = tk.ones((4, 3))
print("(4, 3) + (3,)      ->", (table + tk.tensor([10.0, 20.0, 30.0])).shape)
print("(4, 3) + (4, 1)    ->", (table + tk.ones((4, 1))).shape)
print("(4, 1, 3) + (5, 1) ->", (tk.ones((4, 1, 3)) + tk.ones((5, 1))).shape)"""),
    md("""
Lined up from the right, `(4, 3)` and `(4,)` pair 3 with 4: an error. Read it, then
apply its fix:"""),
    code("""
row_means = tk.mean(table, axis=1)     # (4,): one number per row
try:
    table - row_means
except tk.ShapeError as error:
    print(error)"""),
    code("""
centered = table - row_means[:, None]  # (4, 3) - (4, 1)
print(centered.shape)"""),
    md("""
## Images into Dense: Flatten

Dense works on the last axis. Give it images and it keeps their height and width; usually
that is a mistake: `Flatten` first turns each image into one row of features."""),
    code("""
images = tk.symbolic((None, 8, 8, 1))
print("Dense on images:     ", L.Dense(10)(images).shape)
print("Flatten, then Dense: ", L.Dense(10)(L.Flatten()(images)).shape)
flat_model = tk.Sequential([tk.Input(shape=(8, 8, 1)), L.Flatten(), L.Dense(10)])
widgets.ShapeTable(flat_model)"""),
    md("""
Feeding images to the 64-feature model above, without flattening, is caught with a fix:"""),
    code("""
try:
    model(images)
except tk.ShapeError as error:
    print(error)"""),
    exercise("3.1", "predict the broadcast", """
What is the shape of `tk.ones((5, 1, 3)) + tk.ones((4, 1))`? Line the shapes up from the
right.""", SHAPE_BLANK, "answer = (5, 4, 3)", """
result = tk.ones((5, 1, 3)) + tk.ones((4, 1))
widgets.check(answer, result.shape, hint="Pad the shorter shape with 1s on the left, then "
              "every size-1 axis takes the other's size.")"""),
    exercise("3.2", "fix this error", """
`model(sample)` failed above because `sample` has no batch axis. Make `answer` the
model's output for this one sample.""",
             "answer = None  # your answer: model(...)",
             "answer = model(sample[None])", """
widgets.check(answer, (1,) + model.output_shape[1:],
              hint="Add a batch axis of size 1 in front: sample[None].")"""),
    exercise("3.3", "build the reshape", """
`flat` holds 32 digits as rows of 64 pixels. Reshape it into a batch of 8×8 images with
one channel, channels last, keeping all 32 samples.""",
             "answer = None  # your answer: tk.reshape(flat, ...)",
             "answer = tk.reshape(flat, (32, 8, 8, 1))", """
widgets.check(answer, tk.data.load_digits(as_images=True)[0][:32].shape,
              hint="(batch, height, width, channels); -1 can stand for the batch.")"""),
    md("""
## What you saw

- The first axis is the batch; a model's shapes start with `None`. One sample needs
  `x[None]` to become a batch of one.
- `reshape` keeps the numbers and their count, `transpose` reorders axes, reductions remove
  them, broadcasting lines shapes up from the right.
- Shape errors name the op, the shapes, the axis and a fix: read them, they are short.

Next: a first model that learns."""),
]

# ---- 04 -------------------------------------------------------------------------------------
L04 = [
    md("""
# 4. A first model

A model is layers in a row. Each layer turns its input shape into an output shape and owns
some weights; training adjusts the weights so the output gets closer to the answers. This
lesson builds models, picks the last layer and the loss for three kinds of task, and
trains them."""),
    code(SETUP),
    md("""
## Layers and Sequential

`Dense(units)` maps `(batch, inputs)` to `(batch, units)` with a kernel `(inputs, units)`
and a bias `(units,)`. `tk.Sequential` chains layers; `tk.Input(shape=...)` says what one
sample looks like (the batch axis is added for you)."""),
    code("""
model = tk.Sequential([
    tk.Input(shape=(64,)),
    L.Dense(32, activation="relu", name="hidden"),
    L.Dense(10, activation="softmax", name="digit"),
], name="digits")
model.summary()"""),
    md("""
The parameters are the weights: `hidden` has 64×32 + 32 = 2,080. `tk.utils.plot_model`
draws the same layers as boxes, each with its input and output shape, as Keras does (it
also saves the picture, here as `first_model.png` next to this notebook)."""),
    code("""
tk.utils.plot_model(model, to_file="first_model.png", show_shapes=True, show_layer_names=True)"""),
    md("""
A GraphView shows the model too; click a layer to open it into its ops."""),
    code("widgets.GraphView(model)"),
    md("""
## The last layer, its activation and the loss

The last layer decides what the model answers; the loss measures how wrong the answer is.

| task | example | last layer | loss |
|---|---|---|---|
| regression | a number | `Dense(1)` (no activation) | `"mse"` |
| binary | yes / no | `Dense(1, activation="sigmoid")`, a probability | `"binary_crossentropy"` |
| multi-class | one of k classes | `Dense(k, activation="softmax")`, k probabilities \
| `"sparse_categorical_crossentropy"` (labels 0..k-1) |

### Multi-class: which digit is it?"""),
    code("""
x, y = tk.data.load_digits()
x_train, y_train, x_test, y_test = x[:1500], y[:1500], x[1500:], y[1500:]
print("train", x_train.shape, y_train.shape, "  test", x_test.shape, y_test.shape)

model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=10, batch_size=32, verbose=0)
print("loss per epoch:", np.round(history.history["loss"], 3))"""),
    md("""
The loss falls epoch after epoch: the model learns. `evaluate` measures it on digits it
has never seen; `predict` gives one row of 10 probabilities per sample."""),
    code("""
loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"test loss {loss:.3f}, accuracy {accuracy:.3f}")
probs = model.predict(x_test[:5], verbose=0)
print("probs", probs.shape)
print("predicted", np.argmax(probs, axis=1), " true", y_test[:5].numpy())"""),
    md("""
### Binary: is it a zero?

One probability per sample: `Dense(1, sigmoid)`, labels 0 or 1, shaped like the output."""),
    code("""
is_zero = (y == 0).astype("float32")[:, None]   # (1797, 1): 1.0 for a zero, else 0.0
binary = tk.Sequential([tk.Input(shape=(64,)), L.Dense(16, activation="relu"),
                        L.Dense(1, activation="sigmoid")])
print("output", binary.output_shape, " labels", is_zero.shape)
binary.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
history = binary.fit(x[:1500], is_zero[:1500], epochs=5, verbose=0)
print("test accuracy %.3f" % binary.evaluate(x[1500:], is_zero[1500:], verbose=0)[1])"""),
    md("""
### Regression: a number

Predict the *ink* of a digit (its mean pixel value) from its pixels: one number, no
activation, mean squared error."""),
    code("""
ink = np.asarray(x).mean(axis=1, keepdims=True)  # (1797, 1)
regression = tk.Sequential([tk.Input(shape=(64,)), L.Dense(1)])
regression.compile(optimizer=tk.optimizers.Adam(0.05), loss="mse")
history = regression.fit(x[:1500], ink[:1500], epochs=20, verbose=0)
print("mse at the first and last epoch: %.5f -> %.5f"
      % (history.history["loss"][0], history.history["loss"][-1]))"""),
    md("""
### A wrong last layer

Ten classes but one output unit: the loss notices the labels don't fit and says so."""),
    code("""
wrong = tk.Sequential([tk.Input(shape=(64,)), L.Dense(1)])
wrong.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
try:
    wrong.fit(x_train, y_train, epochs=1, verbose=0)
except ValueError as error:
    print(error)"""),
    md("""
## Backprop in one cell

How does `fit` know which way to move each weight? For one batch it computes the loss,
then `backward()` gives the **gradient** of the loss for every weight: a tensor with
exactly the weight's shape, saying how the loss changes when that weight grows. The
optimizer steps each weight a little against its gradient. That is all of training."""),
    code("""
loss_fn = tk.losses.SparseCategoricalCrossentropy()
loss = loss_fn(y_train[:32], model(x_train[:32]))
loss.backward()
for weight in model.trainable_weights:
    print(f"{weight.name:14s} weight {weight.shape}  gradient {weight.grad.shape}")"""),
    exercise("4.1", "predict the shape", """
A model `Input(shape=(64,))`, `Dense(16, relu)`, `Dense(3, softmax)`: what is its output
shape?""", SHAPE_BLANK, "answer = (None, 3)", """
three = tk.Sequential([tk.Input(shape=(64,)), L.Dense(16, activation="relu"),
                       L.Dense(3, activation="softmax")])
widgets.check(answer, three.output_shape, hint="Dense(units) sets the last axis; the batch "
              "stays None.")"""),
    exercise("4.2", "build the last layer", """
A model must say whether an email is spam: one probability between 0 and 1. Build its
last layer (a `L.Dense(...)` with the right units and activation).""",
             "answer = None  # your answer: L.Dense(...)",
             'answer = L.Dense(1, activation="sigmoid")', """
spam = tk.Sequential([tk.Input(shape=(20,)), answer]) if answer is not None else None
widgets.check(answer, {"type": "Dense", "shape": (None, 1),
                       "activation": tk.activations.get("sigmoid")},
              hint="Binary: one unit, squeezed into 0..1 by an S-shaped activation.")"""),
    exercise("4.3", "predict the shape", """
What is the shape of `model.predict(x_test, verbose=0)` for the digits model trained
above?""", SHAPE_BLANK, "answer = (297, 10)", """
widgets.check(answer, model.predict(x_test, verbose=0).shape,
              hint="One row per test sample, one column per class.")"""),
    md("""
## What you saw

- `Sequential` chains layers; `summary()` lists each layer's output shape and weights.
- The last layer and the loss go together: `Dense(1)` + mse, `Dense(1, sigmoid)` + binary
  cross-entropy, `Dense(k, softmax)` + sparse categorical cross-entropy.
- `compile` picks the optimizer and loss, `fit` trains, `evaluate` and `predict` use it.
- Backprop gives each weight a gradient of its own shape.

Next: is the model learning, or memorising?"""),
]

# ---- 05 -------------------------------------------------------------------------------------
L05 = [
    md("""
# 5. Training and validation

A model can get better on the data it trains on while getting *worse* on new data: it
memorises instead of learning. The only way to see this is to keep some data aside, the
**validation** set, and watch both losses. This lesson watches them with a
`TrainingMonitor`, then tries three cures: dropout, early stopping, and a better choice
of optimizer and learning rate."""),
    code("%matplotlib inline\n" + SETUP),
    md("""
## Train, validation, test

Few training samples make overfitting quick to see: 150 digits to train on, 500 to
validate."""),
    code("""
x, y = tk.data.load_digits()
x_train, y_train = x[:150], y[:150]
x_val, y_val = x[1000:1500], y[1000:1500]
print("train", x_train.shape, " validation", x_val.shape)"""),
    md("""
## Watching overfitting

A big model (256 hidden units) for so few samples, trained for 40 epochs. The
`TrainingMonitor` draws both losses as training goes and marks where validation loss starts
to rise while training loss keeps falling."""),
    code("""
def mlp(dropout=0.0, l2=0.0):
    tk.random.seed(0)                   # every model here starts from the same weights
    penalty = tk.regularizers.L2(l2) if l2 else None          # see "Weight penalties" below
    layers = [tk.Input(shape=(64,)), L.Dense(256, activation="relu", kernel_regularizer=penalty)]
    if dropout:
        layers.append(L.Dropout(dropout))
    layers.append(L.Dense(10, activation="softmax"))
    model = tk.Sequential(layers)
    model.compile(optimizer=tk.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model

big = mlp()
history = big.fit(x_train, y_train, epochs=40, batch_size=16, validation_data=(x_val, y_val),
                  callbacks=[widgets.TrainingMonitor()], verbose=0)"""),
    md("""
Training loss heads to zero: the model knows its 150 digits by heart. Validation loss falls
at first, then climbs: past that point, more training makes it *worse* on new digits."""),
    code("""
best = int(np.argmin(history.history["val_loss"]))
print(f"best validation loss {history.history['val_loss'][best]:.3f} at epoch {best + 1}; "
      f"at the end {history.history['val_loss'][-1]:.3f}")
print(f"accuracy: train {history.history['accuracy'][-1]:.2f}, "
      f"validation {history.history['val_accuracy'][-1]:.2f}")"""),
    md("""
## Dropout

`Dropout(rate)` sets a random `rate` of its inputs to 0 at each training step (and does
nothing at prediction time), so the model cannot lean on any single unit. It changes no
shape:"""),
    code("""
print(L.Dropout(0.5)(tk.symbolic((None, 256))).shape)
print(L.Dropout(0.5)(tk.ones((1, 8)), training=True).numpy())  # kept ones scale by 2"""),
    code("""
dropped = mlp(dropout=0.5)
history_drop = dropped.fit(x_train, y_train, epochs=40, batch_size=16,
                           validation_data=(x_val, y_val), verbose=0)
history_drop.plot(["loss", "val_loss"])"""),
    md("""
Compare the two runs: the best validation loss each reached, and the validation accuracy
at the end."""),
    code("""
for name, h in [("without dropout", history), ("with dropout", history_drop)]:
    print(f"{name:16s} best val_loss {min(h.history['val_loss']):.3f}, "
          f"final val_accuracy {h.history['val_accuracy'][-1]:.3f}")"""),
    md("""
Dropout gets a little further before overfitting sets in. On 150 samples it cannot stop
overfitting on its own: it is one tool among several, used with the next ones."""),
    md("""
## Weight penalties (L2)

A model that memorises tends to grow large weights. `kernel_regularizer=tk.regularizers.L2(3e-4)`
makes `fit` minimise the loss **plus** `0.0003 * sum(kernel ** 2)`, so every large weight
costs something. The penalty is one number, a tensor of shape `()`, listed in
`model.losses`; the loss `fit` reports includes it (as in Keras)."""),
    code("""
penalized = mlp(l2=3e-4)
print([p.shape for p in penalized.losses], "penalty now: %.4f" % penalized.losses[0].item())
history_l2 = penalized.fit(x_train, y_train, epochs=40, batch_size=16,
                           validation_data=(x_val, y_val), verbose=0)
print("penalty after training: %.4f" % penalized.losses[0].item())"""),
    code("""
for name, h in [("plain", history), ("dropout 0.5", history_drop), ("L2 3e-4", history_l2)]:
    print(f"{name:12s} final val_loss {h.history['val_loss'][-1]:.3f}, "
          f"final val_accuracy {h.history['val_accuracy'][-1]:.3f}")"""),
    md("""
With the penalty, validation loss climbs much less by the end, and the final model is more
accurate on digits it never saw. Too strong a penalty (try `l2=1e-2`) keeps the weights too
small to fit even the training digits."""),
    md("""
## Early stopping

Or stop when validation loss has not improved for `patience` epochs, and go back to the
best weights:"""),
    code("""
stopper = tk.callbacks.EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
early = mlp()
history_early = early.fit(x_train, y_train, epochs=40, batch_size=16,
                          validation_data=(x_val, y_val), callbacks=[stopper], verbose=0)
print("ran", len(history_early.history["val_loss"]), "of 40 epochs; best epoch",
      stopper.best_epoch + 1)
print("validation loss of the kept weights: %.3f" % early.evaluate(x_val, y_val, verbose=0)[0])"""),
    md("""
## Optimizers and learning rates

The optimizer decides how far each step moves the weights. Too small a learning rate and
the loss barely moves; too large and it jumps around or blows up. The same small model,
trained with four settings on all 1000 training digits:"""),
    code("""
from matplotlib.figure import Figure

settings = {"SGD 0.01": tk.optimizers.SGD(0.01), "SGD 0.5": tk.optimizers.SGD(0.5),
            "Adam 0.01": tk.optimizers.Adam(0.01), "Adam 0.3": tk.optimizers.Adam(0.3)}
fig = Figure(figsize=(6, 3.2), layout="constrained")
ax = fig.subplots()
for name, optimizer in settings.items():
    tk.random.seed(0)                        # the same starting weights for each
    model = tk.Sequential([tk.Input(shape=(64,)), L.Dense(32, activation="relu"),
                           L.Dense(10, activation="softmax")])
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")
    h = model.fit(x[:1000], y[:1000], epochs=10, batch_size=32,
                  validation_data=(x_val, y_val), verbose=0)
    ax.plot(range(1, 11), h.history["val_loss"], marker="o", label=name)
    print(f"{name:10s} val_loss after 1 epoch {h.history['val_loss'][0]:7.3f}, "
          f"after 10 {h.history['val_loss'][-1]:7.3f}")
ax.set_xlabel("epoch"); ax.set_ylabel("val_loss"); ax.set_yscale("log"); ax.legend()
fig"""),
    md("""
Plain SGD at 0.01 barely moves in 10 epochs, and at 0.5 it does well: its rate must be
tuned. Adam adapts its step for each weight and works over a wide range of rates (about
0.001 to 0.01). Any optimizer fails when the rate is far too large (Adam at 0.3)."""),
    exercise("5.1", "predict the shape", """
Dropout changes values, not shapes. What is the shape of `L.Dropout(0.3)` applied to
`tk.symbolic((None, 128))`?""", SHAPE_BLANK, "answer = (None, 128)", """
widgets.check(answer, L.Dropout(0.3)(tk.symbolic((None, 128))).shape,
              hint="Dropout keeps every axis as it is.")"""),
    exercise("5.2", "predict the shape of a history", """
`history_early.history["val_loss"]` holds one number per epoch that ran. What is the
shape of `np.array(history_early.history["val_loss"])`? (Read how many epochs ran above.)""",
             SHAPE_BLANK, "answer = (len(history_early.history['val_loss']),)", """
widgets.check(answer, np.array(history_early.history["val_loss"]).shape,
              hint="One axis, as long as the number of epochs that ran before stopping.")"""),
    exercise("5.3", "build the layer", """
Build a dropout layer that drops 30% of its inputs during training.""",
             "answer = None  # your answer: L.Dropout(...)",
             "answer = L.Dropout(0.3)", """
widgets.check(answer, {"type": "Dropout", "rate": 0.3},
              hint="The rate is the fraction dropped, between 0 and 1.")"""),
    exercise("5.4", "predict the shape of the penalties", """
A model has two Dense layers, each with `kernel_regularizer=tk.regularizers.L2(1e-3)`.
`model.losses` holds one penalty per regularized weight. What is the shape of
`tk.stack(model.losses)`?""", SHAPE_BLANK, "answer = (2,)", """
two = tk.Sequential([tk.Input(shape=(4,)),
                     L.Dense(3, kernel_regularizer=tk.regularizers.L2(1e-3)),
                     L.Dense(2, kernel_regularizer=tk.regularizers.L2(1e-3))])
widgets.check(answer, tk.stack(two.losses).shape,
              hint="Each penalty is one number, shape (); stacking n of them gives (n,).")"""),
    md("""
## What you saw

- Keep validation data aside; training loss alone cannot tell learning from memorising.
- Overfitting: training loss falls while validation loss rises. The TrainingMonitor marks
  where.
- Dropout, weight penalties (`kernel_regularizer`, in `model.losses`) and early stopping
  fight it; the optimizer and its learning rate decide whether training works at all.

Next: images, and layers made for them."""),
]

LESSONS = {
    "01_tensors.ipynb": L01,
    "02_operations_and_graphs.ipynb": L02,
    "03_shapes_batches_broadcasting.ipynb": L03,
    "04_first_model.ipynb": L04,
    "05_training_and_validation.ipynb": L05,
}
