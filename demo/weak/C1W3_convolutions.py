# Weak solutions used by the demo and the discrimination tests: one section per solution cell,
# headed "# %% <grade_id>". Each is plausible learner code that trains too little.

# %% convolutional_model
def convolutional_model():
    """No convolution at all: a dense network on flattened pixels."""
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Flatten(),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model

# %% train
NUM_EPOCHS = 1
history = model.fit(train_ds.take(100), epochs=NUM_EPOCHS, verbose=2)
