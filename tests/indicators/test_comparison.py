"""Property tests pinning the wording rule (docs/methodology.md)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from openpeel.indicators.comparison import compare, poisson_interval

counts = st.integers(min_value=1, max_value=5_000_000)
populations = st.integers(min_value=10_000, max_value=10_000_000)


@given(counts, populations)
def test_identical_rates_are_never_higher_or_lower(count: int, population: int) -> None:
    rate = count / population * 1000
    assert compare("rate", rate, rate, count, population, 0.05).band == "similar"


@given(st.floats(min_value=-60, max_value=60), st.floats(min_value=-1.99, max_value=1.99), counts, counts)
def test_a_change_below_materiality_is_never_faster_or_slower(
    ew: float, gap: float, now: int, base: int
) -> None:
    assert compare("change", ew + gap, ew, now, base, 2.0).band == "similar"


@given(st.floats(min_value=0.05, max_value=3.0), st.integers(min_value=10, max_value=100_000))
def test_significance_grows_with_counts(ratio_gap: float, count: int) -> None:
    population = 1_000_000
    ew_rate = 50.0
    small = compare("rate", ew_rate * (1 + ratio_gap), ew_rate, count, population, 0.05)
    large = compare("rate", ew_rate * (1 + ratio_gap), ew_rate, count * 100, population, 0.05)
    assert small.z_score is not None and large.z_score is not None
    assert abs(large.z_score) >= abs(small.z_score)
    if small.is_significant:
        assert large.is_significant


@given(counts)
def test_poisson_interval_contains_the_count(count: int) -> None:
    interval = poisson_interval(count)
    assert interval is not None
    low, high = interval
    assert low <= count <= high


def test_worked_example_from_the_methodology_page() -> None:
    # Northamptonshire, 12 months to June 2014 against a year earlier (docs/methodology.md).
    result = compare("change", -7.576, -0.483, 41521, 44925, 2.0)
    assert result.band == "lower" and result.is_significant and result.is_material
    # Its crime rate is significantly below England and Wales, but by less than 5%: "broadly in line".
    rate = compare("rate", 58.84, 60.77, 41521, 705700, 0.05)
    assert rate.is_significant and not rate.is_material and rate.band == "similar"


shares = st.floats(min_value=1.0, max_value=99.0)
samples = st.integers(min_value=20, max_value=1_000_000)


@given(shares, samples)
def test_identical_shares_are_never_higher_or_lower(share: float, n: int) -> None:
    assert compare("proportion", share, share, share * n / 100, n, 3.0).band == "similar"


@given(shares, st.floats(min_value=-2.99, max_value=2.99), samples)
def test_a_share_below_materiality_is_never_higher_or_lower(ew: float, gap: float, n: int) -> None:
    value = min(max(ew + gap, 0.0), 100.0)
    assert compare("proportion", value, ew, value * n / 100, n, 3.0).band == "similar"


@given(st.floats(min_value=5, max_value=95), st.floats(min_value=0.5, max_value=4.0), st.integers(10, 10_000))
def test_share_significance_grows_with_sample(ew: float, gap: float, n: int) -> None:
    small = compare("proportion", ew - gap, ew, (ew - gap) * n / 100, n, 1.0)
    large = compare("proportion", ew - gap, ew, (ew - gap) * n * 10 / 100, n * 10, 1.0)
    assert small.z_score is not None and large.z_score is not None
    assert abs(large.z_score) >= abs(small.z_score)
    if small.is_significant:
        assert large.is_significant


@given(counts, populations, counts, populations)
def test_a_peer_comparison_is_never_more_certain_than_against_an_exact_comparator(
    count: int, population: int, peer_count: int, peer_population: int
) -> None:
    rate, peer_rate = count / population * 1000, peer_count / peer_population * 1000
    exact = compare("rate", rate, peer_rate, count, population, 0.05)
    peers = compare(
        "rate",
        rate,
        peer_rate,
        count,
        population,
        0.05,
        comparator_numerator=peer_count,
        comparator_denominator=peer_population,
    )
    if exact.z_score is not None and peers.z_score is not None:
        assert abs(peers.z_score) <= abs(exact.z_score) + 1e-12
    if peers.is_significant:
        assert exact.is_significant


@given(st.integers(min_value=1, max_value=10_000), st.integers(min_value=1, max_value=10_000))
def test_wilson_interval_contains_the_share(successes: int, extra: int) -> None:
    from openpeel.indicators.comparison import wilson_interval

    trials = successes + extra
    interval = wilson_interval(successes, trials)
    assert interval is not None
    assert 0.0 <= interval[0] <= successes / trials <= interval[1] <= 1.0 + 1e-12


@given(
    st.floats(min_value=-60, max_value=60),
    st.floats(min_value=-60, max_value=60),
    counts,
    counts,
    st.floats(min_value=0.0, max_value=0.5),
)
def test_the_spread_between_forces_never_makes_a_difference_more_significant(
    value: float, ew: float, now: int, base: int, tau2: float
) -> None:
    plain = compare("change", value, ew, now, base, 2.0)
    adjusted = compare("change", value, ew, now, base, 2.0, tau2=tau2)
    if plain.z_score is not None and adjusted.z_score is not None:
        assert abs(adjusted.z_score) <= abs(plain.z_score) + 1e-12
    if adjusted.is_significant:
        assert plain.is_significant
    # The words are descriptive: the band does not depend on the test at all.
    assert adjusted.band == plain.band and adjusted.is_material == plain.is_material
