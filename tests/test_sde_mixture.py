"""bench/sde_mixture.py: the mixture that replaces an SDE sampler's Gaussian noise has the Gaussian's first two
moments (a fair swap), shares its z stream, and the benchmark runs end to end."""

import pytest
import torch

from ddim_gmm.bench import sde_mixture
from ddim_gmm.bench.sde_mixture import GaussianNoise, MixtureNoise

SHAPE = (5, 1, 4, 4)          # D = 16


def exact_moments(noise):
    """Mean and covariance of s delta_k + xi(z), z ~ N(0, I), from the map itself: for each k it is affine in z,
    m_k + A_k z, so mean = sum_k pi_k m_k and cov = sum_k pi_k (A_k A_k^T + m_k m_k^T) - mean mean^T."""
    d = noise.n_dims
    eye = torch.eye(d, dtype=torch.float64)
    mean, second = torch.zeros(d, dtype=torch.float64), torch.zeros(d, d, dtype=torch.float64)
    for k, p in enumerate(noise.priors.tolist()):
        ks = torch.full((d,), k)
        m_k = noise.transform(torch.zeros(1, d, dtype=torch.float64), ks[:1])[0]
        a_k = (noise.transform(eye, ks) - m_k).T           # column j is the image of e_j
        mean += p * m_k
        second += p * (a_k @ a_k.T + torch.outer(m_k, m_k))
    return mean, second - torch.outer(mean, mean)


@pytest.mark.parametrize("fraction", [0.25, 0.5, 1.0])
@pytest.mark.parametrize("n_components", [2, 4, 8])
def test_mixture_noise_has_the_gaussians_moments(fraction, n_components):
    noise = MixtureNoise(torch.zeros(SHAPE), seed=3, n_components=n_components, fraction=fraction)
    mean, cov = exact_moments(noise)
    assert mean.abs().max() < 1e-12
    assert (cov - torch.eye(noise.n_dims, dtype=torch.float64)).abs().max() < 1e-10
    # ... while it is not the Gaussian: the offsets carry a share of the variance.
    assert noise.scale > 0


def test_the_papers_diagonal_covariance_would_not_be_a_fair_swap():
    # The same check on the paper's diag mode fails: the test can tell a matched swap from an unmatched one.
    noise = MixtureNoise(torch.zeros(SHAPE), seed=3, n_components=4, fraction=1.0, covariance="diag")
    _, cov = exact_moments(noise)
    assert (cov - torch.eye(noise.n_dims, dtype=torch.float64)).abs().max() > 0.05


def test_empirical_moments_of_the_draws():
    x = torch.zeros(4000, 1, 4, 4, dtype=torch.float64)
    noise = MixtureNoise(x, seed=11, n_components=4, fraction=1.0)
    draws = torch.cat([noise(1.0, 0.5).reshape(4000, -1) for _ in range(5)])       # 20000 draws
    assert draws.mean(0).abs().max() < 0.05                                           # 4 / sqrt(20000) = 0.028
    cov = torch.cov(draws.T)
    assert (cov - torch.eye(16, dtype=torch.float64)).abs().max() < 0.08
    # Along the offsets' span the law is a mixture, not a Gaussian: the fourth moment of a unit Gaussian is 3.
    proj = draws @ noise.mix.basis.T                       # (N, K - 1) coordinates in the offset subspace
    assert (proj.pow(4).mean(0) - 3).abs().max() > 0.3


def test_same_z_stream_as_the_gaussian_arm():
    x = torch.zeros(SHAPE)
    gauss, mixture = GaussianNoise(x, 5), MixtureNoise(x, 5, n_components=4, fraction=0.0)
    # fraction 0: no offsets, xi = z exactly, so the two arms draw the very same noise.
    for _ in range(3):
        assert torch.allclose(gauss(), mixture(), atol=1e-6)
    again = MixtureNoise(x, 5, n_components=4, fraction=0.5)
    assert torch.equal(MixtureNoise(x, 5, n_components=4, fraction=0.5)(), again())
    assert not torch.equal(MixtureNoise(x, 6, n_components=4, fraction=0.5)(), MixtureNoise(x, 5, 4, 0.5)())


@pytest.mark.parametrize("kwargs, name", [(dict(n_components=1), "n_components"), (dict(n_components=17), "n_components"),
                                          (dict(fraction=1.5), "fraction"), (dict(covariance="full"), "covariance")])
def test_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        MixtureNoise(torch.zeros(SHAPE), 0, **kwargs)
    with pytest.raises(ValueError, match="sampler"):
        sde_mixture.sampler_function("heun")


def test_benchmark_runs_end_to_end(tmp_path):
    from ddim_gmm.cli import main

    out = tmp_path / "sde"
    rows = main(["bench", "sde-mixture", "--out", str(out), "--nfe", "3", "--cfg", "2.5", "--seeds", "2",
                 "--n-samples", "20", "--threads", "1", "--fraction", "0.5,1"])
    assert [r["noise"] for r in rows] == ["gaussian", "mixture f=0.5", "mixture f=1"]
    assert "fd_change_pct" in rows[1] and "fd_change_pct" in rows[2] and rows[0]["fd"] > 0
    assert rows[0]["fd"] != rows[1]["fd"]                  # the swap changed the samples
    # A second run is served from the cache: nothing is run again, the numbers are the same.
    lines = (out / "cells.jsonl").read_text()
    again = main(["bench", "sde-mixture", "--out", str(out), "--nfe", "3", "--cfg", "2.5", "--seeds", "2",
                  "--n-samples", "20", "--threads", "1", "--fraction", "0.5,1"])
    assert (out / "cells.jsonl").read_text() == lines and [r["fd"] for r in again] == [r["fd"] for r in rows]
    with pytest.raises(ValueError, match="fraction"):
        main(["bench", "sde-mixture", "--out", str(out), "--fraction", "0"])
    assert (out / "results.md").exists() and (out / "cells.jsonl").exists()
