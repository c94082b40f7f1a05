"""Text to numbers: ``pad_sequences``, the legacy Keras ``Tokenizer`` and ``TextVectorization``.

Each follows its Keras namesake's rules exactly, so lesson code reads the same in Keras:

- ``pad_sequences`` pads and cuts at the *front* by default ("pre"), as Keras does.
- ``Tokenizer``: index 1 is the most frequent word; 0 is never a word (it is padding).
- ``TextVectorization``: index 0 is "" (padding), 1 is "[UNK]" (any unknown word); it is
  ``tk.layers.TextVectorization`` itself (all of Keras' arguments and output modes).
"""

import collections

import numpy

from ..layers.text_preprocessing import TextVectorization  # the layer is tk.data's too

__all__ = ["pad_sequences", "Tokenizer", "TextVectorization"]


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0):
    """A list of sequences of different lengths -> one array of shape (n, maxlen).

    As ``keras.utils.pad_sequences``: ``maxlen`` defaults to the longest sequence; longer
    ones lose items at the front (``truncating="pre"``) or the back ("post"); shorter ones
    get ``value`` at the front (``padding="pre"``) or the back ("post").

    >>> pad_sequences([[1, 2, 3], [4]])
    array([[1, 2, 3],
           [0, 0, 4]], dtype=int32)
    """
    if padding not in ("pre", "post"):
        raise ValueError(f'pad_sequences: padding must be "pre" or "post". '
                         f"Received: padding={padding!r}")
    if truncating not in ("pre", "post"):
        raise ValueError(f'pad_sequences: truncating must be "pre" or "post". '
                         f"Received: truncating={truncating!r}")
    if maxlen is not None and (not isinstance(maxlen, (int, numpy.integer)) or maxlen < 0):
        raise ValueError(f"pad_sequences: maxlen must be a non-negative integer or None. "
                         f"Received: maxlen={maxlen!r}")
    lengths, sample_shape = [], None
    for i, s in enumerate(sequences):
        if isinstance(s, str) or not hasattr(s, "__len__"):
            raise ValueError(f"pad_sequences expects a list of sequences (lists of numbers), "
                             f"but item {i} is {s!r:.40}. Fix: turn text into numbers first, "
                             "e.g. with tk.data.Tokenizer().texts_to_sequences(texts).")
        lengths.append(len(s))
        if sample_shape is None and len(s):
            sample_shape = numpy.asarray(s).shape[1:]
    sample_shape = sample_shape or ()
    if maxlen is None:
        maxlen = max(lengths, default=0)
    out = numpy.full((len(lengths), maxlen) + sample_shape, value, dtype=dtype)
    if maxlen == 0:
        return out
    for i, s in enumerate(sequences):
        if not len(s):
            continue
        kept = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        kept = numpy.asarray(kept, dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(f"pad_sequences: sequence {i} has items of shape {kept.shape[1:]} "
                             f"but earlier ones have {sample_shape}. Every item must have the "
                             "same shape.")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, -len(kept):] = kept
    return out


# Keras' legacy Tokenizer default filters: punctuation, tab and newline.
_TOKENIZER_FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'


def _text_list(texts, who):
    if isinstance(texts, str):
        raise TypeError(f"{who} expects a list of texts, not one string. "
                        f"Fix: pass [{texts!r:.40}].")
    texts = list(texts)
    for i, t in enumerate(texts):
        if not isinstance(t, str):
            raise TypeError(f"{who} expects texts (str), but item {i} is "
                            f"{type(t).__name__}: {t!r:.40}")
    return texts


class Tokenizer:
    """Words -> integers, as Keras' (legacy) ``keras.preprocessing.text.Tokenizer``.

    ``fit_on_texts`` counts words; ``word_index`` maps each word to its rank by frequency
    (1 = most frequent, ties in order of first appearance); 0 is left for padding.
    ``texts_to_sequences`` keeps only words with index < ``num_words`` (all when None);
    other words become ``oov_token``'s index when one is given, else are dropped.
    """

    def __init__(self, num_words=None, oov_token=None, lower=True, filters=_TOKENIZER_FILTERS,
                 split=" "):
        if num_words is not None and (not isinstance(num_words, int) or num_words < 1):
            raise ValueError(f"Tokenizer expects num_words to be a positive integer or None. "
                             f"Received: num_words={num_words!r}")
        self.num_words, self.oov_token, self.lower = num_words, oov_token, lower
        self.filters, self.split = filters, split
        self.word_counts = collections.OrderedDict()
        self.document_count = 0
        self.word_index, self.index_word = {}, {}

    def _words(self, text):
        if self.lower:
            text = text.lower()
        text = text.translate(str.maketrans({c: self.split for c in self.filters}))
        return [w for w in text.split(self.split) if w]

    def fit_on_texts(self, texts):
        for text in _text_list(texts, "Tokenizer.fit_on_texts"):
            self.document_count += 1
            for w in self._words(text):
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
        # sorted() is stable, so equally frequent words keep their first-seen order (as Keras)
        vocab = [w for w, _ in sorted(self.word_counts.items(), key=lambda kv: -kv[1])]
        if self.oov_token is not None:
            vocab = [self.oov_token] + vocab
        self.word_index = {w: i for i, w in enumerate(vocab, start=1)}
        self.index_word = {i: w for w, i in self.word_index.items()}

    def texts_to_sequences(self, texts):
        """A list of texts -> a list of lists of word indices (ragged: pad them next)."""
        texts = _text_list(texts, "Tokenizer.texts_to_sequences")
        if not self.word_index:
            raise ValueError("This Tokenizer has no words yet. Fix: call "
                             "tokenizer.fit_on_texts(texts) first.")
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        out = []
        for text in texts:
            seq = []
            for w in self._words(text):
                i = self.word_index.get(w)
                if i is not None and (self.num_words is None or i < self.num_words):
                    seq.append(i)
                elif oov is not None:
                    seq.append(oov)
            out.append(seq)
        return out

    def sequences_to_texts(self, sequences):
        """Back from indices to words (0 and rare words dropped, or shown as oov_token)."""
        oov = self.word_index.get(self.oov_token) if self.oov_token is not None else None
        out = []
        for seq in sequences:
            words = []
            for i in seq:
                i = int(i)
                if i in self.index_word and (self.num_words is None or i < self.num_words):
                    words.append(self.index_word[i])
                elif oov is not None and i != 0:
                    words.append(self.index_word[oov])
            out.append(" ".join(words))
        return out
