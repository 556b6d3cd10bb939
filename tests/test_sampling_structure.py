"""Structure of the mixture: centred offsets, orthonormal frames, unit scale, VUB's reach, sharing across steps; the
covariance modes as objects."""

import ast
from pathlib import Path

import pytest
import torch

from _toys import shrink_model
from ddim_gmm.sampling import COVARIANCES, ddim_step, draw_mixture, low_rank_eigen, sample_ddim_gmm
from ddim_gmm.sampling import samplers as samplers_module
from ddim_gmm.sampling.mixture import draw_offsets, make_priors, orthonormal_rows

PRIORS = [None, "random", [0.05, 0.15, 0.2, 0.25, 0.35]]


def priors_for(spec, n_components=5, seed=0):
    return make_priors(spec, n_components, torch.Generator().manual_seed(seed), "cpu", torch.float64)


@pytest.mark.parametrize("kind", ["ortho", "rand"])
@pytest.mark.parametrize("spec", PRIORS)
def test_offsets_are_centred(kind, spec):
    pi = priors_for(spec)
    offsets = draw_offsets(kind, pi, 300, torch.Generator().manual_seed(1), "cpu", torch.float64)
    assert offsets.shape == (5, 300)
    assert (pi @ offsets).abs().max().item() < 1e-12
    assert offsets.abs().max().item() > 0.01  # not trivially zero


def test_ortho_frame_is_orthonormal_and_offsets_are_its_centred_columns():
    gaussian = torch.randn(8, 500, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    frame = orthonormal_rows(gaussian.clone())
    assert torch.allclose(frame @ frame.T, torch.eye(8, dtype=torch.float64), atol=1e-12)
    # the same span as the Gaussian rows (a frame *of* O, not just any frame)
    assert torch.allclose(frame.T @ (frame @ gaussian.T), gaussian.T, atol=1e-10)
    pi = priors_for(None, 8)
    offsets = draw_offsets("ortho", pi, 500, torch.Generator().manual_seed(3), "cpu", torch.float64)
    # Centred orthonormal columns: <c_k, c_l> = delta_kl - pi_k - pi_l + sum pi^2, uniform: delta_kl - 1/K.
    assert torch.allclose(offsets @ offsets.T, torch.eye(8, dtype=torch.float64) - 1 / 8, atol=1e-12)


def test_rand_offsets_have_norm_s():
    """Unit scale: sum_k pi_k ||delta_k||^2 = 1 exactly (the paper's value); with uniform priors each norm is
    1 up to O(1/sqrt(D)). (Exactly equal norms and exact centring cannot both hold once a prior exceeds 1/2.)"""
    for spec in PRIORS:
        pi = priors_for(spec)
        offsets = draw_offsets("rand", pi, 40000, torch.Generator().manual_seed(4), "cpu", torch.float64)
        norms = offsets.norm(dim=1)
        assert abs((pi * norms**2).sum().item() - 1) < 1e-12
        if spec is None:
            assert (norms - 1).abs().max().item() < 0.02


def test_low_rank_eigen_reconstructs_delta_bar():
    pi = priors_for("random")
    offsets = draw_offsets("rand", pi, 40, torch.Generator().manual_seed(5), "cpu", torch.float64)
    basis, eigenvalues = low_rank_eigen(pi, offsets)
    assert torch.allclose(basis @ basis.T, torch.eye(5, dtype=torch.float64), atol=1e-12)
    delta_bar = (offsets.T * pi) @ offsets
    assert torch.allclose(basis.T @ torch.diag(eigenvalues) @ basis, delta_bar, atol=1e-12)
    # the offsets lie in span(V), which the exact kernel relies on to add them through the basis
    assert torch.allclose((offsets @ basis.T) @ basis, offsets, atol=1e-12)
    # ortho offsets are centred orthonormal columns: one null eigenvalue, the others 1/K for uniform priors
    ortho = draw_offsets("ortho", priors_for(None), 40, torch.Generator().manual_seed(5), "cpu", torch.float64)
    _, eig = low_rank_eigen(priors_for(None), ortho)
    assert torch.allclose(eig, torch.tensor([0.0, 0.2, 0.2, 0.2, 0.2], dtype=torch.float64), atol=1e-12)


def test_vub_touches_only_the_first_k_coordinates():
    pi = priors_for(None)
    mix = draw_mixture("ortho", "vub", pi, 50, torch.Generator().manual_seed(6), "cpu", torch.float64)
    z = torch.randn(7, 50, dtype=torch.float64, generator=torch.Generator().manual_seed(7))
    k = torch.arange(7) % 5
    var, scale = 0.3, 1.0
    coefficients = mix.covariance.coefficients(mix, var, scale)
    xi = mix.covariance.offset_and_noise(mix, z, k, var, scale, coefficients) - scale * mix.offsets[k]
    assert torch.allclose(xi[:, 5:], var**0.5 * z[:, 5:], atol=1e-15)
    # uniform priors: every bound is s^2 / K
    assert torch.allclose(xi[:, :5], (var - 0.2) ** 0.5 * z[:, :5], atol=1e-15)


def test_diag_uses_the_diagonal_of_delta_k():
    pi = priors_for([0.1, 0.2, 0.3, 0.15, 0.25])
    mix = draw_mixture("rand", "diag", pi, 30, torch.Generator().manual_seed(8), "cpu", torch.float64)
    delta_bar = (mix.offsets.T * pi) @ mix.offsets
    assert torch.allclose(mix.diag, torch.diagonal(delta_bar), atol=1e-15)
    z = torch.randn(5, 30, dtype=torch.float64, generator=torch.Generator().manual_seed(9))
    k = torch.arange(5)
    xi = mix.covariance.offset_and_noise(mix, z, k, 1.0, 0.5, mix.covariance.coefficients(mix, 1.0, 0.5)) \
        - 0.5 * mix.offsets[k]
    want = (1.0 - 0.25 * torch.diagonal(delta_bar)[None] / (5 * pi[:, None])).clamp_min(0).sqrt() * z
    assert torch.allclose(xi, want, atol=1e-14)


@pytest.mark.parametrize("share, n_draws", [(True, 1), (False, 5)])
def test_shared_offsets_are_drawn_once_per_step_otherwise(monkeypatch, share, n_draws):
    """Shared: one mixture for the whole run; per step: a fresh one at every stochastic step (5 of 6 here)."""
    drawn = []
    real = samplers_module.make_mixture

    def spy(*args, **kwargs):
        drawn.append(real(*args, **kwargs))
        return drawn[-1]

    monkeypatch.setattr(samplers_module, "make_mixture", spy)
    x = torch.randn(2, 3, 4, 4)
    sigmas = torch.tensor([10.0, 5.0, 2.0, 1.0, 0.5, 0.2, 0.0])
    sample_ddim_gmm(shrink_model, x, sigmas, extra_args={"seed": 3}, disable=True, share_offsets=share)
    assert len(drawn) == n_draws
    if not share:
        assert not torch.allclose(drawn[0].offsets, drawn[1].offsets)


def test_noise_matched_scale_is_the_psd_limit():
    """Uniform ORTHO: s_max^2 = K var; at fraction 1 the largest eigenvalue of Delta_k equals var exactly."""
    pi = priors_for(None, 8)
    for covariance in ("diag", "vub", "exact"):
        mix = draw_mixture("ortho", covariance, pi, 64, torch.Generator().manual_seed(1), "cpu", torch.float64)
        assert abs(mix.max_scale_sq_per_var.item() - 8) < 1e-9
    step = ddim_step(3.0, 1.0, eta=1.0)
    mix = draw_mixture("rand", "exact", priors_for("random", 8), 64, torch.Generator().manual_seed(1), "cpu",
                       torch.float64)
    s_sq = step.var * mix.max_scale_sq_per_var
    lam_max = (s_sq / (8 * mix.priors.min()) * mix.eigenvalues.max()).item()
    assert abs(lam_max - step.var) < 1e-12


def covariance_name_comparisons(folder):
    """(file, line) of every comparison in folder's modules but covariance.py that involves a covariance mode's name."""
    found = []
    for path in sorted(Path(folder).glob("*.py")):
        if path.name == "covariance.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare) and any(isinstance(n, ast.Constant) and n.value in COVARIANCES
                                                     for n in ast.walk(node)):
                found.append((path.name, node.lineno))
    return found


def test_no_module_but_covariance_compares_a_covariance_modes_name(tmp_path):
    """A mode is an object (sampling/covariance.py) that the mixture carries, never a string compared elsewhere."""
    sampling = Path(__file__).resolve().parent.parent / "sampling"
    assert covariance_name_comparisons(sampling) == []
    # The check sees what it looks for: a module that branches on a name.
    (tmp_path / "kernel.py").write_text('def noise(covariance):\n    return 1 if covariance == "vub" else 2\n')
    (tmp_path / "covariance.py").write_text('NAME = "vub" == "vub"\n')
    assert covariance_name_comparisons(tmp_path) == [("kernel.py", 2)]


def test_every_mixture_names_the_mode_that_prepared_it():
    for covariance in COVARIANCES:
        mix = draw_mixture("ortho", covariance, priors_for(None), 20, torch.Generator().manual_seed(0), "cpu",
                           torch.float64)
        assert mix.covariance.name == covariance
        assert mix.to(torch.device("cpu")) is mix and mix.to(torch.device("meta")).covariance is mix.covariance
