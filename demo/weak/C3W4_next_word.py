# Weak solution used by the demo and the discrimination tests: one section per solution cell,
# headed "# %% <grade_id>". Plausible learner code that ignores word order: the average of the
# context's word vectors instead of an LSTM, trained for one epoch. It guesses about as well as
# always naming the most frequent words.

# %% create_model
def create_model(vectorizer):
    inputs = keras.Input(shape=(1,), dtype="string")
    x = vectorizer(inputs)
    x = keras.layers.Embedding(VOCAB_SIZE, EMBEDDING_DIM)(x)
    x = keras.layers.GlobalAveragePooling1D()(x)
    outputs = keras.layers.Dense(vectorizer.vocabulary_size(), activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.005), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy", keras.metrics.SparseTopKCategoricalAccuracy(k=5, name="top5_accuracy")])
    return model


# %% train
model = create_model(vectorizer)
NUM_EPOCHS = 1
history = model.fit(train_ds, validation_data=validation_ds, epochs=NUM_EPOCHS, verbose=2)
