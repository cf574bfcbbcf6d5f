"""``tf.data`` helpers shared by the notebooks.

A cached pipeline must not be read partially. ``next(iter(train_ds))`` on ``ds.cache().prefetch(...)``
starts filling the in-memory cache, then drops the iterator half-way; TensorFlow discards the partial
cache, except when the drop cancels a read in flight (the prefetch thread's, on a busy machine): the
cache is then marked complete with the few batches it holds, and every later epoch trains on those
alone. Measured with C1W4's pipeline on a loaded 2-core machine: 4 pipelines in 60 truncated to one
batch after a ``next(iter(...))`` peek, 0 in 60 after :func:`first_batch`.
"""

from __future__ import annotations


def first_batch(dataset):
    """The first element of ``dataset``, read by one full pass so that a cache inside it is complete.

    Use it instead of ``next(iter(dataset))`` to look at a batch of a pipeline that ends in
    ``.cache().prefetch(...)``: the pass fills the cache (which the first epoch would do anyway), and
    training then sees every batch. A pipeline with nothing cached is simply read once.
    """
    first = None
    for element in dataset:
        if first is None:
            first = element
    if first is None:
        raise ValueError("the dataset is empty: there is no first batch to look at")
    return first
