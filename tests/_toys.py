"""Small shared helpers for the sampling tests: toy denoisers and seeded noise samplers."""

import torch


def seeded_noise(x, seed):
    """A k-diffusion noise_sampler with its own CPU generator, to hand the same stream to two samplers."""
    generator = torch.Generator(device=x.device).manual_seed(seed)
    return lambda sigma, sigma_next: torch.randn(x.shape, dtype=x.dtype, device=x.device, generator=generator)


def shrink_model(x, sigma, **extra):
    """A smooth toy denoiser (the posterior mean for x0 ~ N(0.1, 1) would be similar)."""
    sigma = sigma.reshape(-1, *([1] * (x.ndim - 1))).to(x.dtype)
    return (x + 0.1 * sigma**2) / (1 + sigma**2)


def oracle(x0):
    """The oracle denoiser of the moment checks (docs/method.md): returns the true x0 whatever the input."""
    return lambda x, sigma, **extra: x0.expand_as(x).to(x.dtype)


def dtype_id(dtype):
    return str(dtype).removeprefix("torch.")


# Latent dtypes of the device-generic tests: what ComfyUI hands a sampler (fp32, or fp16 / bf16 with a half model).
LATENT_DTYPES = [torch.float32, torch.float16, torch.bfloat16]


def latent_tolerance(dtype, scale=1.0):
    """Agreement expected between two computations of the same samples in `dtype`: 1e-8 in float64; else 8 rounding
    units at the samples' scale (what rounding each step to the latent's dtype leaves; seen: ~1.3 units)."""
    if dtype == torch.float64:
        return 1e-8
    return 8 * torch.finfo(dtype).eps * max(1.0, scale)


def record_gmm_steps(monkeypatch):
    """Records every gmm_step call of the samplers' loop: a list of ((x, x0, z, k, scale, mix, uncond), output) with
    the tensors copied as the step saw them, for checking each step against sampling/reference.py."""
    from ddim_gmm.sampling import samplers

    calls, real = [], samplers.gmm_step

    def spy(x, x0, step, z, mix, scale, k, coefficients, uncond=None):
        inputs = (x.clone(), x0.clone(), None if z is None else z.clone(), k.clone(), scale, mix,
                  None if uncond is None else uncond.clone())
        out = real(x, x0, step, z, mix, scale, k, coefficients, uncond)
        calls.append((inputs, out.clone()))
        return out

    monkeypatch.setattr(samplers, "gmm_step", spy)
    return calls
