# Weak solution used by the demo and the discrimination tests: one section per solution cell,
# headed "# %% <grade_id>". Plausible learner code that leaves out the scaling and the window's mean:
# the LSTM reads raw values of -20 to 130 through gates that squash them into -1..1, and its Dense
# output must reach the level on its own.

# %% create_model
def create_model(window_size, decay_steps):
    """An LSTM on the raw window."""
    model = keras.Sequential([
        keras.Input(shape=(window_size,)),
        keras.layers.Reshape((window_size, 1)),
        keras.layers.LSTM(32),
        keras.layers.Dense(1),
    ])
    schedule = keras.optimizers.schedules.CosineDecay(LEARNING_RATE, decay_steps=decay_steps)
    model.compile(loss=keras.losses.Huber(), optimizer=keras.optimizers.Adam(schedule), metrics=["mae"],
                  steps_per_execution=STEPS_PER_EXECUTION)
    return model
