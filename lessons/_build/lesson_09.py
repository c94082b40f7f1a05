"""Lesson 09: the cells of the learner's and the teacher's copy (see build_06_10.py)."""
# ruff: noqa: E501 -- long lines are notebook cell sources, kept as learners see them

from build_06_10 import HEADER, Lesson

L = Lesson("09_attention.ipynb")
L.md("""
# 9. Attention: queries, keys and values

An RNN passes information along one step at a time. **Attention** lets every position look
at every other position directly. Each **query** is compared with every **key**; the
scores, turned into weights by a softmax, say how much of each **value** to take.
The weights have shape **(batch, queries, keys)**: one row per query — a heatmap.
""")
L.code(HEADER + "\n\nlayers = tk.layers\n%matplotlib inline\nimport matplotlib.pyplot as plt")
L.md("""
## By hand, shape by shape

Queries `(batch, Tq, d)`, keys and values `(batch, Tv, d)`:

1. scores = query @ keyᵀ: `(batch, Tq, d) @ (batch, d, Tv) → (batch, Tq, Tv)`
2. weights = softmax over the last axis (the keys): each row sums to 1
3. output = weights @ value: `(batch, Tq, Tv) @ (batch, Tv, d) → (batch, Tq, d)`
""")
L.code("""
rng = np.random.default_rng(0)
query = tk.tensor(rng.normal(size=(1, 4, 8)).astype("float32"))   # (batch, Tq, d)
value = tk.tensor(rng.normal(size=(1, 6, 8)).astype("float32"))   # (batch, Tv, d), also the keys
with tk.trace() as graph:
    scores = tk.matmul(query, tk.transpose(value, (0, 2, 1)))   # (1, 4, 8) @ (1, 8, 6) -> (1, 4, 6)
    weights = tk.softmax(scores, axis=-1)                         # over the keys
    output = tk.matmul(weights, value)                            # (1, 4, 6) @ (1, 6, 8) -> (1, 4, 8)
print("weights:", weights.shape, " output:", output.shape)
print("each row sums to 1:", np.allclose(weights.numpy().sum(axis=-1), 1))
widgets.ShapeTable(graph)
""")
L.md("""
## The `Attention` layer

Keras's `Attention` does exactly this (dot-product scores, no scaling by default). Call it
on `[query, value]`; `return_attention_scores=True` also returns the weights.
""")
L.code("""
out, attn = layers.Attention()([query, value], return_attention_scores=True)
print("output:", out.shape, " weights:", attn.shape, "= (batch, Tq, Tv)")
print("same as by hand:", np.allclose(out.numpy(), output.numpy(), atol=1e-5),
      np.allclose(attn.numpy(), weights.numpy(), atol=1e-6))
""")
L.md("""
## A heatmap that means something

Take a token sequence and use one-hot vectors of the tokens as queries, keys and values
(self-attention: the sequence attends to itself). A query scores highest on keys with
**the same token**, so each row lights up where its token appears.
""")
L.code("""
tokens, _ = tk.data.sequence_task("copy", n=1, length=8, vocab=5, seed=3)
print("tokens:", tokens.numpy()[0])
x = tk.tensor(tk.data.one_hot(tokens.numpy(), 5) * 3.0)   # (1, 8) -> (1, 8, 5)
print("x:", x.shape)
out, attn = layers.Attention()([x, x], return_attention_scores=True)
print("weights:", attn.shape)
""")
L.code("""
def heatmap(w, labels, title):
    fig, ax = plt.subplots(figsize=(3, 3), dpi=72)
    ax.imshow(w, cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("key (token)")
    ax.set_ylabel("query (token)")
    ax.set_title(title)
    plt.show()

heatmap(attn.numpy()[0], tokens.numpy()[0], "attention weights")
""")
L.md("""
## Causal masking

For generating text, position t must not see the future. `use_causal_mask=True` sets the
weights above the diagonal to 0: each row attends only to itself and earlier keys.
""")
L.code("""
out, causal = layers.Attention()([x, x], return_attention_scores=True, use_causal_mask=True)
print("above the diagonal all 0:", np.allclose(np.triu(causal.numpy()[0], k=1), 0))
heatmap(causal.numpy()[0], tokens.numpy()[0], "causal weights")
""")
L.md("""
## When the sizes don't match

Dot-product scores need queries and keys of the same size `d`. Here the keys have 12
features and the queries 16:
""")
L.code("""
try:
    layers.Attention(name="attend")([tk.symbolic((None, 4, 16)), tk.symbolic((None, 6, 12))])
except tk.ShapeError as err:
    print(err)
""")
L.md("""
## Multi-head attention

`MultiHeadAttention(num_heads, key_dim)` first projects queries, keys and values with
learned `Dense` weights, once per head, so the input sizes may differ; it attends in every
head and projects back to the query's size. The weights gain a **heads** axis:
`(batch, heads, Tq, Tv)`.
""")
L.code("""
mha = layers.MultiHeadAttention(num_heads=2, key_dim=8, name="mha")
q_in = tk.symbolic((None, 4, 16))
v_in = tk.symbolic((None, 6, 12))
out, scores = mha(q_in, v_in, return_attention_scores=True)
print("output:", out.shape, " weights:", scores.shape, "= (batch, heads, Tq, Tv)")
for w in mha.weights:
    print(f"{w.name:35} {w.shape}")
""")
# ---- exercises
L.md("## Exercises")
L.exercise(
    "9.1", "predict the shape",
    """Queries `(None, 5, 32)`, values `(None, 9, 32)`. What is the shape of the attention
weights returned by `Attention()(..., return_attention_scores=True)`?""",
    "answer = None  # your answer: a shape tuple",
    "answer = (None, 5, 9)",
    """_, expected = layers.Attention()([tk.symbolic((None, 5, 32)), tk.symbolic((None, 9, 32))],
                                  return_attention_scores=True)
widgets.check(answer, expected.shape, hint="One row per query, one column per key.")""")
L.exercise(
    "9.2", "predict the shape",
    """`MultiHeadAttention(num_heads=4, key_dim=8)` with query `(None, 5, 32)` and value
`(None, 9, 24)`: what is the shape of its **output**?""",
    "answer = None  # your answer: a shape tuple",
    "answer = (None, 5, 32)",
    """expected = layers.MultiHeadAttention(num_heads=4, key_dim=8)(
    tk.symbolic((None, 5, 32)), tk.symbolic((None, 9, 24))).shape
widgets.check(answer, expected, hint="The output has one vector per query, projected back to the query's size.")""")
L.exercise(
    "9.3", "fix this error",
    """The queries have 16 features, the keys 12 (the error above). The message suggests
projecting one of them with `Dense` first. Make `answer` the attention **output** after
projecting the keys/values to 16 features.""",
    """q = tk.symbolic((None, 4, 16))
v = tk.symbolic((None, 6, 12))
answer = None  # your answer: the output tensor of layers.Attention()([...])""",
    """q = tk.symbolic((None, 4, 16))
v = tk.symbolic((None, 6, 12))
answer = layers.Attention()([q, layers.Dense(16)(v)])""",
    """widgets.check(answer, (None, q.shape[1], q.shape[2]),
              hint="Dense(units) on the values sets their last axis to units.")""")
L.md("""
## Summary

- scores = Q Kᵀ: **(batch, Tq, Tv)**; softmax over the keys; output = weights V: **(batch, Tq, d)**.
- `Attention()([query, value], return_attention_scores=True)` gives the weights to draw.
- `use_causal_mask=True` hides the future; `MultiHeadAttention` adds a heads axis and
  projections, so sizes may differ.
""")


def build():
    return L
