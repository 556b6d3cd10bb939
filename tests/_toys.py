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
