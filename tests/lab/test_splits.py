"""Data replicates (issue 19): the split as a random factor, with the seeds nested in it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps

from actloss.lab import Config, ConfigError, atlas_section, compare, report, stats
from actloss.lab.data import load, split_seed
from actloss.lab.runs import Run, batches, expand

from ._tiny import tiny


# --------------------------------------------------------------------------- the design
def test_every_combination_sees_the_same_splits_and_seeds() -> None:
    cfg = tiny(hidden=("relu", "tanh"), splits=3, seeds=(0, 1))
    runs = expand(cfg)
    assert len(runs) == 2 * 3 * 3 * 2  # hidden x pairs x splits x seeds
    per: dict[str, set[tuple[int | None, int, int, str | None]]] = {}
    for r in runs:
        per.setdefault(r.combination, set()).add((r.split, r.seed, r.stream_seed, r.resample))
    designs = list(per.values())
    assert all(d == designs[0] for d in designs) and len(designs[0]) == 6
    # seed k starts from another stream in each split, the same in every combination of a split
    assert len({stream for _, _, stream, _ in designs[0]}) == 6
    assert {r.resample for r in runs} == {"redraw"}  # a generated dataset: auto -> redraw
    # one batched ensemble per split (one dataset each), holding every combination and seed
    groups = batches(runs, 1000)
    assert len(groups) == 3 and all(len(g) == 12 for g in groups)
    assert all(len({r.split for r in g}) == 1 for g in groups)


def test_one_split_keeps_the_runs_and_ids_of_before() -> None:
    # A run stored before data replicates existed: its configuration has no split/resample.
    (run,) = expand(tiny(seeds=(0,), pairs=("hinge:tanh",), splits=1))
    legacy = run.to_dict()
    assert "split" not in legacy and "resample" not in legacy and run.split is None
    assert Run.from_dict(json.loads(json.dumps(legacy))).run_id == run.run_id
    assert run.stream_seed == run.seed == 0
    (split0,) = expand(tiny(seeds=(0,), pairs=("hinge:tanh",), splits=2))[:1]
    assert split0.split == 0 and split0.run_id != run.run_id
    assert Config().splits == 5 and Config().seeds == (0, 1)  # 10 models per combination


def test_replicates_are_stratified_splits_or_new_draws() -> None:
    n = 300
    one = load("classification", n, 42)
    a = load("classification", n, 42, split=0, resample="split")
    b = load("classification", n, 42, split=1, resample="split")
    assert not np.array_equal(a.y_test, b.y_test)
    for s in (a, b):  # stratified: each part keeps the class shares (to one example)
        for part in (s.y_train, s.y_val, s.y_test):
            assert abs(part.mean() - one_share(one)) * len(part) <= 1.0

    # "split" re-splits one draw: the same examples, in other parts; "redraw" draws anew
    assert sorted(np.concatenate([a.y_train, a.y_val, a.y_test])) == sorted(
        np.concatenate([b.y_train, b.y_val, b.y_test])
    )
    a_feat = np.sort(np.concatenate([a.x_train, a.x_val, a.x_test]), axis=0)
    r = load("classification", n, 42, split=0, resample="redraw")
    r_feat = np.sort(np.concatenate([r.x_train, r.x_val, r.x_test]), axis=0)
    assert a_feat.shape == r_feat.shape and not np.allclose(a_feat, r_feat)
    assert split_seed(42, 0) != split_seed(42, 1) != split_seed(43, 1)
    fixed = expand(tiny(datasets=("wine",), pairs=("cross_entropy:identity",), splits=2))
    assert {r.resample for r in fixed} == {"split"}  # a bundled dataset: auto -> split
    with pytest.raises(ConfigError, match="resample"):
        Config(datasets=("wine",), resample="redraw", splits=2)
    with pytest.raises(ConfigError, match="splits"):
        Config(splits=0)


def one_share(s: object) -> float:
    y = np.concatenate([s.y_train, s.y_val, s.y_test])  # type: ignore[attr-defined]
    return float(y.mean())


# ---------------------------------------------------------------------- the statistics
def split_rows(
    diffs: dict[tuple[int, int], float], base: float = 0.8, resample: str = "redraw"
) -> tuple[list[dict], dict[str, str]]:
    """Store-like rows of two combinations whose paired differences are ``diffs``."""
    out, labels = [], {}
    for (split, seed), d in diffs.items():
        for label, v in (("A", base + d), ("B", base)):
            rid = f"{label}-{split}-{seed}"
            labels[rid] = label
            config = {"split": split, "resample": resample}
            config |= {"test_size": 0.2, "validation_split": 0.2}
            out.append(
                {
                    "run_id": rid,
                    "seed": seed,
                    "status": "finished",
                    "test_metric": v,
                    "test_loss": 1 - v,
                    "epochs_to_target": 3,
                    "lr": 1e-3,
                    "final_val_metric": v,
                    "config": json.dumps(config),
                }
            )
    return out, labels


def test_split_variance_dominates_no_false_finding() -> None:
    # Under the null (no true difference) with a large split x combination interaction and
    # little seed noise, the runs of one split are not independent replicates: a paired
    # t-test over all runs (pseudo-replication) finds "significant" differences far more
    # often than alpha; the test across splits keeps its level.
    rng = np.random.default_rng(19)
    ours, naive = 0, 0
    trials = 400
    for _ in range(trials):
        u = rng.normal(0.0, 0.02, 5)  # per-split effect, mean 0
        d = {(s, k): u[s] + rng.normal(0, 0.002) for s in range(5) for k in range(2)}
        ours += stats.effect_across_splits(d).p_value < 0.05
        naive += sps.ttest_1samp(list(d.values()), 0.0).pvalue < 0.05
    assert ours / trials < 0.09  # 0.05 up to binomial noise (sd 0.011)
    assert naive / trials > 0.2

    # one such experiment through compare(): naive p < 0.01, the test over splits n.s.
    u = [0.02, 0.025, 0.03, -0.01, 0.015]
    diffs = {(s, k): u[s] + (0.001 if k else -0.001) for s in range(5) for k in range(2)}
    rows, labels = split_rows(diffs)
    (t,) = stats.compare(rows, labels)
    assert sps.ttest_1samp(list(diffs.values()), 0.0).pvalue < 0.01
    assert t.splits == 5 and t.agree == 4 and not t.significant
    assert t.method == "paired t over splits"
    assert t.p_value == pytest.approx(sps.ttest_1samp(u, 0.0).pvalue)
    summary = {r.label: r for r in stats.summarize(rows, labels)}
    assert summary["A"].splits == 5 and summary["B"].split_sd == 0.0
    for r in rows:  # every run of A diverged: no numbers, but the design is still 5 x 2
        if r["run_id"].startswith("A"):
            r["status"], r["test_metric"] = "diverged", None
    a = next(r for r in stats.summarize(rows, labels) if r.label == "A")
    assert a.splits == 5 and a.diverged == 10 and math.isnan(a.metric_mean)
    assert "5 x 2 (10 diverged)" in report.table_data([a], "accuracy")[0]["splits x seeds"]


def test_a_real_effect_stays_significant() -> None:
    rng = np.random.default_rng(3)
    diffs = {
        (s, k): 0.03 + u + rng.normal(0, 0.005)
        for s, u in enumerate(rng.normal(0, 0.005, 5))
        for k in range(2)
    }
    rows, labels = split_rows(diffs, resample="split")
    (t,) = stats.compare(rows, labels)
    assert t.significant and t.agree == 5 and t.mean_diff > 0
    assert t.method == "corrected resampled t over splits"
    effect = stats.effect_across_splits(diffs, rho=stats.overlap_ratio(rows))
    assert stats.holds_across_splits(effect, side=1, min_agree=1.0)
    assert not stats.holds_across_splits(effect, side=-1)


def test_corrected_resampled_t_by_hand() -> None:
    # Nadeau & Bengio (2003): t = mean / sqrt((1/J + n_test/n_train) s^2), J - 1 df.
    u = [0.02, 0.01, 0.03, 0.015]
    diffs = {(s, k): u[s] + (0.004 if k else -0.004) for s in range(4) for k in range(2)}
    rows, labels = split_rows(diffs, resample="split")
    rho = 0.2 / (0.8 * 0.8)  # test 20%, fit on 80% of the other 80%
    assert stats.overlap_ratio(rows) == pytest.approx(rho)
    t = np.mean(u) / math.sqrt((1 / 4 + rho) * np.var(u, ddof=1))
    (c,) = stats.compare(rows, labels)
    assert c.statistic == pytest.approx(t)
    assert c.p_value == pytest.approx(2 * sps.t.sf(t, 3))
    # within a split the seeds differ by +-0.004: MS_within = 2 * 0.004^2 = 3.2e-5; the split
    # part is var(split means) - MS_within / 2 (two seeds per split)
    assert c.seed_sd == pytest.approx(math.sqrt(2 * 0.004**2))
    assert c.split_sd == pytest.approx(math.sqrt(np.var(u, ddof=1) - 0.004**2))


def test_variance_components_by_hand() -> None:
    # split 0: [1, 2], split 1: [3, 5]: MS_within = (0.5 + 2) / 2 = 1.25,
    # MS_between = 2 (1.25^2 + 1.25^2) / 1 = 6.25, n0 = 2: between = (6.25 - 1.25) / 2 = 2.5
    assert stats.variance_components({0: [1, 2], 1: [3, 5]}) == pytest.approx((2.5, 1.25))
    between, within = stats.variance_components({0: [0.8], 1: [0.9], 2: [0.7]})
    assert between == pytest.approx(0.01) and math.isnan(within)  # one seed per split
    assert stats.variance_components({0: [1.0, 1.0], 1: [1.0, 1.0]}) == (0.0, 0.0)


def test_old_store_rows_take_the_single_split_path() -> None:
    rows = [
        {
            "run_id": f"{label}{seed}",
            "seed": seed,
            "status": "finished",
            "test_metric": v + 0.01 * seed,
            "config": json.dumps({"dataset": "classification", "seed": seed}),
        }
        for label, v in (("A", 0.8), ("B", 0.7))
        for seed in range(3)
    ]
    labels = {r["run_id"]: r["run_id"][0] for r in rows}
    assert {stats.split_of(r) for r in rows} == {None} and stats.overlap_ratio(rows) == 0
    (t,) = stats.compare(rows, labels)
    assert t.method == "paired t over seeds" and t.splits == 1 and t.n == 3


# ----------------------------------------------------------------------- end to end
def test_compare_with_splits_trains_every_split_and_resumes(tmp_path: Path) -> None:
    cfg = tiny(epochs=2, splits=3, seeds=(0, 1), pairs=("hinge:tanh", "mse:sigmoid"))
    out = compare(cfg, tmp_path, plot=False)
    assert out.trained == 12 and {r.splits for r in out.rows} == {3}
    (t,) = out.tests
    assert t.splits == 3 and t.n == 6 and t.method == "paired t over splits"
    assert 0 <= (t.agree or 0) <= 3
    again = compare(cfg, tmp_path, plot=False)
    assert again.trained == 0 and again.tests == out.tests
    summary = json.loads((tmp_path / "actloss-compare.json").read_text())
    assert summary["tests"][0]["splits"] == 3
    section = atlas_section(tmp_path)  # the atlas reads the stored summary back
    assert section is not None and "sd split / seed" in section.html and "agree" in section.html


def test_cli_splits_option(tmp_path: Path) -> None:
    pytest.importorskip("typer")
    from typer.testing import CliRunner

    from actloss.cli import app

    args = ["compare", "--epochs", "1", "--seeds", "1", "--splits", "2", "--widths", "8"]
    res = CliRunner().invoke(app, [*args, "--out", str(tmp_path), "--no-plot"])
    assert res.exit_code == 0, res.stderr
    assert "across 2 data splits" in res.stdout and "agree" in res.stdout
    assert "fewer than 3 data splits" in res.stderr
    res = CliRunner().invoke(app, ["compare", "--splits", "0", "--out", str(tmp_path)])
    assert res.exit_code == 2 and "splits" in res.stderr


def test_curve_bands_are_over_split_means() -> None:
    curves, labels, splits = {}, {}, {}
    values = {0: [0.5, 0.7], 1: [0.8, 0.8], 2: [0.2, 0.4]}  # per split: its seeds' curves
    for split, vs in values.items():
        for seed, v in enumerate(vs):
            rid = f"{split}-{seed}"
            curves[rid] = {"val_metric": np.array([v, v + 0.1])}
            labels[rid], splits[rid] = "A", split
    mean, low, high = report.curve_bands(curves, labels, "val_metric", splits)["A"]
    split_means = np.array([[0.6, 0.7], [0.8, 0.9], [0.3, 0.4]])
    np.testing.assert_allclose(mean, split_means.mean(axis=0))
    want_low, want_high = stats.bootstrap_ci(split_means)
    np.testing.assert_allclose(low, want_low)
    np.testing.assert_allclose(high, want_high)


def test_a_metric_interval_over_splits_never_passes_one() -> None:
    # five split means near a perfect score: the t interval's upper end (about 1.03) is clipped
    groups = {k: [v] for k, v in enumerate([0.95, 1.0, 1.0, 0.97, 1.0])}
    low, high = stats.split_ci(groups)
    assert high > 1.0  # the quantity itself has no bound
    low_m, high_m = stats.split_ci(groups, high=stats.METRIC_MAX)
    assert (low_m, high_m) == (low, 1.0)
