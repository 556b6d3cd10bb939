"""The matched-noise control: DDIM (flow: RFIM) plus fresh isotropic Gaussian noise of the mixture's strength.

A diagnostic, not a method. At eta = 0 the DDIM step has no variance to shrink, so the mixture's offsets add variance
the DDPM marginals do not have; any gain of DDIM-GMM there could be nothing but extra noise. The control adds the same
amount of plain Gaussian noise at every step, computed from the very mixture the GMM sampler would draw with the same
seed and options (s, n_components, offsets, priors, covariance, share_offsets, offset schedule), so the two differ only
in the shape of the noise. One step, in the kernel's units (VP for diffusion, tau for flow), D = elements of a sample:

    x' = mean_eta + out_scale * sqrt(v) z,   z ~ N(0, I) from the noise sampler, the DDIM / RFIM mean at eta,

    match="offsets":  v = var + E_k ||delta_k||^2 / D          the step's own Gaussian variance plus what the offsets
                                                               add (ORTHO, uniform priors: s^2 (1 - 1/K) / D);
    match="total":    v = E_k [||delta_k||^2 + tr Cov(xi_k)] / D   the GMM step's total variance about the DDIM mean,
                                                               clipping (diag, vub, exact) and VUB's slack included.

At eta = 0 both give the same v (xi = 0). Without offsets (s = 0 or K = 1) match="offsets" is DDIM / RFIM itself,
bit for bit at eta > 0 (same noise stream). The last step (to sigma = 0) returns the denoised estimate, as in DDIM-GMM.
The samplers are sample_ddim_control and sample_rfim_control (samplers.py, sharing the GMM samplers' loop).
"""

from .options import Option

MATCHES = ("offsets", "total")
MATCH = Option("match", "choice", "offsets", choices=MATCHES,
               doc="'offsets': the step's own variance plus what the offsets add; 'total': the GMM step's total "
                   "variance about the DDIM mean")


def offsets_variance(mix, scale):
    """E_k ||delta_k||^2 = s^2 sum_k pi_k ||offsets[k]||^2 (offsets at unit scale), summed over the D coordinates."""
    return scale * scale * (mix.priors * mix.offsets.square().sum(1)).sum()


def control_variance(mix, scale, var, coefficients, n_dims, match):
    """v of the control's step (per coordinate, kernel units) for one step of the mixture (coefficients: the step's
    mix.covariance.coefficients)."""
    added = offsets_variance(mix, scale)
    if match == "offsets":
        return var + float(added) / n_dims
    # E_k tr Cov(xi_k), for the kernel's noise as its covariance mode draws it (clipping and VUB's slack included)
    noise = (mix.priors * mix.covariance.noise_traces(mix, var, coefficients, n_dims)).sum()
    return float(added + noise) / n_dims
