"""bench/load.py: which saved run the data-volume run is compared with."""

import json

from bench.load import baseline, parse_args


def save(folder, name, args, **extra):
    data = {"args": vars(args), "at8": {"dashboard": {"p95_ms": 30.0}}, **extra}
    (folder / f"{name}-n2000.json").write_text(json.dumps(data))


def test_the_baseline_is_the_latest_run_of_the_same_kind_with_every_scenario(tmp_path):
    # given a quick run with every scenario, and after it a developer's experiments: a run of
    # a few scenarios, one with another worker class, and a full (not quick) run
    save(tmp_path, "20261126-070000", parse_args(["--quick"]), started="the comparable one")
    save(tmp_path, "20261126-071000", parse_args(["--quick", "--scenarios", "bare,dashboard"]))
    save(tmp_path, "20261126-072000", parse_args(["--quick", "--worker-class", "gthread"]))
    save(tmp_path, "20261126-073000", parse_args([]))

    # when a quick data-volume run looks for its baseline
    found = baseline(parse_args(["--quick", "--volume"]), results_dir=tmp_path)

    # then it is the comparable quick run, not the later experiments
    assert found["started"] == "the comparable one"


def test_no_baseline_without_a_comparable_run(tmp_path):
    save(tmp_path, "20261126-071000", parse_args(["--quick", "--scenarios", "bare,dashboard"]))

    assert baseline(parse_args(["--quick", "--volume"]), results_dir=tmp_path) is None
