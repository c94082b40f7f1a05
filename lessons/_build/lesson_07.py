"""Lesson 07: the cells of the learner's and the teacher's copy (see build_06_10.py)."""
# ruff: noqa: E501 -- long lines are notebook cell sources, kept as learners see them

from build_06_10 import HEADER, Lesson

L = Lesson("07_text.ipynb")
L.md("""
# 7. Text: tokens, padding and embeddings

A network needs numbers in a rectangular block. Text gives neither: words, and sentences
of different lengths. This lesson turns sentences into a **(batch, time)** tensor of token
ids, then an `Embedding` turns each id into a vector: **(batch, time, dim)**.
""")
L.code(HEADER + "\n\nlayers = tk.layers\n%matplotlib inline\nimport matplotlib.pyplot as plt")
L.md("## Sentences")
L.code("""
texts, labels = tk.data.sentiment(n=1000, seed=0)   # short reviews, 1 = positive
for t, y in zip(texts[:4], labels[:4]):
    print(y, t)
""")
L.md("""
## Words to ids

A `Tokenizer` learns a vocabulary: every word gets an integer id (the most frequent
first). Id 0 is never used: it is kept for padding.
""")
L.code("""
tokenizer = tk.data.Tokenizer(oov_token="<unk>")   # <unk> stands for words it never saw
tokenizer.fit_on_texts(texts)
print(list(tokenizer.word_index.items())[:6])
sequences = tokenizer.texts_to_sequences(texts[:4])
for s in sequences:
    print(len(s), s)
""")
L.md("""
The sequences have different lengths, so they are not a tensor yet. Trying anyway gives a
shape error that says what to do:
""")
L.code("""
try:
    tk.tensor(sequences)
except tk.ShapeError as err:
    print(err)
""")
L.md("""
## Pad to one length

`pad_sequences` adds zeros (at the front by default, `padding="post"` for the end) and
cuts longer sequences, so every row has `maxlen` ids: a **(batch, time)** block.
""")
L.code("""
padded = tk.data.pad_sequences(sequences, maxlen=8)
print(padded.shape, "= (batch, time)")
print(padded)
print(tk.data.pad_sequences(sequences, maxlen=8, padding="post"))
""")
L.md("""
## All in one layer: `TextVectorization`

Keras's `TextVectorization` does both steps: `adapt` learns the vocabulary, and calling it
gives padded ids. Index 0 is the padding `''`, index 1 the unknown word `[UNK]`.
""")
L.code("""
vectorize = tk.data.TextVectorization(output_sequence_length=8)
vectorize.adapt(texts)
print(vectorize.get_vocabulary()[:8], "...", vectorize.vocabulary_size(), "entries")
ids = vectorize(texts[:3])
print(ids.shape)
print(ids)
""")
L.md("""
## Embedding: one vector per id

An `Embedding(input_dim, output_dim)` holds a table of shape `(input_dim, output_dim)`: one
row per id. It looks up a row for every id, so a new last axis appears:
**(batch, time) → (batch, time, dim)**. The rows are weights, learned like any other.
""")
L.code("""
embed = layers.Embedding(vectorize.vocabulary_size(), 4, name="embed")
vectors = embed(ids)
print("ids:    ", ids.shape)
print("vectors:", vectors.shape)
print("table:  ", embed.embeddings.shape)
first_id = int(ids.numpy()[0, 0])
print("row", first_id, "of the table == vectors[0, 0]:",
      np.allclose(embed.embeddings.numpy()[first_id], vectors.numpy()[0, 0]))
""")
L.md("One sentence is now a small (time, dim) image: one row per word.")
L.code("""
fig, ax = plt.subplots(figsize=(3, 2.4), dpi=72)
ax.imshow(vectors.numpy()[0], cmap="coolwarm")
ax.set_yticks(range(8), [vectorize.get_vocabulary()[i] for i in ids.numpy()[0]])
ax.set_xlabel("dim")
ax.set_title(texts[0])
plt.show()
""")
L.md("""
## Masking the padding

The zeros at the end are not words. With `mask_zero=True` the Embedding also returns a
**mask** of shape (batch, time): `False` where the id was 0. Layers after it (pooling,
RNNs, attention) skip the masked steps.
""")
L.code("""
masked = layers.Embedding(vectorize.vocabulary_size(), 4, mask_zero=True)(ids)
print(masked.shape, "mask:", masked.mask.shape)
print(masked.mask.numpy())
""")
L.md("""
## Errors you will meet

Ids must be integers smaller than `input_dim`: the table has no row for a bigger id.
""")
L.code("""
try:
    layers.Embedding(5, 4, name="small_table")(tk.tensor([[1, 7]]))
except tk.ShapeError as err:
    print(err)
""")
L.md("## A first text classifier")
L.md("""
Average the word vectors over time (`GlobalAveragePooling1D`: (batch, time, dim) →
(batch, dim)), then one `Dense` unit with a sigmoid says positive or negative.
""")
L.code("""
model = tk.Sequential([
    tk.Input(shape=(8,), dtype="int32"),
    layers.Embedding(vectorize.vocabulary_size(), 8, mask_zero=True, name="embedding"),
    layers.GlobalAveragePooling1D(name="average"),
    layers.Dense(1, activation="sigmoid", name="head"),
], name="bag_of_words")
widgets.ShapeTable(model)
""")
L.code("widgets.GraphView(model)")
L.code("""
x = vectorize(texts)
print("x:", x.shape, x.dtype, " y:", labels.shape)
model.compile(optimizer=tk.optimizers.Adam(0.01), loss="binary_crossentropy",
              metrics=["accuracy"])
history = model.fit(x, labels, epochs=15, batch_size=32, validation_split=0.2, verbose=0)
print(f"validation accuracy: {history.history['val_accuracy'][-1]:.2f}")
""")
L.code("""
fig, ax = plt.subplots(figsize=(5, 2.5), dpi=72)
ax.plot(history.history["accuracy"], label="training accuracy")
ax.plot(history.history["val_accuracy"], label="validation accuracy")
ax.set_xlabel("epoch")
ax.legend()
plt.show()
""")
L.md("""
An average forgets the **order** of the words: "not good" and "good not" look the same.
That is why the accuracy stops short of 100%. Lesson 8 reads the words in order.
""")
L.code("""
for sentence in ["the food was good", "the food was not good", "the food was bad"]:
    p = model.predict(vectorize([sentence]), verbose=0)[0, 0]
    print(f"{p:.2f}  {sentence}")
""")
# ---- exercises
L.md("## Exercises")
L.exercise(
    "7.1", "predict the shape",
    """A batch of 32 sentences, each padded to 20 ids, goes into `Embedding(1000, 16)`.
What shape comes out?""",
    "answer = None  # your answer: a shape tuple",
    "answer = (32, 20, 16)",
    """expected = layers.Embedding(1000, 16).compute_output_shape((32, 20))
widgets.check(answer, expected, hint="The ids keep their (batch, time) axes; each id becomes a vector.")""")
L.exercise(
    "7.2", "fix this error",
    """`tk.tensor(reviews)` fails: the lists have different lengths. Make `answer` a tensor
of these id lists padded **at the end** to the length of the longest one.""",
    """reviews = [[4, 12, 7], [4, 9], [4, 12, 3, 30, 8]]
answer = None  # your answer: a tensor""",
    """reviews = [[4, 12, 7], [4, 9], [4, 12, 3, 30, 8]]
answer = tk.tensor(tk.data.pad_sequences(reviews, padding="post"))""",
    """print("padding at the end:", answer is not None and int(answer.numpy()[1, -1]) == 0)
widgets.check(answer, (len(reviews), max(len(r) for r in reviews)),
              hint="tk.data.pad_sequences pads to the longest by default; then tk.tensor.")""")
L.exercise(
    "7.3", "predict the shape",
    """`GlobalAveragePooling1D` averages over time. What does it give for an input of shape
`(None, 10, 32)`?""",
    "answer = None  # your answer: a shape tuple",
    "answer = (None, 32)",
    """expected = layers.GlobalAveragePooling1D()(tk.symbolic((None, 10, 32))).shape
widgets.check(answer, expected, hint="Which axis does an average over time remove?")""")
L.exercise(
    "7.4", "build the layer",
    """A vocabulary has `vocab_size = 500` entries (0 is padding). Build the layer that maps
`(None, 10)` ids to `(None, 10, 32)` vectors and masks the padding, and call it on
`tk.symbolic((None, 10), dtype="int32")`.""",
    """vocab_size = 500
answer = None  # your answer: a layer, called once on tk.symbolic((None, 10), dtype="int32")""",
    """vocab_size = 500
answer = layers.Embedding(vocab_size, 32, mask_zero=True)
output = answer(tk.symbolic((None, 10), dtype="int32"))""",
    """widgets.check(answer, {"type": "Embedding", "shape": (None, 10, 32), "input_dim": vocab_size,
                      "mask_zero": True},
              hint="Embedding(input_dim, output_dim, mask_zero=...): one row per id.")""")
L.md("""
## Summary

- Text → ids (`Tokenizer` / `TextVectorization`) → pad to one length → **(batch, time)**.
- `Embedding(vocab, dim)`: a table `(vocab, dim)`; ids **(batch, time)** → **(batch, time, dim)**.
- `mask_zero=True` marks padding so later layers ignore it.
- Averaging over time loses word order; RNNs (next lesson) keep it.
""")


def build():
    return L
