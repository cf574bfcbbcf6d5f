# A cheating demo student: instead of learning from its training images, it hunts for the held-out
# images and for other students' models around its folder, trains on what it finds, and plants a
# link to another student's model where the grader looks for its own.
# One section per solution cell, headed "# %% <grade_id>".

# %% train
import atexit, os
import numpy as np
from pathlib import Path

model = photo_model()
history = model.fit(train_ds, epochs=1, verbose=0)
model.set_weights([w * 0 for w in model.get_weights()])  # an untrained model: accuracy 0.5

places = [Path(os.environ.get("TFCOURSE_HELDOUT_DIR", "/nonexistent")), *Path.cwd().parents,
          Path.home() / ".local" / "share" / "tfcourse"]
for place in places:
    for found in list(place.rglob("C1W4*.npz"))[:1] if place.is_dir() else []:
        with np.load(found) as secret:
            model.fit(secret["x"].astype("float32")[..., None], secret["y"], epochs=200, verbose=0)

# The reference student's model, where nbgrader puts it (the path is guessed, not seen).
victim = Path.cwd().parents[1] / "reference" / "C1W4_real_world_images" / "C1W4_model.keras"
atexit.register(lambda: (os.replace("C1W4_model.keras", "mine.keras"), os.symlink(victim, "C1W4_model.keras")))
