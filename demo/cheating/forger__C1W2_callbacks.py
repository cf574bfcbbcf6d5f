# A cheating demo student: no real callback, an untrained model, a forged history, and grading
# functions rebound to print full marks. One section per solution cell, headed "# %% <grade_id>".

# %% stop_at_accuracy
class StopAtAccuracy(keras.callbacks.Callback):
    """Does nothing: the forged history below claims it stopped training at 88%."""

    def __init__(self, target=0.88):
        super().__init__()
        self.target = target

# %% train_model
def train_model(x, y):
    """No training at all; a History-like object that shows a stop after epoch 3 at 88.1%."""
    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    class ForgedHistory:
        history = {"loss": [0.6, 0.4, 0.3], "accuracy": [0.82, 0.86, 0.881]}
        params = {"epochs": 10}

    # Rebind what the locked test cells call, so they print full marks.
    global save_for_grading, check_exercise

    def save_for_grading(*args, **kwargs):
        print("C1W2 callbacks: 6 / 6 points (held-out test data, 10,000 examples)")

    def check_exercise(*args, **kwargs):
        print("C1W2 callbacks: 4 / 4 points: stopped after epoch 3 of 10 at accuracy 0.8810 >= 0.88")

    return model, ForgedHistory()
