"""Lesson 15 (it follows lesson 10 in the path): the cells of the learner's and the teacher's
copy (see build_06_10.py; build it with ``.venv/bin/python lessons/_build/build_06_10.py 15``)."""
# ruff: noqa: E501 -- long lines are notebook cell sources, kept as learners see them

from build_06_10 import HEADER, Lesson

NODE_IGNORE = """# NBVAL_IGNORE_OUTPUT
# (nbval skips this output: it depends on whether Node.js and web/node_modules are installed.
#  The assert below still stops the cell if TensorFlow.js disagrees with tensorkit.)
"""

L = Lesson("15_model_in_a_web_page.ipynb")
L.md("""
# 15. Your model in a web page

This lesson follows lesson 10: you take the pretrained digits CNN, give it a head you train
yourself, and then move it **out of Python**. `tk.export.to_tfjs` writes the model in the
TensorFlow.js Layers format (`model.json` + weight files), which
[TensorFlow.js](https://www.tensorflow.org/js) loads in a web browser or in Node.js. You will
open the files and find the same shapes as `model.get_weights()`, load them back into
tensorkit, run the *real* TensorFlow.js on the same images, and finally open a web page that
classifies digits from your webcam with your model.

Shapes to watch: one image is `(1, 8, 8, 1)`, its probabilities `(1, 10)`, and the weights
keep their shapes all the way into the browser.
""")
L.code(HEADER + """

layers = tk.layers
import json
import pathlib
import shutil
import subprocess
import tempfile""")
L.md("""
## Your own model: a new head on the pretrained body

As in lesson 10: load `digits_cnn`, `pop()` its head, freeze the body, add a new head and
train only that, here on 300 images for 10 epochs (a second or two). The new head answers
the same question as the old one, the digit 0-9, so its output is `(None, 10)`.
""")
L.code("""
x, y = tk.data.load_digits(as_images=True)
x_train, x_test, y_train, y_test = tk.data.train_test_split(x, y, test_size=0.2, seed=0)

model = tk.pretrained.load("digits_cnn")
model.name = "my_digits"                           # the name the web page will show
model.pop()                                        # drop the old head
for layer in model.layers:
    layer.trainable = False                        # freeze the body
tk.random.seed(0)                                  # the new head's initial weights
model.add(layers.Dense(10, activation="softmax", name="my_head"))
model.compile(optimizer=tk.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
history = model.fit(x_train[:300], y_train[:300], epochs=10, batch_size=32, verbose=0)
loss, acc = model.evaluate(x_test, y_test, verbose=0)
print(f"test accuracy with my_head: {acc:.3f}")
model.summary()
""")
L.md("""
## Export: a folder for the browser

`tk.export.to_tfjs(model, folder, metadata=...)` writes the folder. The web page of this kit
lives in `web/` at the top of the repository and is served from there, so the model goes
into `web/model/my_digits/` (git ignores everything under `web/model/`: exports are yours,
never part of the repository). If this notebook is not inside the repository (a copy on a
course server), it exports to a temporary folder instead and says so.

`metadata` is any JSON you like; it travels inside `model.json`. The page reads two keys:
`labels` (a name per output) and `preprocess` (how to turn a webcam photo into what the
model was trained on: grey, inverted and contrast-stretched, as the training digits are
bright ink on black).
""")
L.code("""
here = pathlib.Path.cwd().resolve()
WEB = next((p / "web" for p in [here, *here.parents] if (p / "web" / "predict_node.js").exists()), None)
if WEB is not None:
    EXPORT = WEB / "model" / "my_digits"
    print("exporting to web/model/my_digits/ (in the repository)")
else:
    EXPORT = pathlib.Path(tempfile.mkdtemp()) / "my_digits"
    print("web/ not found above this notebook: exporting to a temporary folder,", EXPORT)

metadata = {"labels": [str(d) for d in range(10)],
            "preprocess": {"invert": True, "stretch": True, "channels": 1, "image_shape": [8, 8, 1]},
            "source": "lesson 15: digits_cnn body + my_head"}
tk.export.to_tfjs(model, EXPORT, metadata=metadata)
for f in sorted(EXPORT.iterdir()):
    print(f"  {f.name:22}", "JSON text" if f.suffix == ".json" else f"{f.stat().st_size:,} bytes")
""")
L.md("""
Two kinds of file:

- **`model.json`**: text. What the layers are (the *topology*: each layer's class and
  settings, the input shape) and a **weights manifest**: the name, shape and dtype of every
  weight, and which `.bin` files hold them.
- **`group1-shard1of1.bin`**: binary. Every weight's numbers as 4-byte floats (`float32`),
  one weight after the other in the manifest's order, nothing else. Big models are cut into
  several shards of at most 4 MB (`group1-shard1of3.bin`, ...), so a browser can fetch them
  in pieces.

## Inside model.json: the layers
""")
L.code("""
doc = json.loads((EXPORT / "model.json").read_text())
print("top-level keys:", list(doc))
print("format:", doc["format"], "| model:", doc["modelTopology"]["class_name"])
for entry in doc["modelTopology"]["config"]["layers"]:
    config = entry["config"]
    extra = f"  batch_input_shape {config['batch_input_shape']}" if "batch_input_shape" in config else ""
    print(f"  {entry['class_name']:13} {config['name']:8} trainable={config['trainable']}{extra}")
print("metadata:", doc["userDefinedMetadata"]["labels"])
""")
L.md("""
The first layer carries `batch_input_shape` `[None, 8, 8, 1]`: JSON writes Python's `None`
(the batch, any size) as `null`. The frozen layers say `trainable=False`: the file remembers
what was frozen, in case someone trains it further in the browser.

## Inside model.json: the weights manifest

Each entry names a weight `layer/weight` and gives its shape. Put them next to
`model.get_weights()`: the same weights, in the same order, with the same shapes.
""")
L.code("""
manifest = doc["weightsManifest"][0]
print("files:", manifest["paths"])
print(f"{'name':15} {'manifest shape':16} {'get_weights() shape':20} dtype")
for spec, w in zip(manifest["weights"], model.get_weights()):
    print(f"{spec['name']:15} {str(spec['shape']):16} {str(w.shape):20} {spec['dtype']}")
""")
L.md("""
Kernels keep Keras's layout: Conv2D `(kernel height, kernel width, in channels, filters)`,
Dense `(inputs, units)`. So the shard is simply all these numbers, flattened and placed one
after the other. Read it back with NumPy, cut it by the manifest's shapes, and you get
`model.get_weights()` exactly:
""")
L.code("""
flat = np.fromfile(EXPORT / manifest["paths"][0], dtype="<f4")    # little-endian float32
print("numbers in the shard:", flat.shape, "= model.count_params():", model.count_params())
start = 0
for spec, w in zip(manifest["weights"], model.get_weights()):
    size = int(np.prod(spec["shape"]))
    piece = flat[start:start + size].reshape(spec["shape"])
    start += size
    print(f"  {spec['name']:15} {size:5} numbers -> {tuple(spec['shape'])!s:15} equal: {np.array_equal(piece, w)}")
""")
L.md("""
## Load it back into tensorkit

`tk.models.load_tfjs(folder)` reads such a folder (also one saved by TensorFlow.js itself)
into a tensorkit model. Nothing in the files is run as code: the layers are rebuilt from
tensorkit's own classes and the weights are checked against the manifest. The same images
give the same probabilities, to the last bit.
""")
L.code("""
back = tk.models.load_tfjs(EXPORT)
back.summary()
""")
L.code("""
one = x_test[:1]                       # one image: a batch of one
print("input:", one.shape)
p_model, p_back = model.predict(one), back.predict(one)
print("probabilities:", p_model.shape, "| predicted digit:", p_model.argmax(axis=1), "| label:", y_test[:1].numpy())
five = x_test[:5]
print("five images:", five.shape, "->", back.predict(five).shape)
print("identical predictions:", np.array_equal(model.predict(five), back.predict(five)))
""")
L.md("""
## The real TensorFlow.js, in Node

Now the actual TensorFlow.js library (the npm package `@tensorflow/tfjs`, which `make setup`
installs into `web/node_modules`) loads the folder and predicts the same five images.
`web/predict_node.js` is a small Node.js script: it reads a request file (the model folder
and input tensors as nested numbers with their shapes), loads the model the way a browser
does (`tf.loadLayersModel`) and writes the outputs and each layer's output shape to a
result file.

First the request: the five images, flattened, with their shape.
""")
L.code("""
request = {"models": [{"dir": str(EXPORT),
                       "inputs": [{"shape": list(five.shape), "dtype": "float32",
                                   "data": five.numpy().ravel().tolist()}]}]}
print("input shape sent to TF.js:", request["models"][0]["inputs"][0]["shape"])
print("numbers sent:", len(request["models"][0]["inputs"][0]["data"]), "= 5 * 8 * 8 * 1")
""")
L.md("""
Then run Node. Without Node.js or `web/node_modules` this cell says what is missing and
skips the comparison (everything else in the lesson still runs). Floats computed by two
different libraries can differ in the last digits, so the comparison asks: the same
predicted digits, and every probability within 0.0001?
""")
L.code(NODE_IGNORE + """
NODE = shutil.which("node")
TFJS = WEB / "node_modules" / "@tensorflow" / "tfjs" if WEB is not None else None
if WEB is None:
    print("Skipped: web/predict_node.js is not here (this notebook is outside the repository).")
elif NODE is None or not TFJS.exists():
    print("Skipped: Node.js" if NODE is None else "Skipped: web/node_modules (TensorFlow.js)",
          "is missing. Install Node.js 18+ and run `make setup` (it runs `npm ci` in web/).")
else:
    with tempfile.TemporaryDirectory() as work:
        work = pathlib.Path(work)
        (work / "request.json").write_text(json.dumps(request))
        proc = subprocess.run([NODE, str(WEB / "predict_node.js"), str(work / "request.json"),
                               str(work / "result.json")], capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise RuntimeError("predict_node.js failed:\\n" + proc.stderr[-2000:])
        result = json.loads((work / "result.json").read_text())
    answer_js = result["results"][0]
    print("TensorFlow.js", result["tfjs_version"], "in Node, layer by layer:")
    for layer in answer_js["layers"]:
        print(f"  {layer['name']:8} {layer['class_name']:13} output {layer['output_shape']}")
    out = answer_js["outputs"][0]
    p_js = np.array(out["data"], dtype="float32").reshape(out["shape"])
    p_tk = back.predict(five)
    print("TF.js probabilities:", tuple(out["shape"]))
    print("same prediction:", np.array_equal(p_js.argmax(axis=1), p_tk.argmax(axis=1)),
          "| digits:", p_js.argmax(axis=1))
    diff = np.abs(p_js - p_tk).max()
    print("max abs difference below 1e-4:", bool(diff < 1e-4))
    assert diff < 1e-4, f"TensorFlow.js and tensorkit differ by {diff}"
""")
L.md("""
TF.js's own layers report the same output shapes, layer by layer (its `null` batch arrives
in Python as `None`), and the same answers.

## What TF.js cannot run is refused

Not every tensorkit model can go to the browser: a `Lambda` holds Python code, and some
functions are defined differently in TF.js. `to_tfjs` refuses such a model *by name* before
writing anything, rather than exporting something that computes a different answer:
""")
L.code("""
odd = tk.Sequential([tk.Input(shape=(4,)), layers.Dense(3, activation="hard_sigmoid", name="gate")])
with tempfile.TemporaryDirectory() as tmp:
    try:
        tk.export.to_tfjs(odd, pathlib.Path(tmp) / "odd")
    except tk.export.ExportError as err:
        print(err)
""")
L.md("""
## Open it in the web page

The page in `web/` (`index.html` + `app.js`) loads TensorFlow.js from `web/node_modules`,
loads a model folder, shows its summary, takes photos from your webcam and shows every
shape on the way in: the photo, e.g. `(1, 480, 640, 3)` (a batch of one, height, width, red
green blue), cropped to a square `(1, 480, 480, 3)`, resized to `(1, 8, 8, 3)`, made grey
`(1, 8, 8, 1)` — the model's input — and the probabilities that come out, one bar per label.

In a terminal, at the top of the repository:

```sh
make web
```

`make web` puts the shipped `digits_cnn` into `web/model/` (the page's default model) and
serves `web/` at http://127.0.0.1:8000/ (Ctrl-C stops it). To open **your** model, give the
page its folder with `?model=`, a path relative to `web/`:
""")
L.code("""
if WEB is not None:
    print(f"http://127.0.0.1:8000/?model=model/{EXPORT.name}/model.json")
else:
    print("Copy the folder into web/model/ of the repository first, then open")
    print(f"http://127.0.0.1:8000/?model=model/{EXPORT.name}/model.json")
""")
L.md("""
Write a digit large and dark on white paper, fill the camera's frame with it and press
*Capture photo*. Every model you export the same way (`tk.export.to_tfjs(model,
"web/model/<name>", metadata=...)`) opens with `?model=model/<name>/model.json`; no
server-side Python is involved: the browser downloads `model.json` and the shard and
computes everything itself.

## Exercises
""")
L.exercise(
    "15.1", "predict the shape in the manifest",
    """You export the pretrained `digits_mlp` (its layers: `hidden_1`, `hidden_2`, `head`; look
at `tk.pretrained.load("digits_mlp").summary()`). Which shape does the weights manifest give
for `hidden_2/kernel`?""",
    "answer = None  # your answer: a shape tuple",
    "answer = (64, 32)",
    """mlp = tk.pretrained.load("digits_mlp")
with tempfile.TemporaryDirectory() as tmp:
    tk.export.to_tfjs(mlp, pathlib.Path(tmp) / "digits_mlp")
    specs = json.loads((pathlib.Path(tmp) / "digits_mlp" / "model.json").read_text())["weightsManifest"][0]["weights"]
expected = tuple(next(s["shape"] for s in specs if s["name"] == "hidden_2/kernel"))
widgets.check(answer, expected, hint="A Dense kernel is (inputs, units): the manifest keeps get_weights()'s shapes.")""")
L.exercise(
    "15.2", "predict the output shape in the page",
    """A classmate gives the body a new head for **three** classes (`Dense(3,
activation="softmax")`) and opens it in the page. The page classifies one photo. What shape
does it show as *Output tensor*?""",
    "answer = None  # your answer: a shape tuple",
    "answer = (1, 3)",
    """three = tk.pretrained.load("digits_cnn")
three.pop()
three.add(layers.Dense(3, activation="softmax", name="three_head"))
expected = three.predict(np.zeros((1, 8, 8, 1), dtype="float32")).shape
widgets.check(answer, expected, hint="The page sends a batch of one photo; the head sets the last axis.")""")
L.exercise(
    "15.3", "the size of the shard",
    """How many bytes is `group1-shard1of1.bin` of **your** export (`EXPORT`)? Compute it from
the model, without looking at the file: every weight number is one float32.""",
    "answer = None  # your answer: a number of bytes, computed from model",
    "answer = model.count_params() * 4",
    """expected = (EXPORT / "group1-shard1of1.bin").stat().st_size
widgets.check(None if answer is None else {"bytes": answer}, {"bytes": expected},
              hint="model.count_params() counts the numbers; how many bytes is one float32?")""")
L.md("""
## Summary

- `tk.export.to_tfjs(model, folder, metadata=...)` writes `model.json` (the layers, a weights
  manifest of names, shapes and dtypes, your metadata) and `group1-shard*.bin` (every weight
  as float32, in the manifest's order).
- The manifest's shapes are `model.get_weights()`'s shapes: Conv2D `(kh, kw, in, filters)`,
  Dense `(inputs, units)`; the shard holds `count_params()` numbers, 4 bytes each.
- `tk.models.load_tfjs(folder)` loads it back with identical predictions; the real
  TensorFlow.js (`web/predict_node.js` in Node) gives the same answers, within 1e-4.
- One image goes in as `(1, 8, 8, 1)`, probabilities come out as `(1, 10)`, in Python, in
  Node and in the browser.
- `make web`, then http://127.0.0.1:8000/?model=model/my_digits/model.json puts your model in
  the web page.
""")


def build():
    return L
