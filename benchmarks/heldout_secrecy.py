"""Benchmark: does memorising public data help on the held-out examples?

For each assignment graded on examples drawn from the instructor's secret seed, two lookup models
(tfcourse.grading.lookup: built-in Keras layers that answer with the label of the nearest memorised
example) are scored by the sandboxed scorer on held-out sets drawn from several seeds: one whose
memory holds the test material a learner can download, one holding the public training split. For
each seed it compares them example by example (the same examples), so the table gives the mean
difference and its paired standard error. Nothing is asserted: docs/security.md keeps the table,
and tests/test_corpus.py asserts the points.

    .venv/bin/python benchmarks/heldout_secrecy.py [C1W3 C2W1 ...] [--seeds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tfcourse.grading import EvaluationData, get_assignment  # noqa: E402
from tfcourse.grading.heldout import heldout_examples, scored_examples  # noqa: E402
from tfcourse.grading.lookup import build_lookup, memory  # noqa: E402
from tfcourse.grading.models import predicted_classes  # noqa: E402
from tfcourse.grading.scorer import Scorer  # noqa: E402
from tfcourse.series import naive_forecast_mae  # noqa: E402

GENERATED = ("C1W2", "C1W3", "C1W4", "C2W1", "C2W2", "C2W3", "C2W4", "C4W2", "C4W3")
# Graded on held-out examples that are public (a package ships them): what a lookup of them scores.
PUBLIC = ("C3W2", "C3W3", "C3W4", "C4W4")
FIRST_SEED = 5000
TEXT_FEATURES = 5000  # tf-idf vocabulary of a text lookup: keeps its memory's weights under 200 MiB


def per_example(spec, predictions: np.ndarray, data: EvaluationData) -> np.ndarray:
    """1/0 per example for a classifier (right or wrong); for a forecaster its absolute error over the
    naive forecast's mean absolute error (so the mean is the ladder's share of the naive error)."""
    predictions = spec.measure.validate(spec, predictions, len(data.y))
    if spec.is_forecaster:
        naive = naive_forecast_mae(data.x, len(data.x) - len(data.y))
        return np.abs(predictions[:, 0] - data.y) / naive
    return (predicted_classes(predictions) == data.y.astype(int)).astype(float)


def public_memory(assignment: str, holds: str) -> tuple[np.ndarray, np.ndarray]:
    """A lookup's memory for an assignment graded on public held-out data: the held-out examples themselves
    ("test"), or as many examples of the training split ("train")."""
    spec = get_assignment(assignment)
    test_x, test_y = scored_examples(spec, *heldout_examples(spec.dataset, 0))
    if spec.is_forecaster:  # every window before a test day, or as many windows of the training years
        from tfcourse.data import load
        from tfcourse.series import forecast_windows

        window = 30
        if holds == "test":
            return forecast_windows(test_x, len(test_x) - len(test_y), window), test_y
        _, train = load(spec.dataset, "train")
        windows = forecast_windows(train, window, window)
        return windows[-len(test_y):], train[-len(test_y):]
    if holds == "test":
        return spec.prepare(test_x).reshape(-1, 1), test_y
    train_x, train_y = scored_examples(spec, *load_split(spec.dataset, "train"))
    return spec.prepare(train_x[:len(test_y)]).reshape(-1, 1), train_y[:len(test_y)]


def load_split(dataset: str, split: str):
    from tfcourse.data import load

    return load(dataset, split)


def public_lookup(assignment: str, holds: str):
    """A Keras lookup of public data for C3W2, C3W3 (tf-idf of the texts) and C4W4 (30-day windows)."""
    import keras

    from tfcourse.grading.lookup import lookup_model, one_hot

    spec = get_assignment(assignment)
    x, y = public_memory(assignment, holds)
    if spec.is_forecaster:
        return lookup_model(x, y, metric="euclidean")
    vectorizer = keras.layers.TextVectorization(max_tokens=TEXT_FEATURES, output_mode="tf_idf")
    vectorizer.adapt(x[:, 0])
    return lookup_model(x, one_hot(y, spec.output_units), front=[vectorizer])


def next_word_lookup(holds: str) -> float:
    """C3W4 in plain Python (a Keras lookup would also need the scorer's vocabulary layout): the top-5
    accuracy on the held-out chapters of a table from each context to its five most frequent next words,
    built from the held-out chapters themselves or from the training chapters."""
    from collections import Counter, defaultdict

    spec = get_assignment("C3W4")
    contexts, words = scored_examples(spec, *heldout_examples(spec.dataset, 0))
    source = (contexts, words) if holds == "test" else scored_examples(spec, *load_split(spec.dataset, "train"))
    table: dict[str, Counter] = defaultdict(Counter)
    for context, word in zip(*source):
        table[str(context)][str(word)] += 1
    return float(np.mean([word in {w for w, _ in table[str(context)].most_common(5)}
                          for context, word in zip(contexts, words)]))


def public_rows(assignments: list[str], scorer: Scorer, scratch: Path) -> list[dict]:
    """One row per assignment graded on public data: what lookups holding its test split or training split score."""
    rows = []
    for assignment in assignments:
        spec = get_assignment(assignment)
        if assignment == "C3W4":
            rows.append({"assignment": assignment, "metric": "top-5 accuracy (plain Python)",
                         "test": next_word_lookup("test"), "train": next_word_lookup("train"), "points": {}})
            continue
        data = EvaluationData(*scored_examples(spec, *heldout_examples(spec.dataset, 0)), "held-out", True)
        row = {"assignment": assignment, "metric": "share of naive MAE" if spec.is_forecaster else "accuracy", "points": {}}
        for holds in ("test", "train"):
            path = scratch / f"{assignment}-public-{holds}" / spec.model_filename
            path.parent.mkdir()
            public_lookup(assignment, holds).save(path)
            checks = scorer.score_model(spec, path, data)
            row[holds], row["points"][holds] = checks[0].value, sum(check.score for check in checks)
        rows.append(row)
        print(f"{assignment}: holding the test split {row['test']:.4f} ({row['points']['test']:g} points), "
              f"the training split {row['train']:.4f} ({row['points']['train']:g} points)", flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", default=[*GENERATED, *PUBLIC])
    parser.add_argument("--seeds", type=int, default=5, help="held-out seeds per assignment (default 5)")
    args = parser.parse_args()
    rows, public = [], []
    with Scorer() as scorer, tempfile.TemporaryDirectory(prefix="tfcourse-secrecy-") as scratch:
        public = public_rows([a for a in args.assignments if a in PUBLIC], scorer, Path(scratch))
        for assignment in [a for a in args.assignments if a not in PUBLIC]:
            spec = get_assignment(assignment)
            paths = {}
            for holds in ("test", "train"):
                paths[holds] = Path(scratch) / f"{assignment}-{holds}" / spec.model_filename
                paths[holds].parent.mkdir()
                build_lookup(assignment, holds).save(paths[holds])
            sizes = {holds: len(memory(assignment, holds)[0]) for holds in paths}
            scores = {"test": [], "train": []}
            differences = []
            for seed in range(FIRST_SEED, FIRST_SEED + args.seeds):
                x, y = scored_examples(spec, *heldout_examples(spec.dataset, seed))
                data = EvaluationData(x, y, f"held-out seed {seed}", True)
                outcome = {}
                for holds, path in paths.items():
                    predictions, _ = scorer.model_outputs(spec, path, data)
                    outcome[holds] = per_example(spec, predictions, data)
                    scores[holds].append(float(np.mean(outcome[holds])))
                differences.append(outcome["test"] - outcome["train"])
                print(f"{assignment} seed {seed}: holding the test material {scores['test'][-1]:.4f}, "
                      f"the training split {scores['train'][-1]:.4f}", flush=True)
            pooled = np.concatenate(differences)
            rows.append({"assignment": assignment, "metric": "share of naive MAE" if spec.is_forecaster else "accuracy",
                         "sizes": sizes, "test": statistics.fmean(scores["test"]),
                         "train": statistics.fmean(scores["train"]), "difference": float(np.mean(pooled)),
                         "se": float(np.std(pooled, ddof=1) / np.sqrt(len(pooled))), "examples": len(pooled)})
    if not rows:
        print_public(public)
        return
    print("\n| assignment | metric | memory: test material / training split | holding the test material | "
          "holding the training split | difference | paired standard error | examples |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['assignment']} | {row['metric']} | {row['sizes']['test']:,} / {row['sizes']['train']:,} | "
              f"{row['test']:.4f} | {row['train']:.4f} | {row['difference']:+.4f} | {row['se']:.4f} | "
              f"{row['examples']:,} |")


    print_public(public)


def print_public(public: list[dict]) -> None:
    """The table of assignments graded on public held-out data."""
    if not public:
        return
    print("\n| assignment | metric | lookup holding the held-out (public) examples | points | "
          "the same number of training examples | points |")
    print("|---|---|---:|---:|---:|---:|")
    for row in public:
        points = row["points"]
        print(f"| {row['assignment']} | {row['metric']} | {row['test']:.4f} | {points.get('test', '-')} | "
              f"{row['train']:.4f} | {points.get('train', '-')} |")


if __name__ == "__main__":
    main()
