"""tfcourse: helpers for a local, autograded TensorFlow course (data, grading, CLI)."""

__version__ = "0.1.0"
