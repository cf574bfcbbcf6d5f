"""C1W2's exercise: a Keras callback that stops training at a target training accuracy.

The grader drives the learner's callback class through training runs it makes up (targets, accuracies
per epoch, a validation accuracy that crosses first as a decoy) and checks the epoch it stopped at.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tfcourse.grading.exercises.base import Exercise, raised, raised_reason

MAX_EPOCHS = 10


def stop_callback_inputs(rng: np.random.Generator) -> dict:
    """Training runs for the callback: targets, accuracies per epoch, and the epoch each should stop at.

    Every run crosses its target at a random epoch (or never), one run hits the target exactly
    (>= must stop), one uses the default target, and the validation accuracy crosses first, as a
    decoy the callback must ignore.
    """
    runs = []
    for index in range(8):
        default = index == 0
        target = 0.88 if default else round(float(rng.uniform(0.6, 0.97)), 3)
        crossing = None if index == 1 else int(rng.integers(1, MAX_EPOCHS + 1))
        accuracy = []
        for epoch in range(1, MAX_EPOCHS + 1):
            if crossing is None or epoch < crossing:
                value = target - float(rng.uniform(0.001, 0.15))
            elif epoch == crossing and index == 2:
                value = target
            else:
                value = min(1.0, target + float(rng.uniform(0.0, 0.03)))
            accuracy.append(round(value, 4))
        validation = [round(min(1.0, value + 0.05), 4) for value in accuracy]
        runs.append({"target": None if default else target, "accuracy": accuracy, "val_accuracy": validation})
    return {"runs": runs}


def first_epoch_reaching(target: float, accuracy: list[float]) -> int | None:
    """The 1-based epoch at which training should stop, or None when the target is never reached."""
    return next((epoch for epoch, value in enumerate(accuracy, 1) if value >= target), None)


def drive_stop_callback(namespace: dict, inputs: dict) -> list:
    """Run the learner's callback through each training run; the epoch it stopped at (or None), or an error."""
    import keras

    callback_class = namespace.get("StopAtAccuracy")
    if callback_class is None:
        raise NameError("the cell does not define StopAtAccuracy")
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    answers = []
    for run in inputs["runs"]:
        model.stop_training = False
        try:
            callback = callback_class() if run["target"] is None else callback_class(run["target"])
            callback.set_model(model)
            callback.on_train_begin(logs={})
            stopped = None
            for epoch, (accuracy, validation) in enumerate(zip(run["accuracy"], run["val_accuracy"])):
                callback.on_epoch_begin(epoch, logs={})
                callback.on_epoch_end(epoch, logs={"loss": 1.0 - accuracy, "accuracy": accuracy,
                                                   "val_loss": 1.0 - validation, "val_accuracy": validation})
                if model.stop_training:
                    stopped = epoch + 1
                    break
            answers.append(stopped)
        except Exception as error:  # the learner's code failing is an answer, judged as wrong
            answers.append(raised(error))
    return answers


def judge_stop_callback(inputs: dict, answers: Any, points: float) -> tuple[float, str]:
    """Full points when every run stopped at its first epoch with accuracy >= target; else 0 with the first miss."""
    runs = inputs["runs"]
    if not isinstance(answers, list) or len(answers) != len(runs):
        return 0.0, "the callback could not be run on the grader's training runs"
    misses = []
    for run, answer in zip(runs, answers):
        target = 0.88 if run["target"] is None else run["target"]
        expected = first_epoch_reaching(target, run["accuracy"])
        error = raised_reason(answer)
        if error is None and (isinstance(answer, bool) or not (answer is None or isinstance(answer, int))):
            return 0.0, "the callback run returned something that is not an epoch number"
        if answer != expected:
            shown = ", ".join(f"{value:.3f}" for value in run["accuracy"][: (expected or MAX_EPOCHS)])
            outcome = (error if error is not None
                       else "never stopped training" if answer is None else f"stopped after epoch {answer}")
            wanted = f"stop after epoch {expected}" if expected else "never stop"
            misses.append(f"target {target:g}, training accuracy {shown}: {outcome}; it should {wanted}")
    if not misses:
        return points, f"stopped at the first epoch that reached the target in all {len(runs)} training runs"
    return 0.0, f"wrong in {len(misses)} of {len(runs)} training runs, e.g. {misses[0]}"


STOP_AT_ACCURACY = Exercise(
    name="StopAtAccuracy",
    cell="stop_at_accuracy",
    title="callback",
    preamble="import keras\nimport numpy as np\n",
    make_inputs=stop_callback_inputs,
    drive=drive_stop_callback,
    judge=judge_stop_callback,
)
