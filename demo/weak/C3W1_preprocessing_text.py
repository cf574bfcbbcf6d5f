# Weak solution used by the demo and the discrimination tests: one section per solution cell,
# headed "# %% <grade_id>". Plausible learner code that misses a rule in each function.

# %% remove_stopwords
def remove_stopwords(sentence):
    """Forgets to lower-case: "The" and "AND" stay."""
    return " ".join(word for word in sentence.split(" ") if word not in STOPWORDS)

# %% fit_vectorizer
def fit_vectorizer(texts, max_tokens, sequence_length):
    """Forgets the sequence length: every batch is padded to its longest text instead."""
    vectorizer = keras.layers.TextVectorization(max_tokens=max_tokens)
    vectorizer.adapt(np.array(texts, dtype=object))
    return vectorizer

# %% encode_labels
def encode_labels(labels):
    """Keeps the default out-of-vocabulary index: classes numbered from 1, not 0."""
    lookup = keras.layers.StringLookup(vocabulary=sorted(set(labels)))
    return lookup(np.array(labels, dtype=object)).numpy()
