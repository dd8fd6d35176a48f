"""`sweepbridge.stats`: the rule "a value one side draws often never occurs on the other" accounts
for how often a value is expected at N, so wide supports raise no false alarm and real support
differences still fail."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sweepbridge.stats import P_MIN, absent_p, missing_heavy

np = pytest.importorskip("numpy")


def test_absent_p_is_the_binomial_tail_times_the_cells():
    assert absent_p(10, 0.5, 1) == pytest.approx(2 * 0.5**10)
    assert absent_p(10, 0.5, 100) == pytest.approx(100 * 2 * 0.5**10)
    assert absent_p(3, 0.25, 1) == pytest.approx(0.25**3 + 0.75**3)  # unequal sides: either one
    assert absent_p(1, 0.5, 1000) == 1.0


def test_a_value_is_flagged_exactly_when_its_count_makes_absence_improbable():
    cells = 1000  # e.g. tune.lograndint(1, 1000)
    needed = next(c for c in range(1, 100) if absent_p(c, 0.5, cells) < P_MIN)
    assert needed == 21  # log2(2 * 1000 / 0.001) = 20.9
    shared = list(range(cells - 2))
    for count, flagged in ((needed - 1, False), (needed, True)):
        mine, other = shared + ["x"] * count, shared + ["y"] * count  # equal sizes; 1,000 values in all
        assert (missing_heavy(mine, other) == ["x"]) is flagged
        assert (missing_heavy(other, mine) == ["y"]) is flagged


@settings(max_examples=25)
@given(st.sampled_from([2_000, 5_000, 20_000]), st.integers(0, 2**32 - 1), st.sampled_from([1_000, 5_000]))
def test_same_wide_distribution_raises_no_alarm(n, seed, width):
    """Two samples of one wide integer law (uniform or log-uniform): nothing is called missing."""
    rng = np.random.default_rng(seed)
    log = rng.random() < 0.5
    draw = (
        (lambda: np.exp(rng.uniform(0, np.log(width), n)).astype(int)) if log else (lambda: rng.integers(0, width, n))
    )
    a, b = draw().tolist(), draw().tolist()
    assert missing_heavy(a, b) == [] and missing_heavy(b, a) == []


@pytest.mark.parametrize("n", [2_000, 5_000, 20_000])
def test_a_value_only_one_side_draws_is_found(n):
    """An off-by-one bound: W&B's int_uniform 1..5 against Ray's randint(1, 5), 1..4."""
    rng = np.random.default_rng(n)
    source, wandb = rng.integers(1, 5, n).tolist(), rng.integers(1, 6, n).tolist()
    assert missing_heavy(wandb, source) == [5] and missing_heavy(source, wandb) == []
    # a value with mass 1/50 only on one side, among 1,000 others: some 40 draws at N = 2,000
    other = rng.integers(0, 1000, n).tolist()
    mine = [-1 if rng.random() < 1 / 50 else v for v in rng.integers(0, 1000, n).tolist()]
    assert missing_heavy(mine, other) == [-1] and missing_heavy(other, mine) == []


def test_numbers_are_binned_in_value_order_so_sparse_wide_ranges_are_compared():
    """randint over 0..4999 against 0..2499 at N = 2,000: every value is drawn about once, so pooling
    all sparse cells into one left nothing to compare; bins of neighbouring values see half the range empty."""
    from sweepbridge.stats import chi_square

    rng = np.random.default_rng(0)
    wide, narrow = rng.integers(0, 5000, 2000).tolist(), rng.integers(0, 2500, 2000).tolist()
    p, cells = chi_square(wide, narrow)
    assert p < 1e-6 and cells > 100
    same = [chi_square(rng.integers(0, 5000, 2000).tolist(), rng.integers(0, 5000, 2000).tolist())[0] for _ in range(5)]
    assert min(same) > P_MIN, same
    assert chi_square(["a"] * 30 + ["b"] * 30, ["a"] * 31 + ["b"] * 29)[1] == 2  # other values: one cell each


def test_small_tables_keep_one_cell_per_value():
    from sweepbridge.stats import chi_square

    p, cells = chi_square([1, 2, 3, 4] * 250, [1, 2, 3, 4] * 250)
    assert (p, cells) == (1.0, 4)
