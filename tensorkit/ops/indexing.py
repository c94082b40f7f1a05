"""Indexing ops: getitem (ints, slices, None, Ellipsis, integer arrays, boolean masks),
take/gather, one_hot. (Skeleton: being written.)"""

__all__ = ["getitem", "take", "gather", "one_hot"]


def _todo(*args, **kwargs):
    raise NotImplementedError("indexing ops are being written")


getitem = take = gather = one_hot = _todo
