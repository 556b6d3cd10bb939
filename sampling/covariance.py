"""The covariance modes: how component k's noise xi ~ N(0, var I - Delta_k) is drawn, each mode one object.

Eq. 11 sets Delta_k = Delta_bar / (K pi_k) with Delta_bar = sum_l pi_l delta_l delta_l^T (rank <= K - 1). A D x D
matrix is out of the question for a latent of 65,536 numbers, so each mode keeps only what its draw needs, O(K D):

    diag   (the paper's A.5):    the diagonal of var I - Delta_k, each entry clipped at 0;
    vub    (the paper's Eq. 34): var everywhere but on the first K coordinates, which get var - u_ki, clipped at 0;
    exact  (ours):               var I - Delta_k itself, from Delta_bar's low-rank eigendecomposition, with the
                                 eigenvalues that would go negative clipped at 0.

A mode owns what it precomputes for a mixture (prepare, into the Mixture's fields), the per-component numbers of a
step (coefficients), its draw of delta_k + xi (offset_and_noise), the trace of its noise (noise_traces, for the
matched-noise control) and the square root of its covariance as a D x D matrix (covariance_sqrt, for
sampling/reference.py).
The modes hold no tensors: one instance each, in MODES; a mixture names its own (Mixture.covariance).
"""

import torch


def low_rank_eigen(priors, offsets):
    """Delta_bar / s^2 = A^T A with A = rows sqrt(pi_l) offsets[l]; returns (V rows, eigenvalues), V orthonormal.

    Reduced QR of A^T (D x K) = Q R, then an eigh of the K x K matrix R R^T: no D x D matrix anywhere.
    """
    a_t = (offsets * priors.sqrt()[:, None]).T  # (D, K)
    q, r = torch.linalg.qr(a_t, mode="reduced")
    eigenvalues, w = torch.linalg.eigh(r @ r.T)
    return (q @ w).T.contiguous(), eigenvalues.clamp_min(0)


def psd_limit(priors, eigenvalues):
    """s_max^2 / var, the largest scale at which var I - Delta_k is PSD for every k: the largest eigenvalue of Delta_k
    at unit scale is lam_max / (K pi_k), worst for the smallest prior (0-d tensor, no host sync)."""
    lam_max = eigenvalues.max()
    return torch.where(lam_max > 0, priors.shape[0] * priors.min() / lam_max.clamp_min(1e-30),
                       torch.zeros_like(lam_max))


class Covariance:
    """A covariance mode: prepare(mix, prior_list, need_max_scale), coefficients(mix, var, scale),
    offset_and_noise(mix, z, k, var, scale, coefficients, alpha), noise_traces(mix, var, coefficients, n_dims) and
    covariance_sqrt(var, delta_k, bounds), as the module's docstring says."""

    name = None
    # K <= D: the mode needs a coordinate per component (check_options refuses more components).
    limits_n_components = False

    def coefficients(self, mix, var, scale):
        """The per-component numbers of a step (step_coefficients) for offset_and_noise and noise_traces: for one step
        (var, scale numbers or 0-d tensors) or T steps at once ((T,) tensors; each result then has a leading T)."""
        n_steps = var.shape[0] if isinstance(var, torch.Tensor) and var.ndim == 1 else None
        if n_steps is not None and isinstance(scale, torch.Tensor):
            scale = scale[:, None, None]
        return self.step_coefficients(mix, var, scale * scale, n_steps)


class Diag(Covariance):
    """xi_j ~ N(0, max(var - Delta_k[j, j], 0)) (the paper's A.5): right coordinate by coordinate, not along the
    offsets. Delta_k's diagonal is w_k diag(Delta_bar) with w_k = s^2 / (K pi_k), Delta_bar at unit scale."""

    name = "diag"

    def prepare(self, mix, prior_list=None, need_max_scale=True):
        """diag(Delta_bar) = sum_k pi_k offsets[k]^2, accumulated row by row (no K x D temporary); the noise-matched
        bound only if asked (it costs the eigendecomposition)."""
        mix.diag = mix.offsets.new_zeros(mix.offsets.shape[1])
        for row, weight in zip(mix.offsets, mix.priors.tolist() if prior_list is None else prior_list):
            mix.diag.addcmul_(row, row, value=weight)
        if need_max_scale:
            mix.max_scale_sq_per_var = psd_limit(mix.priors, low_rank_eigen(mix.priors, mix.offsets)[1])

    def step_coefficients(self, mix, var, scale_sq, n_steps):
        """(K,): w_k = s^2 / (K pi_k)."""
        weight = scale_sq / (mix.n_components * mix.priors)
        return weight if n_steps is None else weight.reshape(-1, mix.n_components).expand(n_steps, -1)

    def offset_and_noise(self, mix, z, k, var, scale, coefficients, alpha=1.0):
        """alpha (delta_k + xi) for each row, a fresh (B, D) tensor (z: (B, D) standard normal or None where var = 0,
        k: (B,) component indices)."""
        out = mix.offsets.index_select(0, k).mul_(scale * alpha)  # scale: a number, or a 0-d tensor (noise_matched)
        if z is None:
            return out
        # std_j = sqrt(max(var - w_k diag(Delta_bar)_j, 0))
        std = torch.addcmul(torch.full_like(mix.diag, var), coefficients.index_select(0, k)[:, None], mix.diag,
                            value=-1).clamp_min_(0).sqrt_()
        return out.addcmul_(std, z, value=alpha)

    def noise_traces(self, mix, var, coefficients, n_dims):
        """(K,): tr Cov(xi_k) = sum_j max(var - w_k diag(Delta_bar)_j, 0)."""
        return (var - coefficients[:, None] * mix.diag[None, :]).clamp_min(0).sum(1)

    def covariance_sqrt(self, var, delta_k, bounds):
        """Cov(xi_k)^(1/2), D x D: Cov(xi_k) is the diagonal of var I - Delta_k, clipped at 0."""
        return torch.diag((var - torch.diagonal(delta_k)).clamp_min(0).sqrt())


class ShrunkDirections(Covariance):
    """var I, shrunk along R orthonormal directions: direction r of component k keeps max(var - s^2 u_kr, 0), with
    u = unit(mix) (K x R) at unit scale. As a draw: xi = sqrt(var) z + sum_r c_kr (z . e_r) e_r,
    c_kr = sqrt(max(var - s^2 u_kr, 0)) - sqrt(var), what direction r's standard deviation loses."""

    def step_coefficients(self, mix, var, scale_sq, n_steps):
        """(K, R): c_kr."""
        unit = self.unit(mix)
        var = torch.as_tensor(var, dtype=unit.dtype, device=unit.device)
        var = var if n_steps is None else var[:, None, None]
        return (var - scale_sq * unit).clamp_min(0).sqrt() - var.sqrt()

    def noise_traces(self, mix, var, coefficients, n_dims):
        """(K,): tr Cov(xi_k) = (D - R) var + sum_r (sqrt(var) + c_kr)^2."""
        head = (coefficients + var**0.5).square()
        return (n_dims - head.shape[1]) * var + head.sum(1)


class Vub(ShrunkDirections):
    """The paper's variance upper bounds (Eq. 12, proved as Eq. 34): Delta_k's eigenvalues are at most
    u_ki = s^2 pi_(i) / (K pi_k), pi_(1) <= ... <= pi_(K) the sorted priors, whatever the offsets; the paper removes
    them from the first K coordinates of the flattened sample (the directions e_1 ... e_K)."""

    name = "vub"
    limits_n_components = True

    def prepare(self, mix, prior_list=None, need_max_scale=True):
        """The bounds at unit scale, [k, i] = pi_(i) / (K pi_k); the noise-matched bound: every u_ki <= var
        <=> s^2 <= var K pi_min / pi_max."""
        n_components = mix.n_components
        mix.vub_unit = torch.sort(mix.priors).values[None, :] / (n_components * mix.priors[:, None])
        mix.max_scale_sq_per_var = n_components * mix.priors.min() / mix.priors.max()

    def unit(self, mix):
        return mix.vub_unit

    def offset_and_noise(self, mix, z, k, var, scale, coefficients, alpha=1.0):
        """alpha (delta_k + xi) for each row, a fresh (B, D) tensor (z: (B, D) standard normal or None where var = 0,
        k: (B,) component indices)."""
        out = mix.offsets.index_select(0, k).mul_(scale * alpha)  # scale: a number, or a 0-d tensor (noise_matched)
        if z is None:
            return out
        # sqrt(var) everywhere, then sqrt(max(var - u_ki, 0)) instead on the first K coordinates.
        head = mix.n_components
        out.add_(z, alpha=alpha * var**0.5)
        out[:, :head].addcmul_(coefficients.index_select(0, k), z[:, :head], value=alpha)
        return out

    def covariance_sqrt(self, var, delta_k, bounds):
        """Cov(xi_k)^(1/2), D x D: Cov(xi_k) is var I with var - u_ki, clipped at 0, on the first K diagonal entries."""
        variances = torch.full((delta_k.shape[0],), var, dtype=delta_k.dtype)
        variances[:bounds.shape[0]] = (var - bounds).clamp_min(0)
        return torch.diag(variances.sqrt())


class Exact(ShrunkDirections):
    """Ours: with Delta_bar = s^2 V^T diag(lam) V (R <= K orthonormal rows V), Delta_k = s^2 V^T diag(lam / (K pi_k)) V,
    so xi = sqrt(var) z + V^T (c_k * (V z)) has covariance exactly var I - Delta_k whenever
    var >= s^2 lam_max / (K pi_k); below, the directions that would go negative keep variance 0."""

    name = "exact"

    def prepare(self, mix, prior_list=None, need_max_scale=True):
        """V and lam at unit scale (low_rank_eigen), Delta_k's eigenvalues lam / (K pi_k), and the offsets' coordinates
        in V: every offset lies in span(V) (the range of Delta_bar), so K x R numbers carry it exactly."""
        mix.basis, mix.eigenvalues = low_rank_eigen(mix.priors, mix.offsets)
        mix.max_scale_sq_per_var = psd_limit(mix.priors, mix.eigenvalues)
        mix.exact_unit = mix.eigenvalues[None, :] / (mix.n_components * mix.priors[:, None])
        mix.offset_coords = mix.offsets @ mix.basis.T

    def unit(self, mix):
        return mix.exact_unit

    def offset_and_noise(self, mix, z, k, var, scale, coefficients, alpha=1.0):
        """alpha (delta_k + xi) for each row, a fresh (B, D) tensor (z: (B, D) standard normal or None where var = 0,
        k: (B,) component indices)."""
        # delta_k = s V^T (V offsets[k]): offset and correction share one (B, R) @ (R, D).
        coords = mix.offset_coords.index_select(0, k) * scale  # (B, R)
        if z is not None:
            coords = torch.addcmul(coords, coefficients.index_select(0, k), z @ mix.basis.T)
        out = torch.mm(coords, mix.basis)
        return out.mul_(alpha) if z is None else out.add_(z, alpha=var**0.5).mul_(alpha)

    def covariance_sqrt(self, var, delta_k, bounds):
        """Cov(xi_k)^(1/2), D x D: Cov(xi_k) is var I - Delta_k with its negative eigenvalues clipped to 0."""
        eigenvalues, vectors = torch.linalg.eigh(var * torch.eye(delta_k.shape[0], dtype=delta_k.dtype) - delta_k)
        return vectors @ torch.diag(eigenvalues.clamp_min(0).sqrt()) @ vectors.T


MODES = {mode.name: mode for mode in (Diag(), Vub(), Exact())}
COVARIANCES = tuple(MODES)  # ("diag", "vub", "exact"): the option's choices, in the node's order
