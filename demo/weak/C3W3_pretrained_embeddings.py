# Weak solution used by the demo and the discrimination tests: one section per solution cell,
# headed "# %% <grade_id>". Plausible learner code that learns its own embedding from the 3,200
# training reviews instead of using the pre-trained vectors: accurate enough, but it memorizes them.

# %% create_model
def create_model(vectorizer, matrix):
    inputs = keras.Input(shape=(1,), dtype="string")
    x = vectorizer(inputs)
    x = keras.layers.Embedding(len(matrix), DIMENSIONS, mask_zero=True)(x)  # learned from scratch
    x = keras.layers.GlobalAveragePooling1D()(x)
    x = keras.layers.Dropout(0.4)(x)
    x = keras.layers.Dense(16, activation="relu")(x)
    outputs = keras.layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.002), loss="binary_crossentropy",
                  metrics=["accuracy"])
    return model
