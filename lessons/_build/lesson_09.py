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
### The same with `einsum`

`tk.einsum` names every axis with a letter instead: `"bqd,bkd->bqk"` reads *for each batch
b, query q and key k, sum over d*. A letter missing after `->` is summed over, and the
letters say which axes meet, so the keys need no transpose.
""")
L.code("""
scores2 = tk.einsum("bqd,bkd->bqk", query, value)    # (1, 4, 8), (1, 6, 8) -> (1, 4, 6): d summed
output2 = tk.einsum("bqk,bkd->bqd", weights, value)   # (1, 4, 6), (1, 6, 8) -> (1, 4, 8): k summed
print("same scores:", np.allclose(scores2.numpy(), scores.numpy(), atol=1e-5),
      " same output:", np.allclose(output2.numpy(), output.numpy(), atol=1e-5))
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
### The mask by hand

The mask is added to the scores **before** the softmax: 0 where a query may look, -inf
above the diagonal. exp(-inf) = 0, so later keys get no weight at all.
`tk.triu(m, k=1)` keeps what is above the diagonal of `m` and zeroes the rest.
""")
L.code("""
T = x.shape[1]
mask = tk.triu(tk.full((T, T), -np.inf), k=1)    # (8, 8): -inf above the diagonal, 0 elsewhere
print(mask.numpy()[:4, :4])                      # its top-left corner
masked = tk.einsum("bqd,bkd->bqk", x, x) + mask  # (1, 8, 8) + (8, 8) -> (1, 8, 8)
by_hand = tk.softmax(masked, axis=-1)            # each row still sums to 1
print("same as use_causal_mask=True:", np.allclose(by_hand.numpy(), causal.numpy(), atol=1e-6))
""")
L.md("""
## Where is each token? Positional encodings

Nothing in Q Kᵀ says *where* a token is: every query meets every key the same way.
Reverse the tokens and each output just moves along with its token: self-attention is
**permutation-equivariant**. To it, a sentence is a bag of words. Here with `Embedding`
vectors of size 12 and `tk.flip` to reverse the sequence:
""")
L.code("""
e = layers.Embedding(5, 12)(tokens)              # (1, 8) -> (1, 8, 12) = (batch, T, d)
attend = layers.Attention()
out = attend([e, e])                             # (1, 8, 12)
rev = tk.flip(e, axis=1)                         # the same tokens in reverse order
out_rev = attend([rev, rev])
print("reversed in -> reversed out:",
      np.allclose(out_rev.numpy(), tk.flip(out, axis=1).numpy(), atol=1e-6))
""")
L.md("""
The fix of *Attention is all you need*: add to each embedding a vector that depends only
on its position. Feature pair i is a clock that turns at its own rate:

PE[p, 2i] = sin(p · rateᵢ), PE[p, 2i+1] = cos(p · rateᵢ), with rateᵢ = 1 / 10000^(2i/d).

Positions `(T, 1)` times rates `(1, d/2)` broadcast to every angle at once, `(T, d/2)`;
sin and cos stacked on a new last axis, then reshaped, interleave into `(T, d)`.
""")
L.code("""
def positional_encoding(T, d):
    positions = tk.reshape(tk.arange(T, dtype="float32"), (T, 1))   # (T, 1): 0, 1, 2, ...
    rates = 1 / 10000 ** (tk.arange(0, d, 2, dtype="float32") / d)  # (d/2,): fast ... slow
    angles = positions * tk.reshape(rates, (1, d // 2))              # (T, 1) * (1, d/2) -> (T, d/2)
    pairs = tk.stack([tk.sin(angles), tk.cos(angles)], axis=-1)      # (T, d/2, 2)
    return tk.reshape(pairs, (T, d))                                 # (T, d): sin, cos, sin, cos...

with tk.trace() as graph:
    pe = positional_encoding(8, 12)
print("pe:", pe.shape)
widgets.ShapeTable(graph)
""")
L.md("""
(`tk.concatenate([tk.sin(angles), tk.cos(angles)], axis=-1)` is `(T, d)` too, all the
sines first; many implementations do that. The order doesn't matter as long as it stays
the same.) Drawn for 50 positions: the first features change fast, the last slowly, so
every row, every position, is different.
""")
L.code("""
fig, ax = plt.subplots(figsize=(5, 3), dpi=72)
ax.imshow(positional_encoding(50, 32).numpy(), cmap="RdBu", vmin=-1, vmax=1, aspect="auto")
ax.set_xlabel("feature (sin, cos, sin, cos, ...)")
ax.set_ylabel("position")
ax.set_title("positional encoding (T=50, d=32)")
plt.show()
""")
L.md("""
Add it to the embeddings: `(batch, T, d) + (T, d)` lines up from the right, so every
sample of the batch gets the same positions. Now a token at another place is another
vector, and reversing the tokens no longer just reverses the output:
""")
L.code("""
e_pos = e + pe                                   # (1, 8, 12) + (8, 12) -> (1, 8, 12)
rev_pos = rev + pe                               # the reversed tokens, each at its new position
out_pos, out_rev_pos = attend([e_pos, e_pos]), attend([rev_pos, rev_pos])
print("e + pe:", e_pos.shape, " reversed in -> reversed out:",
      np.allclose(out_rev_pos.numpy(), tk.flip(out_pos, axis=1).numpy(), atol=1e-6))
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
L.exercise(
    "9.4", "predict the shape",
    """A batch of 4 sentences of 10 tokens, embedded with `Embedding(1000, 16)`, has shape
`(4, 10, 16)`. What is the shape of `embeddings + positional_encoding(10, 16)`?""",
    "answer = None  # your answer: a shape tuple",
    "answer = (4, 10, 16)",
    """expected = tk.symbolic((4, 10, 16)) + positional_encoding(10, 16)
widgets.check(answer, expected.shape,
              hint="(T, d) lines up with the last two axes of (batch, T, d) and is added to every sample.")""")
L.exercise(
    "9.5", "predict the shape",
    """Multi-head scores with `einsum`: queries `(2, 4, 5, 8)` and keys `(2, 4, 7, 8)`, that is
(batch, heads, T, key_dim). What shape does `tk.einsum("bhqd,bhkd->bhqk", q, k)` give?""",
    "answer = None  # your answer: a shape tuple",
    "answer = (2, 4, 5, 7)",
    """expected = tk.einsum("bhqd,bhkd->bhqk", tk.symbolic((2, 4, 5, 8)), tk.symbolic((2, 4, 7, 8)))
widgets.check(answer, expected.shape,
              hint="The output has the axes named after ->, in that order; d, missing there, is summed.")""")
L.md("""
## Summary

- scores = Q Kᵀ: **(batch, Tq, Tv)**; softmax over the keys; output = weights V: **(batch, Tq, d)**.
  `tk.einsum("bqd,bkd->bqk", q, k)` names the axes instead of transposing.
- `Attention()([query, value], return_attention_scores=True)` gives the weights to draw.
- `use_causal_mask=True` hides the future: it adds `tk.triu(tk.full((T, T), -inf), k=1)`
  to the scores before the softmax.
- Self-attention alone ignores order; a positional encoding `(T, d)` added to embeddings
  `(batch, T, d)` gives each position its own vector.
- `MultiHeadAttention` adds a heads axis and projections, so sizes may differ.
""")


def build():
    return L
