"""Tail maths: POT recovers known tail quantiles; the GPD fit is the maximum-likelihood one."""

import numpy as np
import pytest

from gluts.anomaly.tails import _KNOT_LOG10, _SHAPE_BOUNDS, GPDTail, fit_gpd


def test_pot_recovers_an_exponential_tail_quantile():
    x = np.random.default_rng(0).exponential(scale=2.0, size=20_000)
    risk = 1e-4
    true = -2.0 * np.log(risk)  # P(X > x) = exp(-x / 2)
    assert GPDTail.fit(x, 0.98).quantile(risk) == pytest.approx(true, rel=0.1)
    # far beyond the largest sample value's empirical reach
    assert np.quantile(x, 1 - risk) < true * 1.2


def test_pot_recovers_a_pareto_tail_quantile_and_its_shape():
    # Lomax / Pareto II with shape 1/xi = 4: P(X > x) = (1 + x)^-4
    x = np.random.default_rng(1).pareto(4.0, size=50_000)
    risk = 1e-5
    true = risk ** (-1 / 4) - 1
    tail = GPDTail.fit(x, 0.95)
    assert tail.shape == pytest.approx(0.25, abs=0.08)
    assert tail.quantile(risk) == pytest.approx(true, rel=0.2)


def test_survival_is_consistent_with_quantile():
    x = np.random.default_rng(2).exponential(size=5000)
    tail = GPDTail.fit(x, 0.9)
    for risk in (1e-2, 1e-3, 1e-6):
        assert tail.survival(tail.quantile(risk)) == pytest.approx(risk, rel=1e-6)
    assert tail.neg_log10_survival(np.array([np.nan]))[0] == 0.0


def test_fit_gpd_falls_back_to_exponential_on_few_points():
    assert fit_gpd([1.0, 1.0, 3.0]) == (0.0, pytest.approx(5 / 3))
    assert fit_gpd([]) == (0.0, 1e-12)


@pytest.mark.parametrize("shape", [-0.2, -0.1, 0.0, 0.2, 0.45])
def test_fit_gpd_is_the_maximum_likelihood_fit(shape):
    from scipy import stats

    x = stats.genpareto.rvs(shape, scale=2.0, size=400, random_state=5)
    xi, sigma = fit_gpd(x)
    ref_xi, _, ref_sigma = stats.genpareto.fit(x, floc=0)
    assert xi == pytest.approx(np.clip(ref_xi, *_SHAPE_BOUNDS), abs=1e-3)
    assert sigma == pytest.approx(ref_sigma, rel=1e-3)
    loglik = stats.genpareto.logpdf(x, xi, scale=sigma).sum()
    assert loglik >= stats.genpareto.logpdf(x, ref_xi, scale=ref_sigma).sum() - 1e-6


@pytest.mark.parametrize("shape", [-0.4, 0.0, 0.3])
def test_tail_probabilities_are_not_capped_and_rank_every_value(shape):
    from scipy import stats

    x = stats.genpareto.rvs(shape, scale=1.0, size=2000, random_state=3)
    tail = GPDTail.fit(x, 0.9)
    far = tail.u + np.geomspace(1e-3, 1e6, 400)  # up to far beyond any light tail's end
    surprisal = tail.neg_log10_survival(far)
    assert np.isfinite(surprisal).all()
    assert (np.diff(surprisal) > 0).all()  # strictly increasing: every value ranks
    if shape <= 0:  # beyond -log10 of 1e-300, where the old clip made every value read the same
        assert surprisal[-1] > 300
    # the quantile inverts it, also beyond a light tail's knot
    for level in (2.0, 5.0, 12.0, 40.0):
        risk = 10.0**-level
        assert tail.neg_log10_survival(tail.quantile(risk)) == pytest.approx(level, rel=1e-9)


def test_a_light_tail_follows_the_gpd_to_its_knot_then_continues_at_its_hazard():
    tail = GPDTail(u=1.0, p_u=0.1, shape=-0.25, scale=1.0, sample=np.linspace(0, 3, 100))
    knot = tail.knot
    assert 0 < knot < 4.0  # the GPD ends at u + scale / 0.25 = 5
    assert knot == pytest.approx(4.0 * (1.0 - 10.0 ** (-0.25 * _KNOT_LOG10)))
    inside = np.linspace(1e-6, knot, 50)
    gpd = 1.0 - np.log10((1 - 0.25 * inside) ** 4)  # -log10(p_u * (1 + xi e / sigma)^(-1/xi))
    np.testing.assert_allclose(tail.neg_log10_survival(1.0 + inside), gpd, rtol=1e-12)
    assert tail.neg_log10_survival(1.0 + knot) == pytest.approx(1.0 + _KNOT_LOG10)
    slope = 1.0 / ((1.0 - 0.25 * knot) * np.log(10.0))
    beyond = tail.neg_log10_survival(np.array([1.0 + knot + 1.0, 1.0 + knot + 2.0]))
    assert np.diff(beyond)[0] == pytest.approx(slope)
