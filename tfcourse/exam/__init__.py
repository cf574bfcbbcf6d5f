"""The mock certificate exam: timed tasks with fresh variants, each model scored at once on hidden data.

``tasks`` says what each task asks and how its data is made, ``store`` keeps the secrets and records
outside the attempt's folder, ``record`` signs them, ``attempt`` starts, checks and times an attempt,
and ``report`` writes its page. The scoring rules are specs, in :mod:`tfcourse.grading.specs.exam`.
"""
