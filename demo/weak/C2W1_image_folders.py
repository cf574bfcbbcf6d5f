# Weak solutions used by the demo and the discrimination tests: one section per solution cell,
# headed "# %% <grade_id>". Each is plausible learner code that trains too little.

# %% train
model = sneaker_boot_model()
NUM_EPOCHS = 1
history = model.fit(train_ds, validation_data=validation_ds, epochs=NUM_EPOCHS, verbose=2)
