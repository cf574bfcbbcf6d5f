# Weak solution used by the demo and the discrimination tests: one section per solution cell,
# headed "# %% <grade_id>". Plausible learner code that keeps too little of each passage: a
# 100-word vocabulary and the first 4 words.

# %% make_vectorizer
VOCAB_SIZE = 100
SEQUENCE_LENGTH = 4


def make_vectorizer(texts):
    vectorizer = keras.layers.TextVectorization(max_tokens=VOCAB_SIZE, output_sequence_length=SEQUENCE_LENGTH)
    vectorizer.adapt(tf.data.Dataset.from_tensor_slices(texts).batch(256))
    return vectorizer
