# Weak solutions used by the demo and the discrimination tests: one section per solution cell,
# headed "# %% <grade_id>". Each is plausible learner code that trains too little.

# %% stop_at_accuracy
class StopAtAccuracy(keras.callbacks.Callback):
    """Looks for the Keras 2 key 'acc', which Keras 3 never reports: it never stops training."""

    def __init__(self, target=0.88):
        super().__init__()
        self.target = target

    def on_epoch_end(self, epoch, logs=None):
        if (logs or {}).get("acc", 0.0) >= self.target:
            self.model.stop_training = True

# %% train_model
def train_model(x, y):
    """A linear model (no hidden layer) trained for a single epoch."""
    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x[:5000], y[:5000], epochs=1, callbacks=[StopAtAccuracy(0.88)], verbose=2)
    return model, history
