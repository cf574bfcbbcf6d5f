# Weak solutions used by the demo and the discrimination tests: one section per solution cell,
# headed "# %% <grade_id>". Each is plausible learner code that trains too little.

# %% train
model = augmented_model()
NUM_EPOCHS = 1
history = model.fit(train_ds, validation_data=validation_ds, epochs=NUM_EPOCHS, verbose=0)
print(f"after {NUM_EPOCHS} epochs: training accuracy {history.history['accuracy'][-1]:.3f}, "
      f"validation accuracy {history.history['val_accuracy'][-1]:.3f}")
