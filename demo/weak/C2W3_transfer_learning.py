# Weak solution used by the demo and the discrimination tests: one section per solution cell,
# headed "# %% <grade_id>". Plausible learner code that trains the base's architecture from scratch
# (random weights) in the time the head alone would train.

# %% transfer_model
def transfer_model(base):
    base = keras.models.clone_model(base)  # same layers, fresh random weights: learns from scratch
    inputs = keras.Input(shape=(96, 96, 3))
    x = keras.layers.Resizing(32, 32)(inputs)
    x = keras.layers.Rescaling(1.0 / 255)(x)
    x = base(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    x = keras.layers.Dropout(0.2)(x)
    outputs = keras.layers.Dense(3, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
