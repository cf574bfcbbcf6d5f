# Weak solution used by the demo and the discrimination tests: one section per solution cell,
# headed "# %% <grade_id>". Plausible learner code that stops far too early: 5 epochs at a learning
# rate ten times smaller, so the forecasts are still far below the series.

# %% train
model = create_model(WINDOW_SIZE)
model.optimizer.learning_rate.assign(1e-7)
NUM_EPOCHS = 5
history = model.fit(train_ds, epochs=NUM_EPOCHS, verbose=0)
print(f"after {NUM_EPOCHS} epochs: training MSE {history.history['loss'][-1]:.1f}, MAE {history.history['mae'][-1]:.2f}")
