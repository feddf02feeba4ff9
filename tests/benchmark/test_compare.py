"""--compare: ratios per (runtime, lanes) row, a regression beyond the threshold, baselines checked."""

import json

import pytest
from support.bench_results import synthetic_result

from oscilla.benchmark.compare import compare, load_baseline, same_device
from oscilla.benchmark.lanes import BenchInputError


def _baseline(ms_by_key, **kw):
    return json.loads(synthetic_result(ms_by_key, **kw).to_json())


def test_ratios_and_the_threshold():
    base = _baseline({("oscilla", 100): 2.0, ("oscilla", 1000): 10.0, ("reference", 100): 4.0})
    new = synthetic_result({("oscilla", 100): 2.1, ("oscilla", 1000): 11.5, ("reference", 100): 2.0})
    rows = {(c.runtime, c.lanes): c for c in compare(new, base, threshold=0.10)}
    assert rows[("oscilla", 100)].ratio == pytest.approx(1.05)
    assert not rows[("oscilla", 100)].regressed  # 5 % slower: within 10 %
    assert rows[("oscilla", 1000)].ratio == pytest.approx(1.15)
    assert rows[("oscilla", 1000)].regressed  # 15 % slower
    assert rows[("reference", 100)].ratio == pytest.approx(0.5) and not rows[("reference", 100)].regressed
    # the same figures with a looser threshold: nothing regresses
    assert not any(c.regressed for c in compare(new, base, threshold=0.2))


def test_rows_on_one_side_only_never_regress():
    base = _baseline({("oscilla", 100): 1.0, ("oscilla", 10): 1.0})
    new = synthetic_result({("oscilla", 100): 1.0, ("oscilla", 1000): 50.0})
    rows = compare(new, base)
    assert [(c.runtime, c.lanes, c.ratio, c.regressed) for c in rows] == [
        ("oscilla", 100, 1.0, False),
        ("oscilla", 1000, None, False),
        ("oscilla", 10, None, False),
    ]


def test_same_device():
    new = synthetic_result({("oscilla", 100): 1.0})
    assert same_device(new, _baseline({("oscilla", 100): 1.0}))
    assert not same_device(new, _baseline({("oscilla", 100): 1.0}, adapter="another GPU"))


def test_a_baseline_must_be_a_result_file(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(synthetic_result({("oscilla", 100): 1.0}).to_json())
    assert load_baseline(good)["rows"][0]["lanes"] == 100
    (tmp_path / "text.json").write_text("not json")
    with pytest.raises(BenchInputError, match="is not JSON"):
        load_baseline(tmp_path / "text.json")
    (tmp_path / "other.json").write_text('{"rows": []}')
    with pytest.raises(BenchInputError, match="not an oscilla bench result"):
        load_baseline(tmp_path / "other.json")


@pytest.mark.parametrize("threshold", [-0.1, float("inf"), float("nan")])
def test_a_bad_threshold_is_refused(threshold):
    new = synthetic_result({("oscilla", 100): 1.0})
    with pytest.raises(BenchInputError, match="threshold"):
        compare(new, _baseline({("oscilla", 100): 1.0}), threshold)
