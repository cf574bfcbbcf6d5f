"""Course 1's demo batch graded end to end: the shared checks of demo_checks.py on C1W1-C1W4."""

from demo_checks import (  # noqa: F401  (pytest collects the imported tests and fixtures here)
    demo,
    pytest_generate_tests,
    scorer,
    test_broken_submissions_lose_points_with_reasons,
    test_cheating_students_get_zero_with_reasons,
    test_ladder_holds_on_every_heldout_seed,
    test_model_only_grading_gives_the_notebook_points,
    test_nbgrader_export_agrees_with_the_gradebook,
    test_reference_solution_gets_full_marks_on_heldout_data,
    test_weak_solution_fails,
)

COURSE = "C1"
