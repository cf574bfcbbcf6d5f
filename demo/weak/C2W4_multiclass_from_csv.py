# Weak solutions used by the demo and the discrimination tests: one section per solution cell,
# headed "# %% <grade_id>". Each is plausible learner code that trains too little.

# %% create_model
def create_model():
    """No convolutions: a dense network on the raw pixels."""
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Rescaling(1.0 / 255),
        keras.layers.Flatten(),
        keras.layers.Dense(32, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model

# %% train
model = create_model()
NUM_EPOCHS = 2
history = model.fit(train_ds, validation_data=validation_ds, epochs=NUM_EPOCHS, verbose=2)
