"""The overdispersion estimate (indicators/dispersion.py): a hand-computed case, agreement with the
SQL of the compute step, and simulated forces with no real differences."""

from __future__ import annotations

import math
import random

import duckdb
import pytest

from openpeel.indicators.dispersion import (
    WINSOR_CONSISTENCY,
    between_force_variance,
    cross_section,
    dersimonian_laird,
    dispersion_factor,
    is_significant,
    overlap,
    winsorise,
    winsorised_mean_square,
)

Z = [-3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 4.0]


def test_winsorising_pulls_the_tails_in_to_the_10th_and_90th_percentiles() -> None:
    # Ten values: the 10th percentile lies 0.9 of the way from -3 to -2, the 90th 0.1 from 3 to 4.
    assert winsorise(Z) == pytest.approx([-2.1, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 3.1])


def test_dispersion_estimate_matches_the_hand_computed_case() -> None:
    # Winsorised squares: 4.41 + 4 + 1 + 0.25 + 0 + 0.25 + 1 + 4 + 9 + 9.61 = 33.52, mean 3.352;
    # a standard normal winsorised at 10%/90% (a = 1.28155) has mean square
    # 0.8 - 2 a phi(a) + 0.2 a^2 = 0.8 - 0.44983 + 0.32847 = 0.67865, so phi = 3.352 / 0.67865.
    assert winsorised_mean_square(Z) == pytest.approx(3.352)
    assert pytest.approx(0.67865, abs=1e-5) == WINSOR_CONSISTENCY
    phi = 3.352 / 0.67865
    assert dispersion_factor(Z) == pytest.approx(phi, rel=1e-4)
    # Equal variances 0.01: w = 100, sum w = 1000, sum w^2 / sum w = 100, so
    # tau^2 = (10 phi - 9) / (1000 - 100).
    first = (10 * phi - 9) / 900
    assert dersimonian_laird(Z, [0.01] * 10) == pytest.approx(first, rel=1e-4)
    # Refined: the differences 0.1 z standardised by sqrt(0.01 + first) are z / sqrt(1 + 100 first),
    # whose factor is phi / (1 + 100 first); rescaling gives (0.01 + first) phi / (1 + 100 first)
    # - 0.01 = 0.01 (phi - 1).
    assert between_force_variance(Z, [0.01] * 10) == pytest.approx(0.01 * (phi - 1), rel=1e-4)


def test_no_spread_beyond_chance_gives_no_extra_variance() -> None:
    assert between_force_variance([0.1, -0.2, 0.3, -0.1, 0.0, 0.2, -0.3, 0.1, -0.1, 0.05], [0.01] * 10) == 0.0
    assert between_force_variance([1.0] * 9, [0.01] * 9) is None  # too few forces


def test_overlap_is_the_share_of_the_spread_left_in_the_others_combined() -> None:
    # Three forces of 1, 1 and 2 (population): without the first, (1 + 4) / 3^2.
    assert overlap(1.0, 4.0, 6.0) == pytest.approx(5 / 9)


def test_sql_estimate_agrees_with_python(computed_all: duckdb.DuckDBPyConnection) -> None:
    checked = 0
    for indicator_id, kind in [
        ("recorded_crime_rate", "rate"),
        ("asb_rate", "rate"),
        ("recorded_crime_change_1y_pct", "change"),
    ]:
        period, tau2_sql = computed_all.execute(
            "SELECT period_end, tau2_cross_section FROM ind_dispersion WHERE indicator_id = ? "
            "ORDER BY period_end DESC LIMIT 1",
            [indicator_id],
        ).fetchone() or (None, None)
        rows = computed_all.execute(
            "SELECT v.numerator, v.denominator, v.rank IS NOT NULL FROM ind_values v "
            "JOIN ref_areas a USING (area_id) WHERE v.indicator_id = ? AND v.period_end = ? "
            "AND a.kind = 'territorial' ORDER BY v.area_id",
            [indicator_id, period],
        ).fetchall()
        assert len(rows) == 43
        # City of London is part of England and Wales but not ranked: it is in every comparator and
        # out of the estimate, which the whole cross-section helper does not model, so compare
        # where every force is ranked and otherwise check the order of magnitude.
        result = cross_section(kind, [(n, d) for n, d, _ in rows])
        assert result.tau2 is not None and tau2_sql is not None
        if all(ranked for *_, ranked in rows):
            assert result.tau2 == pytest.approx(tau2_sql, rel=1e-9)
        else:
            assert 0.5 < result.tau2 / tau2_sql < 2
        checked += 1
    assert checked == 3


def _simulated_share_flagged(tau: float, seed: int, replicates: int = 200) -> float:
    generator = random.Random(seed)
    flagged = total = 0
    for _ in range(replicates):
        counts = []
        for _force in range(42):
            population = math.exp(generator.uniform(math.log(100_000), math.log(3_000_000)))
            mean = population * 0.06 * math.exp(generator.gauss(0.0, tau))
            counts.append((max(1.0, round(generator.gauss(mean, math.sqrt(mean)))), population))
        result = cross_section("rate", counts)
        flagged += sum(is_significant(z) for z in result.adjusted_z)
        total += len(result.adjusted_z)
    return flagged / total


@pytest.mark.parametrize(("tau", "seed"), [(0.0, 1), (0.15, 2), (0.3, 3)])
def test_forces_with_no_real_differences_are_flagged_at_about_the_nominal_share(
    tau: float, seed: int
) -> None:
    # Every force drawn from one distribution (only Poisson noise and the ordinary spread tau):
    # about 5% should stand out at 95%, not the nearly all that the plain Poisson test flags.
    share = _simulated_share_flagged(tau, seed)
    assert 0.03 <= share <= 0.07, share
