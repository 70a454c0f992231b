"""Tail maths: POT recovers known tail quantiles; the GPD fit is the maximum-likelihood one."""

import numpy as np
import pytest

from gluts.anomaly.tails import GPDTail, fit_gpd


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


@pytest.mark.parametrize("shape", [-0.4, -0.1, 0.0, 0.2, 0.45])
def test_fit_gpd_is_the_maximum_likelihood_fit(shape):
    from scipy import stats

    x = stats.genpareto.rvs(shape, scale=2.0, size=400, random_state=5)
    xi, sigma = fit_gpd(x)
    ref_xi, _, ref_sigma = stats.genpareto.fit(x, floc=0)
    assert xi == pytest.approx(np.clip(ref_xi, -0.5, 0.5), abs=1e-3)
    assert sigma == pytest.approx(ref_sigma, rel=1e-3)
    loglik = stats.genpareto.logpdf(x, xi, scale=sigma).sum()
    assert loglik >= stats.genpareto.logpdf(x, ref_xi, scale=ref_sigma).sum() - 1e-6
