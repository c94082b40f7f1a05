"""Lessons 11-14 (VAEs, GANs, camera and microphone, GPU) as lists of cells.

``md(text)`` and ``code(src)`` go to both copies; ``answer(learner, solution)`` is the
exercise cell: ``answer = None`` in the learner's copy, the answer in lessons/solutions/.
build_11_14.py writes and executes both copies.
"""
# ruff: noqa: E501

def md(text):
    return ("md", text.strip("\n"))


def code(src):
    return ("code", src.strip("\n"))


def answer(learner, solution):
    return ("answer", learner.strip("\n"), solution.strip("\n"))


LESSONS = {}

# ---- 11_variational_autoencoders.ipynb -----------------------------------------------
cells = [
md("""
# 11. Variational autoencoders

An **autoencoder** is trained to give back its own input: image in, the same image out. The
trick is the middle: everything has to pass through a tiny code, here just **2 numbers** per
image. A **variational** autoencoder (VAE) makes that code a little cloud instead of a point:
the encoder gives a **mean** and a **spread** for each of the 2 numbers, and we **sample**
from it. Watch the shapes at every step.
"""),
code("""
import numpy as np
import tensorkit as tk
import widgets
import matplotlib.pyplot as plt

tk.random.seed(0)
L = tk.layers
plt.rcParams["figure.dpi"] = 72                      # small pictures, small notebook
"""),
md("""
## The data: 8x8 digits

1797 handwritten digits, one grey channel, values in [0, 1]. Input and target are the same
tensor `x`: the labels `y` are only used at the end, to colour a picture.
"""),
code("""
x, y = tk.data.load_digits(as_images=True)
x_np, y_np = x.numpy(), y.numpy()
print("x:", x.shape, " y:", y.shape)
widgets.BatchView(x[:8])
"""),
md("""
## The encoder: image -> (mean, log variance)

The encoder ends in **two** Dense heads side by side. For each image it gives
`z_mean` (where the code is) and `z_log_var` (the log of its variance, how wide the cloud is).
A log keeps the variance positive without any constraint: `exp(log_var) > 0` always.
"""),
code("""
LATENT = 2

inputs = tk.Input(shape=(8, 8, 1))
h = L.Flatten()(inputs)                              # (None, 8, 8, 1) -> (None, 64)
h = L.Dense(64, activation="relu")(h)                # (None, 64)
z_mean = L.Dense(LATENT, name="z_mean")(h)           # (None, 2)
z_log_var = L.Dense(LATENT, name="z_log_var")(h)     # (None, 2)
encoder = tk.Model(inputs, [z_mean, z_log_var], name="encoder")
encoder.summary()
"""),
code("""
mean, log_var = encoder(x[:5])
print("mean:   ", mean.shape)
print("log_var:", log_var.shape)
"""),
md("""
## Sampling: the random part

We draw the code `z` from a normal distribution with that mean and standard deviation
`std = exp(0.5 * log_var)`. Written as

`z = mean + std * eps`, with `eps` drawn from `tk.random.normal` (mean 0, std 1),

the randomness sits in `eps` alone, so gradients still flow into `mean` and `log_var`
(the *reparameterization trick*). Same image, two draws, two different codes:
"""),
code("""
def sample(mean, log_var):
    eps = tk.random.normal(mean.shape)               # (batch, 2), fresh every call
    return mean + tk.exp(0.5 * log_var) * eps        # (batch, 2)

z1, z2 = sample(mean, log_var), sample(mean, log_var)
print("z:", z1.shape)
print("first image, draw 1:", np.round(z1.numpy()[0], 3))
print("first image, draw 2:", np.round(z2.numpy()[0], 3))
"""),
md("""
## The decoder: 2 numbers -> an image

The decoder goes back up: `(None, 2) -> (None, 64) -> (None, 8, 8, 1)`. Its last Dense gives
64 numbers per image; a reshape turns them back into 8x8 pixels with one channel.
"""),
md("""
### Exercise 11.1 — build the layer that maps (None, 64) to (None, 8, 8, 1)

Set `answer` to a layer (not yet called) that turns 64 numbers per image into an 8x8 image
with one channel.
"""),
answer("""
answer = None  # your answer: a layer, e.g. L.Something(...)
""", """
answer = L.Reshape((8, 8, 1))
"""),
code("""
if isinstance(answer, tk.layers.Layer):
    answer(tk.symbolic((None, 64)))                  # call it, so it has an output shape
expected = {"type": "Reshape", "shape": x.shape[1:]}
expected["shape"] = (None,) + expected["shape"]
widgets.check(answer, expected, hint="One layer changes only the shape, not the numbers.")
"""),
code("""
decoder = tk.Sequential([
    tk.Input(shape=(LATENT,)),
    L.Dense(64, activation="relu"),                  # (None, 2) -> (None, 64)
    L.Dense(64),                                     # (None, 64): one logit per pixel
    L.Reshape((8, 8, 1)),                            # (None, 64) -> (None, 8, 8, 1)
], name="decoder")
decoder.summary()
logits = decoder(z1)
print("decoder(z):", logits.shape)
"""),
md("""
The decoder gives **logits**; `tk.sigmoid` turns them into pixel values in (0, 1).
A code needs its batch axis too. Here is what happens without it:
"""),
code("""
try:
    decoder(tk.tensor([0.5, -1.0]))
except tk.ShapeError as e:
    print("ShapeError:", e)
"""),
md("""
### Exercise 11.2 — fix this error

Decode the single code `[0.5, -1.0]` into an image: give the decoder a batch of one.
`answer` should be the decoder's output.
"""),
answer("""
answer = None  # your answer: decoder(...)
""", """
answer = decoder(tk.tensor([[0.5, -1.0]]))
"""),
code("""
expected = decoder(tk.zeros((1, LATENT))).shape
widgets.check(answer, expected, hint="Wrap the two numbers in one more list: [[...]].")
"""),
md("""
## The loss: reconstruction + KL

Two terms, each **one number per image** before we average over the batch:

* **reconstruction**: how far the decoded image is from the input; binary crossentropy per
  pixel, summed over the 64 pixels.
* **KL term**: how far each image's cloud `N(mean, std²)` is from a standard normal `N(0, 1)`:
  `-0.5 * sum(1 + log_var - mean² - exp(log_var))` over the 2 latent numbers. It pulls the
  codes towards the middle and keeps the clouds from shrinking to points, so that any point
  near 0 decodes to something digit-like.
"""),
code("""
def vae_losses(xb):
    mean, log_var = encoder(xb)                                  # (B, 2), (B, 2)
    z = sample(mean, log_var)                                    # (B, 2)
    logits = decoder(z)                                          # (B, 8, 8, 1)
    rec = tk.sum(tk.sigmoid_cross_entropy(logits, xb), axis=(1, 2, 3))          # (B,)
    kl = -0.5 * tk.sum(1 + log_var - tk.square(mean) - tk.exp(log_var), axis=1)  # (B,)
    return rec, kl

rec, kl = vae_losses(x[:32])
print("reconstruction per image:", rec.shape, " KL per image:", kl.shape)
print("batch means: reconstruction", round(tk.mean(rec).item(), 2), " KL", round(tk.mean(kl).item(), 3))
"""),
md("""
### Exercise 11.3 — predict the shape

`mean` and `log_var` of a batch of 100 images are both `(100, 2)`. What is the shape of the
KL term *before* `tk.mean` averages over the batch, i.e. of
`tk.sum(1 + log_var - tk.square(mean) - tk.exp(log_var), axis=1)`?
"""),
answer("""
answer = None  # your answer: a shape tuple, e.g. (3, 4)
""", """
answer = (100,)
"""),
code("""
m = tk.zeros((100, LATENT))
expected = tk.sum(1 + m - tk.square(m) - tk.exp(m), axis=1).shape
widgets.check(answer, expected, hint="sum over axis=1 removes that axis; the batch stays.")
"""),
md("""
## Training: our own loop

`fit` knows one loss with `(y_true, y_pred)`; a VAE's loss needs the mean and log variance
from the middle of the model. So we write the loop ourselves: shuffle, cut batches, compute
the loss, take gradients of **both** models' weights with `tk.gradients`, let Adam apply them.
"""),
code("""
weights = encoder.trainable_weights + decoder.trainable_weights
optimizer = tk.optimizers.Adam(3e-3)
history = {"reconstruction": [], "kl": []}

for epoch in range(60):
    order = tk.random.shuffle(len(x_np))
    sums = [0.0, 0.0]
    for start in range(0, len(order), 64):
        xb = tk.tensor(x_np[order[start:start + 64]])            # (64, 8, 8, 1)
        rec, kl = vae_losses(xb)
        loss = tk.mean(rec) + tk.mean(kl)                        # () one number
        optimizer.apply(tk.gradients(loss, weights), weights)
        sums[0] += tk.mean(rec).item() * len(xb)
        sums[1] += tk.mean(kl).item() * len(xb)
    history["reconstruction"].append(sums[0] / len(order))
    history["kl"].append(sums[1] / len(order))
    if epoch % 15 == 14:
        print(f"epoch {epoch + 1}: reconstruction {history['reconstruction'][-1]:.1f}, "
              f"KL {history['kl'][-1]:.2f}")
"""),
code("""
fig, axes = plt.subplots(1, 2, figsize=(7, 2.2))
for ax, key in zip(axes, history):
    ax.plot(history[key])
    ax.set_title(key)
    ax.set_xlabel("epoch")
fig.tight_layout()
plt.show()
"""),
md("""
Reconstruction falls as the decoder learns; the KL term *rises* from near 0: the codes spread
out so they can tell digits apart, and KL charges for every bit of that spread.

## The latent space

Encode every digit and draw its mean: one point per image, coloured by its label (which the
VAE never saw). Similar digits land near each other.
"""),
code("""
means, _ = encoder(x)                                            # (1797, 2)
print("means:", means.shape)
pts = means.numpy()
fig, ax = plt.subplots(figsize=(4.2, 3.6))
dots = ax.scatter(pts[:, 0], pts[:, 1], c=y_np, cmap="tab10", s=6)
fig.colorbar(dots, ax=ax, ticks=range(10), label="digit")
ax.set_xlabel("z[0]")
ax.set_ylabel("z[1]")
plt.show()
"""),
md("""
## Walking the latent space

Now the other way: pick a grid of codes, 7 x 7 points from -2 to 2, and decode each one.
Every point gives an image, and neighbours look alike: the decoder has learned a smooth map.
"""),
code("""
steps = np.linspace(-2, 2, 7)
grid = np.array([[a, b] for b in steps[::-1] for a in steps], dtype="float32")
print("codes:", grid.shape)
images = tk.sigmoid(decoder(tk.tensor(grid)))                    # (49, 2) -> (49, 8, 8, 1)
print("images:", images.shape)
fig, axes = plt.subplots(7, 7, figsize=(3.5, 3.5))
for ax, img in zip(axes.flat, images.numpy()):
    ax.imshow(img[:, :, 0], cmap="gray_r", vmin=0, vmax=1)
    ax.axis("off")
plt.show()
"""),
md("""
## What to remember

* encoder: `(B, 8, 8, 1) -> (B, 2)` mean and `(B, 2)` log variance
* sample: `z = mean + exp(0.5 * log_var) * eps`, `(B, 2)`: random, yet differentiable
* decoder: `(B, 2) -> (B, 8, 8, 1)`
* loss per image: reconstruction `(B,)` + KL `(B,)`, then the mean over the batch
"""),
]

LESSONS["11_variational_autoencoders.ipynb"] = cells

# ---- 12_gans.ipynb -------------------------------------------------------------------
cells = [
md("""
# 12. GANs: a generator against a discriminator

Two models play a game. The **generator** turns random noise into images. The
**discriminator** looks at an image and says *real* (from the data set) or *fake* (from the
generator). We train them in turns: first the discriminator on real and generated images,
then the generator, to fool the discriminator. Neither ever sees a formula for "a digit";
the generator learns it from the discriminator's judgement alone.
"""),
code("""
import numpy as np
import tensorkit as tk
import widgets
import matplotlib.pyplot as plt

tk.random.seed(0)
L = tk.layers
plt.rcParams["figure.dpi"] = 72                      # small pictures, small notebook


def show_images(images, rows, titles=None):
    \"\"\"A grid of (N, 8, 8, 1) images in [-1, 1], `rows` rows.\"\"\"
    images = np.asarray(images)
    cols = len(images) // rows
    fig, axes = plt.subplots(rows, cols, figsize=(cols * 0.55, rows * 0.6))
    for i, ax in enumerate(np.ravel(axes)):
        ax.imshow(images[i, :, :, 0], cmap="gray_r", vmin=-1, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        if titles and i % cols == 0:
            ax.set_ylabel(titles[i // cols], rotation=0, ha="right", va="center", fontsize=8)
    plt.show()
"""),
md("""
## Real samples

The 8x8 digits again, scaled from [0, 1] to **[-1, 1]**, because the generator will end
in `tanh`, whose outputs lie in (-1, 1).
"""),
code("""
x, _ = tk.data.load_digits(as_images=True)
real_images = x.numpy() * 2 - 1                        # (1797, 8, 8, 1) in [-1, 1]
print("real:", real_images.shape, " min", real_images.min(), " max", real_images.max())
show_images(real_images[:16], rows=2)
"""),
md("""
## The generator: noise (None, 8) -> image (None, 8, 8, 1)

Its input is 8 random numbers from `tk.random.normal`; each different draw should become a
different digit.
"""),
code("""
NOISE = 8

generator = tk.Sequential([
    tk.Input(shape=(NOISE,)),
    L.Dense(64, activation="leaky_relu"),        # (None, 8) -> (None, 64)
    L.Dense(64, activation="tanh"),              # (None, 64): one value per pixel
    L.Reshape((8, 8, 1)),                        # (None, 64) -> (None, 8, 8, 1)
], name="generator")
generator.summary()
"""),
code("""
noise = tk.random.normal((16, NOISE))
fakes = generator(noise)
print("noise:", noise.shape, "-> fakes:", fakes.shape)
show_images(fakes.numpy(), rows=2)                # untrained: just noise
"""),
md("""
## The discriminator: image (None, 8, 8, 1) -> one score (None, 1)

It ends in a single number per image, a **logit**: large means "real", very negative means
"fake". `sigmoid(logit)` would be the probability of *real*; the loss takes the logit
directly (`from_logits=True`), which is more stable.
"""),
md("""
### Exercise 12.1 — build the layer that maps (None, 64) to (None, 1)

The discriminator's last layer: 64 features in, one logit out, no activation.
"""),
answer("""
answer = None  # your answer: a layer, e.g. L.Something(...)
""", """
answer = L.Dense(1)
"""),
code("""
if isinstance(answer, tk.layers.Layer):
    answer(tk.symbolic((None, 64)))              # call it, so it has an output shape
expected = {"type": "Dense", "shape": (None, 1)}     # the shape is given in the title
widgets.check(answer, expected, hint="A fully connected layer with one unit; leave out the activation.")
"""),
code("""
discriminator = tk.Sequential([
    tk.Input(shape=(8, 8, 1)),
    L.Flatten(),                                 # (None, 8, 8, 1) -> (None, 64)
    L.Dense(64, activation="leaky_relu"),        # (None, 64)
    L.Dense(1),                                  # (None, 1): the logit "real?"
], name="discriminator")
discriminator.summary()
"""),
md("""
### Exercise 12.2 — predict the shape

What is the shape of `discriminator(generator(tk.random.normal((32, NOISE))))`?
"""),
answer("""
answer = None  # your answer: a shape tuple, e.g. (3, 4)
""", """
answer = (32, 1)
"""),
code("""
expected = discriminator.compute_output_shape(generator.compute_output_shape((32, NOISE)))
widgets.check(answer, expected, hint="The batch passes through both models; the last layer sets the last axis.")
"""),
md("""
## One round of the game

**Discriminator step.** Real images get label 1, fakes get label 0. The fakes are
`.detach()`ed: this step must not change the generator. `tk.gradients(loss, weights)`
gives gradients for exactly the weights we name: the discriminator's.
"""),
code("""
BATCH = 64
bce = tk.losses.BinaryCrossentropy(from_logits=True)
d_optimizer = tk.optimizers.Adam(2e-3, beta_1=0.5)
g_optimizer = tk.optimizers.Adam(2e-3, beta_1=0.5)
real_labels = np.ones((BATCH, 1), "float32")        # (64, 1): "real"
fake_labels = np.zeros((BATCH, 1), "float32")       # (64, 1): "fake"


def discriminator_step():
    real = tk.tensor(real_images[tk.random.randint((BATCH,), 0, len(real_images)).numpy()])
    fake = generator(tk.random.normal((BATCH, NOISE))).detach()    # (64, 8, 8, 1)
    loss = bce(real_labels, discriminator(real)) + bce(fake_labels, discriminator(fake))
    weights = discriminator.trainable_weights
    d_optimizer.apply(tk.gradients(loss, weights), weights)
    return loss.item()


g_before = [w.copy() for w in generator.get_weights()]
print("discriminator loss:", round(discriminator_step(), 3))
print("generator unchanged:", all(np.array_equal(a, b) for a, b in zip(g_before, generator.get_weights())))
"""),
md("""
**Generator step.** Now the generator wants the discriminator to call its fakes *real*, so
the fakes get label **1**. The gradient flows back *through* the discriminator into the
generator, but only the generator's weights are updated.
"""),
code("""
def generator_step():
    fake = generator(tk.random.normal((BATCH, NOISE)))               # (64, 8, 8, 1)
    loss = bce(real_labels, discriminator(fake))                     # "call them real"
    weights = generator.trainable_weights
    g_optimizer.apply(tk.gradients(loss, weights), weights)
    return loss.item()


d_before = [w.copy() for w in discriminator.get_weights()]
print("generator loss:", round(generator_step(), 3))
print("discriminator unchanged:", all(np.array_equal(a, b) for a, b in zip(d_before, discriminator.get_weights())))
"""),
md("""
Labels must match the batch. Scoring 16 images with the 64 labels made above fails:
"""),
code("""
try:
    bce(real_labels, discriminator(tk.tensor(real_images[:16])))
except tk.ShapeError as e:
    print("ShapeError:", e)
"""),
md("""
### Exercise 12.3 — fix this error

Make labels that say "real" for those 16 images: `answer` should be the labels array.
"""),
answer("""
answer = None  # your answer: np.ones(...)
""", """
answer = np.ones((16, 1), "float32")
"""),
code("""
expected = discriminator(tk.tensor(real_images[:16])).shape
widgets.check(answer, expected, hint="One label per image, shaped like the discriminator's output.")
"""),
md("""
## Training: samples over time

We repeat the two steps 3000 times. Every so often the generator draws from the same 8
fixed noise vectors, so each row of the picture below shows the same 8 "seeds" at a later
moment.
"""),
code("""
fixed_noise = tk.random.normal((8, NOISE))
snapshots, titles = [], []
d_losses, g_losses = [], []
for step in range(3001):
    d_losses.append(discriminator_step())
    g_losses.append(generator_step())
    if step in (0, 200, 500, 1000, 2000, 3000):
        snapshots.append(generator(fixed_noise).numpy())               # (8, 8, 8, 1)
        titles.append(f"step {step}")
    if step % 1000 == 0:
        print(f"step {step}: discriminator {np.mean(d_losses[-100:]):.2f}, "
              f"generator {np.mean(g_losses[-100:]):.2f}")
"""),
code("""
over_time = np.concatenate(snapshots)                 # 6 x (8, 8, 8, 1) -> (48, 8, 8, 1)
print("snapshots:", over_time.shape)
show_images(over_time, rows=len(snapshots), titles=titles)
"""),
md("""
The losses don't go to zero, and that is how a GAN should look: when one player gets
better, the other's loss goes up. A discriminator that always wins would reach 0; one
that cannot tell real from fake at all sits at `2 * log 2 ≈ 1.39`. Ours stays in between.
"""),
code("""
def smooth(values, n=100):
    return np.convolve(values, np.ones(n) / n, mode="valid")

fig, ax = plt.subplots(figsize=(5, 2.2))
ax.plot(smooth(d_losses), label="discriminator")
ax.plot(smooth(g_losses), label="generator")
ax.set_xlabel("step")
ax.legend()
plt.show()
"""),
md("""
## The same GAN with `fit` and `train_step`

Keras' way to write a loop of your own: subclass `tk.Model` and override
`train_step(data)`, one step on one batch that returns a dict of numbers to log. `fit` does
the rest: batches, shuffling, epochs, callbacks and `History`. A GAN's `compile` takes two
optimizers and the loss. Its `train_step` is our round of the game, on a batch of real
images that `fit` cuts from `real_images`; two `Mean` metrics average each loss over an
epoch (`fit` resets the metrics in `self.metrics` when an epoch starts).
"""),
code("""
class GAN(tk.Model):
    def __init__(self, generator, discriminator):
        super().__init__()
        self.generator, self.discriminator = generator, discriminator
        self.d_tracker = tk.metrics.Mean(name="d_loss")
        self.g_tracker = tk.metrics.Mean(name="g_loss")

    @property
    def metrics(self):
        return [self.d_tracker, self.g_tracker]

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer, self.g_optimizer, self.loss_fn = d_optimizer, g_optimizer, loss_fn

    def train_step(self, real_images):                                  # (B, 8, 8, 1)
        n = real_images.shape[0]                  # B: 64, the last batch of an epoch fewer
        real, fake = tk.ones((n, 1)), tk.zeros((n, 1))                     # (B, 1) labels
        # the discriminator: real -> 1, detached fakes -> 0, its own weights
        generated = self.generator(tk.random.normal((n, NOISE))).detach()  # (B, 8, 8, 1)
        d_loss = (self.loss_fn(real, self.discriminator(real_images))
                  + self.loss_fn(fake, self.discriminator(generated)))
        weights = self.discriminator.trainable_weights
        self.d_optimizer.apply(tk.gradients(d_loss, weights), weights)
        # the generator: fakes -> 1, through the discriminator, only its own weights
        generated = self.generator(tk.random.normal((n, NOISE)))           # (B, 8, 8, 1)
        g_loss = self.loss_fn(real, self.discriminator(generated))
        weights = self.generator.trainable_weights
        self.g_optimizer.apply(tk.gradients(g_loss, weights), weights)
        self.d_tracker.update_state(d_loss)
        self.g_tracker.update_state(g_loss)
        return {m.name: m.result() for m in self.metrics}                 # d_loss, g_loss
"""),
code("""
tk.random.seed(1)
gan = GAN(tk.models.clone_model(generator),           # the same layers, fresh weights
          tk.models.clone_model(discriminator))
gan.compile(d_optimizer=tk.optimizers.Adam(2e-3, beta_1=0.5),
            g_optimizer=tk.optimizers.Adam(2e-3, beta_1=0.5), loss_fn=bce)
history = gan.fit(real_images, epochs=40, batch_size=BATCH, verbose=0,   # x only: no labels
                  callbacks=[widgets.TrainingMonitor()])                  # 29 batches an epoch
"""),
code("""
print("logged:", list(history.history))     # the keys train_step returned: one curve each
show_images(gan.generator(fixed_noise).numpy(), rows=1)    # the same 8 seeds: (8, 8, 8, 1)
"""),
md("""
## What to remember

* generator: noise `(B, 8) -> (B, 8, 8, 1)`; discriminator: `(B, 8, 8, 1) -> (B, 1)` logits
* discriminator step: real -> label 1, `fake.detach()` -> label 0, gradients of its own weights
* generator step: fakes -> label 1, gradients through the discriminator, but only the
  generator's weights change
* labels are shaped like the discriminator's output: one per image
* the Keras way: `train_step` does one round and returns `{"d_loss": ..., "g_loss": ...}`;
  `fit` runs it, and the TrainingMonitor draws every logged `..._loss`
"""),
]

LESSONS["12_gans.ipynb"] = cells

# ---- 13_camera_and_microphone.ipynb --------------------------------------------------
cells = [
md("""
# 13. Camera and microphone

A photo from your webcam and a sound from your microphone become tensors like any other:
a photo is `(1, height, width, 3)`, a sound is `(1, samples)`. Here we turn each into the
shape a model wants and classify it, watching the shape after every step.

**No camera or microphone?** Every step below also runs without one: when nothing was
captured, the lesson says so and uses a stand-in (a digit from the data set drawn like a
photo, a generated tone as the sound). The stored outputs of this notebook were made that way.
"""),
code("""
import numpy as np
import tensorkit as tk
import widgets
import matplotlib.pyplot as plt

tk.random.seed(0)
L = tk.layers
plt.rcParams["figure.dpi"] = 72                      # small pictures, small notebook
"""),
md("""
## 1. A photo

Click **Start camera**, hold up a digit written in thick dark pen on white paper, filling
the square, and click **Capture**. Then run the next cell.
"""),
code("""
cam = widgets.Camera(width=64, height=64)
cam
"""),
code("""
x_all, y_all = tk.data.load_digits(as_images=True)
x_train, x_test, y_train, y_test = tk.data.train_test_split(x_all, y_all, test_size=0.2, seed=0)

try:
    photo = cam.photo                                   # (1, 64, 64, 3) from the browser
    print("Using your photo.")
except widgets.CaptureError as e:
    print("No photo captured:", e)
    print("Using a stand-in: a test digit drawn as dark ink on white paper.")
    digit = x_test.numpy()[0]                           # (8, 8, 1), ink bright, in [0, 1]
    big = np.repeat(np.repeat(digit, 8, axis=0), 8, axis=1)           # (64, 64, 1)
    paper = 1.0 - 0.8 * big                             # dark ink on white paper
    noise = np.random.default_rng(0).normal(0, 0.03, (64, 64, 3))
    photo = tk.tensor(np.clip(paper + noise, 0, 1)[None].astype("float32"))   # (1, 64, 64, 3)
print("photo:", photo.shape, photo.dtype)
plt.figure(figsize=(1.5, 1.5))
plt.imshow(photo.numpy()[0])
plt.axis("off")
plt.show()
"""),
md("""
## 2. From a photo to the model's input

The digits model was trained on `(batch, 8, 8, 1)` images: one grey channel, **bright ink on
a dark background**, values in [0, 1]. A photo has three colour channels, dark ink on bright
paper, and 64x64 pixels. Given straight to the model:
"""),
code("""
model = tk.pretrained.load("digits_cnn")
try:
    model(photo)
except tk.ShapeError as e:
    print("ShapeError:", e)
"""),
md("""
Three steps fix it, each one an op whose shape we can watch:

1. **grey**: the mean over the colour axis, keeping it: `(1, 64, 64, 3) -> (1, 64, 64, 1)`
2. **ink**: `1 - grey` makes the ink bright
3. **shrink**: the mean of each 8x8 block, `tk.avg_pool2d(..., pool_size=8)`: 64 / 8 = 8

and last, a stretch so the darkest pixel is 0 and the brightest 1, as in the training data.
(The `sub` row marks every axis: `1 - grey` broadcasts a scalar `()` to the image's shape.)
"""),
code("""
with tk.trace() as steps:
    grey = tk.mean(photo, axis=-1, keepdims=True)               # (1, 64, 64, 3) -> (1, 64, 64, 1)
    ink = 1 - grey                                              # (1, 64, 64, 1)
    small = tk.avg_pool2d(ink, pool_size=8)                     # (1, 64, 64, 1) -> (1, 8, 8, 1)
small = (small - tk.min(small)) / (tk.max(small) - tk.min(small) + 1e-6)   # stretch to [0, 1]
widgets.ShapeTable(steps)
"""),
md("""
### Exercise 13.1 — predict the shape

A camera set to `width=96, height=64` gives photos of shape `(1, 64, 96, 3)`. After the grey
step and `tk.avg_pool2d(..., pool_size=8)`, what is the shape?
"""),
answer("""
answer = None  # your answer: a shape tuple, e.g. (1, 2, 3, 4)
""", """
answer = (1, 8, 12, 1)
"""),
code("""
wide = tk.symbolic((1, 64, 96, 3))
expected = tk.avg_pool2d(tk.mean(wide, axis=-1, keepdims=True), pool_size=8).shape
widgets.check(answer, expected, hint="Height and width are each divided by the pool size; the mean keeps one channel.")
"""),
md("""
## 3. Classify it

The model gives **one row of 10 probabilities per image**: `(1, 8, 8, 1) -> (1, 10)`.
"""),
code("""
probs = model(small)                                            # (1, 10)
print("probabilities:", probs.shape)
guess = int(tk.argmax(probs, axis=-1).numpy()[0])
print(f"the model reads a {guess} (probability {probs.numpy()[0, guess]:.2f})")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(5, 1.8), gridspec_kw={"width_ratios": [1, 2.5]})
ax1.imshow(small.numpy()[0, :, :, 0], cmap="gray")
ax1.set_title("model input", fontsize=9)
ax1.axis("off")
ax2.bar(range(10), probs.numpy()[0])
ax2.set_xticks(range(10))
ax2.set_title("probabilities", fontsize=9)
plt.show()
"""),
md("""
A model always works on a **batch**. Several photos stack along axis 0, and the model gives
one row per photo. Here: our photo, its mirror image, and the photo turned upside down
(a model that learnt digits the right way up may read an upside-down 6 as a 9).
"""),
code("""
batch = tk.concatenate([small, small[:, :, ::-1], small[:, ::-1]], axis=0)   # 3 x (1, 8, 8, 1) -> (3, 8, 8, 1)
print("batch:", batch.shape)
print("argmax per photo:", tk.argmax(model(batch), axis=-1).numpy())
"""),
md("""
### Exercise 13.2 — predict the shape

What is the shape of `model(batch)` for that batch of three?
"""),
answer("""
answer = None  # your answer: a shape tuple
""", """
answer = (3, 10)
"""),
code("""
expected = model.compute_output_shape(batch.shape)
widgets.check(answer, expected, hint="One row per image in the batch, one column per class.")
"""),
md("""
## 4. A sound

Click **Record**: one second of sound. The widget gives `mic.audio` as `(1, samples)` at
`mic.rate` samples per second (often 48000). Then run the next cell.
"""),
code("""
mic = widgets.Microphone(seconds=1.0)
mic
"""),
md("""
Our sound model below expects exactly 16000 samples (one second at 16 kHz), so a recording at
another rate is **resampled**: `(1, rate) -> (1, 16000)`. Without a recording, the stand-in
is a 440 Hz tone (the note A) with a little noise.
"""),
code("""
RATE = 16000
rng = np.random.default_rng(0)

try:
    audio = mic.audio                                           # (1, mic.rate) from the browser
    t_in = np.arange(audio.shape[1]) / mic.rate
    t_out = np.arange(RATE) / RATE
    audio = tk.tensor(np.interp(t_out, t_in, audio.numpy()[0])[None].astype("float32"))
    print(f"Using your recording, resampled from {mic.rate} Hz.")
except widgets.CaptureError as e:
    print("No recording:", e)
    print("Using a stand-in: a 440 Hz tone.")
    t = np.arange(RATE) / RATE
    wave = 0.5 * np.sin(2 * np.pi * 440 * t) + rng.normal(0, 0.05, RATE)
    audio = tk.tensor(wave[None].astype("float32"))             # (1, 16000)
print("audio:", audio.shape, "at", RATE, "Hz")
"""),
md("""
## 5. From a sound to a spectrogram

A sound is a long wiggle; a **spectrogram** cuts it into short overlapping frames (256
samples, every 128) and measures how much of each frequency each frame holds:
`(samples,) -> (frames, bins)` with `frames = 1 + (samples - 256) // 128` and
`bins = 256 // 2 + 1 = 129`; bin `k` is the frequency `k * 16000 / 256` Hz.
We add the batch axis back, and take the log so quiet and loud parts both show.
"""),
code("""
spec = widgets.spectrogram(audio.numpy()[0])                    # (16000,) -> (124, 129)
spec = tk.tensor(np.log1p(spec)[None])                          # (124, 129) -> (1, 124, 129)
print("spectrogram:", spec.shape, "(batch, frames, frequency bins)")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7, 2))
ax1.plot(np.arange(400) / RATE * 1000, audio.numpy()[0, :400])
ax1.set_xlabel("ms")
ax1.set_title("first 25 ms of the sound", fontsize=9)
ax2.imshow(spec.numpy()[0, :, :49].T, origin="lower", aspect="auto", cmap="magma",
           extent=[0, 1, 0, 48 * RATE / 256], interpolation="nearest")   # bins 0-48: 0-3 kHz
ax2.set_xlabel("s")
ax2.set_ylabel("Hz")
ax2.set_title("spectrogram up to 3 kHz", fontsize=9)
fig.tight_layout()
plt.show()
"""),
md("""
### Exercise 13.3 — predict the shape

Half a second of sound at 16 kHz is `(1, 8000)`. What is the shape of its spectrogram with
the batch axis, like `spec` above?
"""),
answer("""
answer = None  # your answer: a shape tuple
""", """
answer = (1, 61, 129)
"""),
code("""
expected = (1,) + widgets.spectrogram(np.zeros(8000)).shape
widgets.check(answer, expected, hint="frames = 1 + (samples - 256) // 128; the bins stay 129.")
"""),
md("""
## 6. Classify the sound

A small model, trained right here in a few seconds on made-up sounds of three kinds:
**low** tones (150-600 Hz), **high** tones (1500-3000 Hz) and **noise**. It averages the
spectrogram over time, `(B, 124, 129) -> (B, 129)`: how much of each frequency there is,
wherever it happens, then two Dense layers decide.
"""),
code("""
KINDS = ["low tone", "high tone", "noise"]


def make_sound(kind):
    t = np.arange(RATE) / RATE
    if kind == 2:
        return rng.normal(0, 0.3, RATE)
    freq = rng.uniform(150, 600) if kind == 0 else rng.uniform(1500, 3000)
    return rng.uniform(0.2, 0.8) * np.sin(2 * np.pi * freq * t) + rng.normal(0, 0.05, RATE)


kinds = np.arange(240) % 3
sounds = np.stack([np.log1p(widgets.spectrogram(make_sound(k))) for k in kinds])
print("training sounds:", sounds.shape, " labels:", kinds.shape)

sound_model = tk.Sequential([
    tk.Input(shape=(124, 129)),
    L.GlobalAveragePooling1D(),                     # (None, 124, 129) -> (None, 129)
    L.Dense(16, activation="relu"),                 # (None, 16)
    L.Dense(3, activation="softmax"),               # (None, 3)
], name="sound_model")
sound_model.compile(optimizer=tk.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy",
                    metrics=["accuracy"])
history = sound_model.fit(sounds, kinds, epochs=30, batch_size=32, verbose=0)
print(f"training accuracy: {history.history['accuracy'][-1]:.2f}")
"""),
code("""
probs = sound_model(spec)                                       # (1, 124, 129) -> (1, 3)
print("probabilities:", probs.shape, np.round(probs.numpy(), 3))
print("the model hears:", KINDS[int(tk.argmax(probs, axis=-1).numpy()[0])])
"""),
md("""
## What to remember

* photo `(1, H, W, 3)` -> grey `(1, H, W, 1)` -> shrink `(1, 8, 8, 1)` -> model -> `(1, 10)`
* sound `(1, samples)` -> spectrogram `(1, frames, 129)` -> model -> `(1, 3)`
* the first axis is always the batch: one photo or sound is a batch of one; several stack
  along axis 0
* a model expects the data it was trained on: size, channels, *and* what bright means
"""),
]

LESSONS["13_camera_and_microphone.ipynb"] = cells

# ---- 14_gpu.ipynb --------------------------------------------------------------------
IGNORE = "# NBVAL_IGNORE_OUTPUT\n# (nbval skips this output: it depends on whether the machine has a GPU)\n"

cells = [
md("""
# 14. The same code on a GPU

A tensor's numbers live somewhere: in the computer's main memory (**CPU**, as a NumPy array)
or in a graphics card's memory (**GPU**, as a CuPy array). tensorkit's ops never care which:
each op takes its array module (`xp`, NumPy or CuPy) from its inputs. So a model, its
training loop and every shape stay exactly the same; only *where* the numbers are changes.

This lesson runs on any machine. **Without a GPU, it says so and runs everything on
NumPy**; the cells that need a GPU are skipped with a note. The stored outputs were made on
a machine without a GPU.
"""),
code("""
import numpy as np
import tensorkit as tk
import widgets
import time

tk.random.seed(0)
L = tk.layers
"""),
md("""
## Is there a GPU?

`tk.gpu_available()` is True only when CuPy is installed *and* really runs on a GPU here.
"""),
code(IGNORE + """
GPU = tk.gpu_available()
DEVICE = "gpu" if GPU else "cpu"
if GPU:
    print("A GPU is here: the GPU cells below run on CuPy.")
else:
    print("No GPU here (tk.gpu_available() is False).")
    print("Everything below still runs, on NumPy on the CPU; GPU-only steps say they are skipped.")
print("DEVICE =", repr(DEVICE))
"""),
md("""
## Where a tensor lives: `.device`

New tensors go where the **backend** says: `"numpy"` (the default) puts them on the CPU.
"""),
code("""
x = tk.random.normal((2, 3))
print("backend:", tk.get_backend())
print("x:", x.shape, "on", x.device, "- its numbers are a", type(x.data).__module__ + "." + type(x.data).__name__)
"""),
md("""
## Moving a tensor: `.to(...)`

`x.to("gpu")` copies the numbers into the GPU's memory. The **shape and dtype stay the
same**; only the device changes. Without a GPU, asking for one gives a `BackendError` that
says why and what to install:
"""),
code(IGNORE + """
try:
    x_gpu = x.to("gpu")
    print("moved:", x_gpu.shape, x_gpu.dtype, "on", x_gpu.device)
except tk.BackendError as e:
    print("BackendError:", e)
"""),
md("""
So lessons write `x.to(DEVICE)`: the GPU when there is one, else the CPU (where `.to("cpu")`
on a CPU tensor gives the very same tensor back: nothing to copy).
"""),
code("""
images = tk.random.uniform((64, 8, 8, 1))
moved = images.to(DEVICE)
print("images:", images.shape, images.dtype)
print("moved: ", moved.shape, moved.dtype)
"""),
md("""
### Exercise 14.1 — predict the shape

`batch` has shape `(32, 28, 28, 1)`. What is the shape of `batch.to("gpu")`?
"""),
answer("""
answer = None  # your answer: a shape tuple
""", """
answer = (32, 28, 28, 1)
"""),
code("""
expected = tk.symbolic((32, 28, 28, 1)).shape
widgets.check(answer, expected, hint="Moving copies the numbers; it changes no axis.")
"""),
md("""
## Two devices in one op: an error

An op needs all its inputs in one place: a GPU cannot read the CPU's memory directly.
Mixing them raises a `DeviceError` that names each input's device and the fix.
"""),
code(IGNORE + """
if GPU:
    try:
        tk.ones(3) + tk.ones(3).to("gpu")
    except tk.DeviceError as e:
        print("DeviceError:", e)
else:
    print("Skipped (needs a GPU). There, `tk.ones(3) + tk.ones(3).to('gpu')` raises:")
    print("DeviceError: add got tensors on different devices (input 0 on cpu, input 1 on gpu). "
          "Fix: move them to one device first, e.g. x.to('gpu') or x.to('cpu').")
"""),
md("""
### Exercise 14.2 — which device?

After `tk.set_backend("numpy")`, where does `w = tk.random.normal((3, 3))` live?
Answer with a string: `"cpu"` or `"gpu"`.
"""),
answer("""
answer = None  # your answer: "cpu" or "gpu"
""", """
answer = "cpu"
"""),
code("""
tk.set_backend("numpy")
expected = {"device": tk.random.normal((3, 3)).device}
widgets.check({"device": answer}, expected, hint="The backend decides where new tensors go: NumPy arrays are in main memory.")
"""),
md("""
## The same training code on both

One function builds and trains a small digits CNN. `tk.set_backend(...)` comes **first**, so
that the weights are created on that device; `fit` then copies each batch of `x` to the
device, and the losses come back to the CPU as plain Python numbers.
"""),
code("""
x_all, y_all = tk.data.load_digits(as_images=True)
x_train, x_test, y_train, y_test = tk.data.train_test_split(x_all, y_all, test_size=0.2, seed=0)
x_train, y_train, x_test = x_train.numpy(), y_train.numpy(), x_test.numpy()


def train_digits(backend):
    tk.set_backend(backend)                          # first: weights are made on this device
    tk.random.seed(0)
    tk.clear_session()
    model = tk.Sequential([
        tk.Input(shape=(8, 8, 1)),
        L.Conv2D(16, 3, activation="relu"),          # (None, 8, 8, 1) -> (None, 6, 6, 16)
        L.Flatten(),                                 # (None, 576)
        L.Dense(10, activation="softmax"),           # (None, 10)
    ], name="digits")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    history = model.fit(x_train, y_train, epochs=3, batch_size=64, verbose=0)
    return model, history.history["loss"]


model, losses = train_digits("numpy")
print("weights on:", model.weights[0].device)
print("loss per epoch:", [round(v, 3) for v in losses])
"""),
code(IGNORE + """
if GPU:
    model_gpu, losses_gpu = train_digits("cupy")
    print("weights on:", model_gpu.weights[0].device)
    print("loss per epoch:", [round(v, 3) for v in losses_gpu])
    print("same losses as NumPy (to 3 decimals):", np.allclose(losses, losses_gpu, atol=1e-3))
else:
    print("Skipped (needs a GPU): the same train_digits('cupy') would run there, unchanged.")
tk.set_backend("numpy")                              # back to the CPU for the rest
"""),
md("""
What comes **back** from the device: `predict` returns a NumPy array on the CPU whatever the
backend, so plotting and printing just work. (On a GPU tensor, `t.numpy()` does the copy.)
"""),
code("""
probs = model.predict(x_test[:5], verbose=0)
print(type(probs).__module__ + "." + type(probs).__name__, probs.shape)
"""),
md("""
### Exercise 14.3 — predict the shape

What is the shape of `model.predict(x_test[:20], verbose=0)`?
"""),
answer("""
answer = None  # your answer: a shape tuple
""", """
answer = (20, 10)
"""),
code("""
expected = model.compute_output_shape((20, 8, 8, 1))
widgets.check(answer, expected, hint="One row per image, one column per digit class.")
"""),
md("""
## When is a GPU faster?

A GPU does thousands of multiplications at once, but every op costs a launch and data must be
copied there first. Big matrix products win; tiny ones (like our 8x8 digits) may not.
The times below are measured on the machine that ran the notebook, so they change every
run (nbval does not compare them).
"""),
code("""
# NBVAL_IGNORE_OUTPUT
# (nbval skips this output: timings differ on every run)
def seconds(backend, n, repeat=3):
    tk.set_backend(backend)
    a, b = tk.random.normal((n, n)), tk.random.normal((n, n))
    tk.sum(tk.matmul(a, b)).item()                   # warm up (and wait for the GPU)
    start = time.perf_counter()
    for _ in range(repeat):
        tk.sum(tk.matmul(a, b)).item()               # .item() waits for the result
    return (time.perf_counter() - start) / repeat


for n in (64, 512, 1024):
    line = f"matmul {n}x{n}: numpy {seconds('numpy', n) * 1000:.2f} ms"
    if GPU:
        line += f", cupy {seconds('cupy', n) * 1000:.2f} ms"
    print(line)
if not GPU:
    print("(no GPU here: only NumPy was timed)")
tk.set_backend("numpy")
"""),
md("""
## What to remember

* `x.device` says where a tensor lives; `x.to("gpu")` / `x.to("cpu")` copies it, and the
  **shape never changes**
* `tk.set_backend("cupy")` before building a model puts its weights on the GPU; `fit`
  moves each batch there
* ops need all inputs on one device, or they raise `DeviceError`
* `tk.gpu_available()` tells you whether to try; without a GPU the same code runs on NumPy
"""),
]

LESSONS["14_gpu.ipynb"] = cells
