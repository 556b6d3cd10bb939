"""GMM parameters of the kernel (Section 3.1): priors, mean offsets, and what the covariance mode precomputes.

Offsets are stored at unit scale as K rows of D numbers (D = elements of one sample) and shared across the batch;
a step uses delta_k = s_t * offsets[k]. The covariance offset of Eq. 11,
    Delta_k = Delta_bar / (K pi_k),   Delta_bar = sum_l pi_l delta_l delta_l^T   (rank <= K - 1),
is never formed: each covariance mode (covariance.py) keeps only what it needs, all O(K D).
"""

import dataclasses
from dataclasses import dataclass, fields

import torch

from .covariance import COVARIANCES, MODES, Covariance

OFFSETS = ("ortho", "rand")


@dataclass
class Mixture:
    priors: torch.Tensor  # (K,), positive, sums to 1
    offsets: torch.Tensor  # (K, D), unit scale, sum_k pi_k offsets[k] = 0
    diag: torch.Tensor = None  # (D,) diag(Delta_bar) at unit scale               (covariance="diag")
    vub_unit: torch.Tensor = None  # (K, K) VUB bounds at s = 1: [k, i] = pi_(i) / (K pi_k), Eq. 34  (covariance="vub")
    basis: torch.Tensor = None  # (R, D) orthonormal rows V, Delta_bar = V^T diag(eigenvalues) V  (covariance="exact")
    eigenvalues: torch.Tensor = None  # (R,) at unit scale                           (covariance="exact")
    exact_unit: torch.Tensor = None  # (K, R) eigenvalues of Delta_k at s = 1: lam / (K pi_k)   (covariance="exact")
    offset_coords: torch.Tensor = None  # (K, R) offsets in the basis: offsets = offset_coords @ V (exact)
    # s_max^2 / var: the largest scale at which var I - Delta_k is PSD for every k (0-d tensor, no host sync).
    max_scale_sq_per_var: torch.Tensor = None
    covariance: Covariance = None  # the mode that prepared the fields above and draws the noise (covariance.py)

    @property
    def n_components(self):
        return self.priors.shape[0]

    def to(self, device):
        """The same mixture with every tensor on `device` (itself when they are all there already)."""
        tensors = {f.name: getattr(self, f.name) for f in fields(self)
                   if isinstance(getattr(self, f.name), torch.Tensor)}
        if all(t.device == device for t in tensors.values()):
            return self
        return dataclasses.replace(self, **{name: t.to(device) for name, t in tensors.items()})


def uniform_priors(n_components, device, dtype):
    return torch.full((n_components,), 1.0 / n_components, device=device, dtype=dtype)


def random_priors(n_components, generator, device, dtype):
    """A draw from the flat Dirichlet(1, ..., 1): normalised exponentials (torch's Dirichlet takes no generator)."""
    e = -torch.log1p(-torch.rand(n_components, generator=generator, device=device, dtype=dtype))
    return e / e.sum()


def check_priors(priors, n_components):
    """Validates user priors (None, "random", or K positive weights summing to 1); returns them as a list or string."""
    if priors is None or (isinstance(priors, str) and priors in ("uniform", "random")):
        return priors
    if isinstance(priors, str):
        raise ValueError(f"priors must be None, 'uniform', 'random' or {n_components} positive weights summing to 1, "
                         f"got {priors!r}")
    try:
        weights = torch.as_tensor(priors, dtype=torch.float64).flatten().tolist()
    except (TypeError, ValueError, RuntimeError) as error:
        raise ValueError(f"priors must be None, 'uniform', 'random' or {n_components} positive weights summing to "
                         f"1, got {priors!r}") from error
    if len(weights) != n_components:
        raise ValueError(f"priors must have n_components = {n_components} weights, got {len(weights)}")
    if not all(w > 0 and w < float("inf") for w in weights):
        raise ValueError(f"priors must all be positive and finite, got {weights}")
    if abs(sum(weights) - 1.0) > 1e-6:
        raise ValueError(f"priors must sum to 1 (within 1e-6), got sum {sum(weights)}")
    return weights


def make_priors(priors, n_components, generator, device, dtype):
    if priors is None or priors == "uniform":
        return uniform_priors(n_components, device, dtype)
    if priors == "random":
        return random_priors(n_components, generator, device, dtype)
    p = torch.tensor(priors, device=device, dtype=dtype)
    return p / p.sum()


def orthonormal_rows(rows):
    """Orthonormalise K rows of D numbers by a reduced QR of the D x K matrix they form, with the signs fixed so
    the frame is uniformly distributed when the rows are Gaussian (the paper's SVD gives the same law, at O(D^2))."""
    q, r = torch.linalg.qr(rows.T, mode="reduced")  # rows.T is column-major: LAPACK's own layout
    signs = torch.sign(torch.diagonal(r))
    signs = torch.where(signs == 0, torch.ones_like(signs), signs)
    return q.T.mul_(signs[:, None])  # q is column-major, so q.T is a contiguous (K, D)


def check_draw(choice, choices, name, priors, n_dims):
    """The arguments every draw shares: a known choice, K >= 1 priors as a 1-D tensor, an integer n_dims >= 1."""
    if choice not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {choice!r}")
    if not isinstance(priors, torch.Tensor) or priors.ndim != 1 or priors.numel() < 1:
        raise ValueError(f"priors must be a 1-D tensor of K >= 1 weights, got {priors!r}")
    if isinstance(n_dims, bool) or not isinstance(n_dims, int) or n_dims < 1:
        raise ValueError(f"n_dims must be an integer >= 1, got {n_dims!r}")


def check_offsets(kind, priors, n_dims):
    check_draw(kind, OFFSETS, "kind", priors, n_dims)
    if kind == "ortho" and priors.shape[0] > n_dims:
        raise ValueError(f"priors must have at most n_dims = {n_dims} components for ortho offsets, got "
                         f"{priors.shape[0]}")


def draw_offsets(kind, priors, n_dims, generator, device, dtype):
    """Unit-scale offsets (K, D), centred so that sum_k pi_k offsets[k] = 0 (make_offsets), the arguments checked."""
    check_offsets(kind, priors, n_dims)
    return make_offsets(kind, priors, n_dims, generator, device, dtype)


def make_offsets(kind, priors, n_dims, generator, device, dtype):
    """Unit-scale offsets (K, D), centred so that sum_k pi_k offsets[k] = 0.

    rand  (Eq. 9):  O ~ N(0, I), C = O - sum_k pi_k O[:, k],  offsets[k] = C[:, k] / sqrt(sum_l pi_l ||C[:, l]||^2).
                    Eq. 9 divides each column by its own norm, which breaks sum_k pi_k delta_k = 0 (the mean
                    constraint of Eq. 8) whenever the norms differ; one common factor keeps it exactly, keeps the
                    paper's sum_k pi_k ||delta_k||^2 = s^2, and leaves each norm s (1 + O(1 / sqrt(D))).
    ortho (Eq. 10): U = orthonormal frame of O (reduced QR), offsets[k] = U[:, k] - sum_l pi_l U[:, l].
    Everything after the draw works in place: at D = 65536 a fresh K x D buffer costs more than the arithmetic.
    """
    rows = torch.randn(priors.shape[0], n_dims, generator=generator, device=device, dtype=dtype)
    if kind == "ortho":
        rows = orthonormal_rows(rows)
    rows.sub_(priors @ rows)
    if kind == "rand":
        rms = (priors * torch.linalg.vector_norm(rows, dim=1).square()).sum().sqrt()
        # K = 1 centres the only offset to exactly zero (0 / tiny = 0): the plain Gaussian kernel.
        rows.div_(rms.clamp_min(torch.finfo(dtype).tiny))
    return rows


def draw_mixture(offsets, covariance, priors, n_dims, generator, device, dtype, need_max_scale=True, prior_list=None):
    """Everything one kernel step needs for `covariance` (a name, one of COVARIANCES), at unit scale, and the
    noise-matched bound if asked; the arguments checked (make_mixture draws)."""
    check_draw(covariance, COVARIANCES, "covariance", priors, n_dims)
    check_offsets(offsets, priors, n_dims)
    return make_mixture(offsets, MODES[covariance], priors, n_dims, generator, device, dtype, need_max_scale,
                        prior_list)


def make_mixture(offsets, covariance, priors, n_dims, generator, device, dtype, need_max_scale=True, prior_list=None):
    """A fresh mixture: the offsets drawn, then what the covariance mode (a Covariance) precomputes.
    prior_list: the priors as Python floats, if the caller has them (saves a device sync per draw)."""
    mix = Mixture(priors=priors, offsets=make_offsets(offsets, priors, n_dims, generator, device, dtype),
                  covariance=covariance)
    covariance.prepare(mix, prior_list, need_max_scale)
    return mix
