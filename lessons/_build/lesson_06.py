"""Lesson 06: the cells of the learner's and the teacher's copy (see build_06_10.py)."""
# ruff: noqa: E501 -- long lines are notebook cell sources, kept as learners see them

from build_06_10 import HEADER, Lesson

L = Lesson("06_images.ipynb")
L.md("""
# 6. Images: Conv2D and pooling

An image batch is a 4-D tensor **(batch, height, width, channels)** — "NHWC", the layout
Keras and TensorFlow.js use. In this lesson you follow that shape through convolution,
pooling and flattening, and train a small network on handwritten digits.
""")
L.code(HEADER + "\n\nlayers = tk.layers\n%matplotlib inline\nimport matplotlib.pyplot as plt")
L.md("""
## The digits, as images

`load_digits(as_images=True)` gives 1,797 grey images of 8×8 pixels. Grey means **one**
channel, and the channel axis is still there: it is the last axis.
""")
L.code("""
x, y = tk.data.load_digits(as_images=True)
print("images:", x.shape)     # (batch, height, width, channels)
print("labels:", y.shape)
""")
L.md("`BatchView` draws a batch: one picture per sample along axis 0.")
L.code("widgets.BatchView(x[:8])")
L.md("""
## One convolution

`Conv2D(filters, kernel_size)` slides a small window (here 3×3) over height and width.
At every position it mixes all input channels into `filters` output numbers, so the
**last axis becomes `filters`**. With the default `padding="valid"` the window must fit
inside the image, so an 8-pixel side loses `kernel_size - 1 = 2` pixels.
""")
L.code("""
conv = layers.Conv2D(4, 3, name="conv")
out = conv(x[:2])                # two images
print("in: ", x[:2].shape)
print("out:", out.shape)
print("kernel:", conv.kernel.shape, "= (kh, kw, in_channels, filters)")
""")
L.md("""
## Padding and strides change height and width

- `padding="same"` pads the border so the output keeps the input's size;
- `strides=2` moves the window two pixels at a time, halving height and width.

The channel axis only depends on `filters`.
""")
L.code("""
img = tk.symbolic((None, 8, 8, 1))       # a shape with no data: None is the batch
for kwargs in [dict(), dict(padding="same"), dict(strides=2), dict(padding="same", strides=2)]:
    out = layers.Conv2D(4, 3, **kwargs)(img)
    print(f"Conv2D(4, 3, {kwargs})".ljust(48), out.shape)
""")
L.md("""
## Pooling

`MaxPooling2D(2)` keeps the largest value of each 2×2 block: height and width halve, the
channels stay as they are. It has no weights.
""")
L.code("""
pool = layers.MaxPooling2D(2)
print(pool(tk.symbolic((None, 8, 8, 4))).shape)
""")
L.md("""
## A small CNN, shape by shape

Convolutions and pooling make the image smaller and the channels deeper; `Flatten` turns
each sample's (height, width, channels) block into one vector for the `Dense` head.
""")
L.code("""
model = tk.Sequential([
    tk.Input(shape=(8, 8, 1)),
    layers.Conv2D(8, 3, padding="same", activation="relu", name="conv_1"),
    layers.MaxPooling2D(2, name="pool"),
    layers.Conv2D(16, 3, activation="relu", name="conv_2"),
    layers.Flatten(name="flatten"),
    layers.Dense(10, activation="softmax", name="head"),
], name="cnn")
model.summary()
""")
L.md("The shape table lists every op inside the layers; the axes that changed are marked.")
L.code("widgets.ShapeTable(model)")
L.md("The same model as a graph: each edge carries the shape flowing along it.")
L.code("widgets.GraphView(model)")
L.md("""
## When shapes don't fit

Without `Flatten`, `Dense` works on the **last axis only**: no error, but every pixel
position gets its own 10 scores. Look at the output shape: that is not one prediction per
image.
""")
L.code("""
no_flatten = tk.Sequential([tk.Input(shape=(8, 8, 1)),
                            layers.Conv2D(8, 3, activation="relu"),
                            layers.Dense(10, activation="softmax")])
print(no_flatten.output_shape)
""")
L.md("""
The other way round is an error. `load_digits()` without `as_images` gives flat rows of 64
pixels, and a convolution needs height and width. Read the message: it names the layer,
the shapes, what was expected and a fix.
""")
L.code("""
flat_x, _ = tk.data.load_digits()
print("flat:", flat_x.shape)
try:
    tk.Sequential([tk.Input(shape=(64,)), layers.Conv2D(8, 3)])
except tk.ShapeError as err:
    print(err)
""")
L.md("A kernel larger than what is left of the image is an error too:")
L.code("""
try:
    tk.Sequential([tk.Input(shape=(8, 8, 1)), layers.MaxPooling2D(4),
                   layers.Conv2D(8, 3)])
except tk.ShapeError as err:
    print(err)
""")
L.md("""
## Train it

Hold out 20% of the digits for testing, train for a few epochs and plot the loss.
""")
L.code("""
x_train, x_test, y_train, y_test = tk.data.train_test_split(x, y, test_size=0.2, seed=0)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=10, batch_size=32, validation_split=0.2,
                    verbose=0)
loss, acc = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy: {acc:.2f}")
""")
L.code("""
fig, ax = plt.subplots(figsize=(5, 2.5), dpi=72)
ax.plot(history.history["loss"], label="training loss")
ax.plot(history.history["val_loss"], label="validation loss")
ax.set_xlabel("epoch")
ax.legend()
plt.show()
""")
L.md("""
## What the first layer sees

Each of the 8 filters of `conv_1` gives one channel of the output: one 8×8 **feature map**
per filter. Calling the trained layer on one image shows them.
""")
L.code("""
maps = model.get_layer("conv_1")(x_test[:1])        # (1, 8, 8, 1) -> (1, 8, 8, 8)
print(maps.shape)
fig, axes = plt.subplots(1, 9, figsize=(9, 1.3), dpi=60)
axes[0].imshow(x_test[0].numpy()[..., 0], cmap="gray_r")
axes[0].set_title("input")
for i in range(8):
    axes[i + 1].imshow(maps[0].numpy()[..., i], cmap="viridis")
    axes[i + 1].set_title(f"filter {i}")
for a in axes:
    a.axis("off")
plt.show()
""")
L.md("""
## Every layer at once

A model that starts with `tk.Input` keeps the graph of its layers: `model.input` is its
input tensor and each `layer.output` the tensor that layer made from it (shapes, no data).
A new `tk.Model` from that input to **every** layer's output predicts all of them in one
go: a list with one array per layer, so you can watch the shape walk through the network.
""")
L.code("""
activations = tk.Model(model.input, [layer.output for layer in model.layers])
outputs = activations.predict(x_test[:1], verbose=0)   # a list: one array per layer
print(f"{'input':8}", x_test[:1].shape)
for layer, out in zip(model.layers, outputs):
    print(f"{layer.name:8}", out.shape)
""")
L.md("""
By `conv_2` the image is down to 2×2 pixels, but 16 channels deep: each feature map says
roughly *where* in the digit its filter found its pattern. Here are the first 8.
""")
L.code("""
by_name = {layer.name: out for layer, out in zip(model.layers, outputs)}
maps_2 = by_name["conv_2"]                           # (1, 2, 2, 16)
fig, axes = plt.subplots(1, 9, figsize=(9, 1.3), dpi=60)
axes[0].imshow(x_test[0].numpy()[..., 0], cmap="gray_r")
axes[0].set_title("input")
for i in range(8):
    axes[i + 1].imshow(maps_2[0, ..., i], cmap="viridis")
    axes[i + 1].set_title(f"filter {i}")
for a in axes:
    a.axis("off")
plt.show()
""")
# ---- exercises
L.md("## Exercises")
L.exercise(
    "6.1", "predict the shape",
    """A batch of colour photos has shape `(None, 28, 28, 3)`. What comes out of
`Conv2D(16, 5)` (valid padding, stride 1)? Answer with a tuple, batch axis first.""",
    "answer = None  # your answer: a shape tuple such as (None, 1, 2, 3)",
    "answer = (None, 24, 24, 16)",
    """expected = layers.Conv2D(16, 5).compute_output_shape((None, 28, 28, 3))
widgets.check(answer, expected, hint="valid padding loses kernel_size - 1 pixels; filters set the channels.")""")
L.exercise(
    "6.2", "predict the shape",
    """Now `(None, 32, 32, 3)` goes through `Conv2D(8, 3, padding="same")` and then
`MaxPooling2D(2)`. What is the shape at the end?""",
    "answer = None  # your answer: a shape tuple",
    "answer = (None, 16, 16, 8)",
    """expected = layers.MaxPooling2D(2)(layers.Conv2D(8, 3, padding="same")(tk.symbolic((None, 32, 32, 3)))).shape
widgets.check(answer, expected, hint="'same' keeps height and width; pooling by 2 halves them.")""")
L.exercise(
    "6.3", "fix this error",
    """This model fails to build: the digits come flat, `(None, 64)`.

```python
tk.Sequential([tk.Input(shape=(64,)),
               layers.Conv2D(8, 3, activation="relu"),
               layers.Flatten(),
               layers.Dense(10, activation="softmax")])
```

Make `answer` the same model with **one layer added** so that it builds and gives
`(None, 10)`. The error message above says which.""",
    """answer = None  # your answer: the fixed tk.Sequential([...])""",
    """answer = tk.Sequential([tk.Input(shape=(64,)),
                        layers.Reshape((8, 8, 1)),
                        layers.Conv2D(8, 3, activation="relu"),
                        layers.Flatten(),
                        layers.Dense(10, activation="softmax")])""",
    """conv_params = 3 * 3 * 1 * 8 + 8                 # kh * kw * in * filters + filters
dense_params = (6 * 6 * 8) * 10 + 10               # (after a valid 3x3 conv on 8x8) * units + units
widgets.check(answer, {"shape": (None, 10), "params": conv_params + dense_params},
              hint="Put the 64 pixels back into an 8x8 image with one channel before the Conv2D.")""")
L.exercise(
    "6.4", "build the layer",
    """Build the layer that maps `(None, 8, 8, 1)` to `(None, 8, 8, 16)` with 3×3 kernels,
and call it once on `tk.symbolic((None, 8, 8, 1))` so that it has a shape.""",
    """answer = None  # your answer: a layer, called on tk.symbolic((None, 8, 8, 1))""",
    """answer = layers.Conv2D(16, 3, padding="same")
output = answer(tk.symbolic((None, 8, 8, 1)))""",
    """widgets.check(answer, {"type": "Conv2D", "shape": (None, 8, 8, 16), "kernel_size": (3, 3)},
              hint="Which padding keeps height and width? Which argument sets the channels?")""")
L.exercise(
    "6.5", "predict the shape",
    """`activations` gives one array per layer of `model`, in the order of `model.layers`.
What shape does `activations.predict(x_test[:5], verbose=0)[1]` have? Five images go in,
so the batch axis is a number, not `None`.""",
    "answer = None  # your answer: a shape tuple",
    "answer = (5, 4, 4, 8)",
    """expected = activations.predict(x_test[:5], verbose=0)[1].shape
widgets.check(answer, expected, hint="Index 1 is the second layer, pool: it halves conv_1's height and width and keeps its 8 channels.")""")
L.md("""
## Summary

- Images are **(batch, height, width, channels)**; grey images have 1 channel.
- `Conv2D(filters, k)` changes the channels to `filters`; `"valid"` loses `k - 1` pixels,
  `"same"` keeps the size, `strides` divide it.
- `MaxPooling2D(2)` halves height and width and keeps the channels.
- `Flatten` before `Dense`, or `Dense` scores every pixel position separately.
- `tk.Model(model.input, [layer.output for layer in model.layers])` predicts every
  layer's output at once: the shape walk, and the feature maps to draw.

Next: text, where the axes are (batch, time).
""")


def build():
    return L
