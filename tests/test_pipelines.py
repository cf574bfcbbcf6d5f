"""tfcourse.pipelines: looking at a batch of a cached pipeline without cutting its cache short."""

import numpy as np
import pytest
import tensorflow as tf

from tfcourse.pipelines import first_batch


def counted_pipeline(reads: list[int]):
    """Ten batches of one number each, cached and prefetched; ``reads`` grows by one per number read from the source."""

    def read(value):
        reads.append(int(value))
        return value

    source = tf.data.Dataset.range(10).map(lambda value: tf.py_function(read, [value], tf.int64))
    return source.batch(1).cache().prefetch(tf.data.AUTOTUNE)


def test_first_batch_is_the_first_element():
    """Does it return what the first epoch starts with?"""
    assert first_batch(tf.data.Dataset.range(5, 9).batch(2)).numpy().tolist() == [5, 6]


def test_first_batch_leaves_the_cache_complete():
    """After looking, does every later epoch read all ten batches from the cache, none from the source?"""
    reads: list[int] = []
    pipeline = counted_pipeline(reads)
    assert first_batch(pipeline).numpy().tolist() == [0]
    assert reads == list(range(10))
    for _ in range(2):
        assert np.concatenate([batch.numpy() for batch in pipeline]).tolist() == list(range(10))
    assert reads == list(range(10))


def test_an_empty_pipeline_has_no_first_batch():
    with pytest.raises(ValueError, match="empty"):
        first_batch(tf.data.Dataset.range(0))
