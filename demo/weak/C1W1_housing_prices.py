# Weak solutions used by the demo and the discrimination tests: one section per solution cell,
# headed "# %% <grade_id>". Each is plausible learner code that trains too little.

# %% house_model
def house_model():
    """Too few epochs: the neuron has barely moved from its random start."""
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(units=1)])
    model.compile(optimizer="sgd", loss="mean_squared_error")
    history = model.fit(bedrooms, prices, epochs=5, verbose=0)
    return model, history
