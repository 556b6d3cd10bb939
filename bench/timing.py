"""What the timing benchmarks (bench speed, bench gpu) share: SD's Karras schedule, a denoiser that costs nothing, and
the floor a GMM preset is measured against (DDIM plus the Gaussian draw, and the QR, that any such preset must do)."""

import time

import torch


def karras_sigmas(n, sigma_min=0.0292, sigma_max=14.6146, rho=7.0):
    """Karras et al. (2022) schedule, SD's sigma range, with the final 0."""
    ramp = torch.linspace(0, 1, n)
    sigmas = (sigma_max ** (1 / rho) + ramp * (sigma_min ** (1 / rho) - sigma_max ** (1 / rho))) ** rho
    return torch.cat([sigmas, sigmas.new_zeros(1)])


def near_free_model(x, sigma, **extra):
    return x


def floor_model(n_dims, n_components, ortho, generator, every_step=True, device=None):
    """The near-free model plus the work any GMM variant must do: the D x K Gaussian draw on the CPU (and its QR for
    ORTHO), and its copy to `device` if given, at every step (per-step variants) or at the first call only (shared
    offsets, drawn once per run). Returns a function that hands back the model with its call count reset."""
    calls = []

    def model(x, sigma, **extra):
        if every_step or not calls:
            gaussian = torch.randn(n_dims, n_components, generator=generator)
            if ortho:
                gaussian = torch.linalg.qr(gaussian, mode="reduced")[0]
            if device is not None:
                gaussian.to(device)
        calls.append(1)
        return x

    def reset():
        calls.clear()
        return model
    return reset


def time_call(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def floor_name(every_step, ortho):
    return f"floor: DDIM + {'per-step' if every_step else 'one'} draw{' + QR' if ortho else ''}"


def floor_for(name, group):
    """The floor a sampler is measured against besides DDIM: its own unavoidable Gaussian draw (and QR)."""
    return floor_name(group == "per-step", not (name.endswith("RAND") or name.startswith("RAND")))
