"""Course 2's demo batch graded end to end: the shared checks of demo_checks.py on C2W1-C2W4, and C2W3's
from-scratch student measured against the transfer ladder."""

import pytest
from demo_checks import (  # noqa: F401  (pytest collects the imported tests and fixtures here)
    demo,
    pytest_generate_tests,
    scorer,
    test_broken_submissions_lose_points_with_reasons,
    test_ladder_holds_on_every_heldout_seed,
    test_model_only_grading_gives_the_notebook_points,
    test_nbgrader_export_agrees_with_the_gradebook,
    test_reference_solution_gets_full_marks_on_heldout_data,
    test_weak_solution_fails,
)

from tfcourse.grading import get_assignment

COURSE = "C2"


@pytest.mark.slow
def test_training_from_scratch_stays_below_the_transfer_ladder(demo):  # noqa: F811  (the fixture)
    """C2W3's weak student trains the base's architecture from scratch as long as the head trains: is its
    accuracy below the ladder, so that transfer learning, not only the frozen-base rule, makes the difference?"""
    _, rows = demo
    accuracy = next(reason for reason in rows[("weak", "C2W3")].reasons if reason.startswith("accuracy:"))
    assert float(accuracy.split()[1]) < get_assignment("C2W3").ladder[-1].threshold, accuracy
