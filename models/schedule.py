"""The DDPM schedule of the paper (Section A.1 / appendix on training): linear beta from 0.0015 to 0.0195 over 1000
steps, alpha-bar_t = prod_{i<=t} (1 - beta_i); k-diffusion's VE sigma_t = sqrt((1 - abar_t) / abar_t)."""

import torch

N_TIMESTEPS = 1000
BETA_START, BETA_END = 0.0015, 0.0195


def ddpm_alphas_cumprod(n=N_TIMESTEPS, beta_start=BETA_START, beta_end=BETA_END):
    betas = torch.linspace(beta_start, beta_end, n, dtype=torch.float64)
    return torch.cumprod(1 - betas, dim=0).float()
