# Weak solution used by the demo and the discrimination tests: one section per solution cell,
# headed "# %% <grade_id>". Plausible learner code that stops far too early: one epoch, so the
# Conv1D + LSTM forecasts hardly better than yesterday's temperature.

# %% train
NUM_EPOCHS = 1
scale_in, scale_out = normalizers(train_values)
model = create_model(WINDOW_SIZE, scale_in, scale_out, decay_steps=NUM_EPOCHS * STEPS_PER_EPOCH)
history = model.fit(train_ds, epochs=NUM_EPOCHS, verbose=0)
print(f"after {NUM_EPOCHS} epochs: training MAE {history.history['mae'][-1]:.2f} degrees")
