"""k-diffusion-style denoisers around the embedded models, and loaders for the shipped weights.

DiscreteEpsDenoiser is our own copy of k_diffusion.external.DiscreteEpsDDPMDenoiser (the wrapper SD-era models are
driven through), so the demo needs no k-diffusion; tests check the two agree.
"""

import json
import os

import torch
from torch import nn

from .classifier import Classifier
from .data import N_CLASSES
from .schedule import ddpm_alphas_cumprod
from .unet import UNet

# The clone's folder, also when __file__ is a link (a strict editable install links the files from build/).
WEIGHTS_DIR = os.path.join(os.path.dirname(os.path.realpath(__file__)), "weights")


class DiscreteEpsDenoiser(nn.Module):
    """Eps-prediction DDPM model -> k-diffusion denoiser: model(x, sigma, **kw) returns x0_hat for x = x0 + sigma eps.

    sigma_t = sqrt((1 - abar_t) / abar_t); the network sees x_vp = x / sqrt(1 + sigma^2) and a (fractional, or with
    quantize=True the nearest) timestep t found by interpolating log sigma, exactly as k-diffusion does.
    """

    def __init__(self, model, alphas_cumprod, quantize=False):
        super().__init__()
        self.inner_model = model
        self.quantize = quantize
        sigmas = ((1 - alphas_cumprod) / alphas_cumprod) ** 0.5
        self.register_buffer("sigmas", sigmas)
        self.register_buffer("log_sigmas", sigmas.log())

    @property
    def sigma_min(self):
        return self.sigmas[0]

    @property
    def sigma_max(self):
        return self.sigmas[-1]

    def get_sigmas(self, n):
        """n steps on the model's own schedule: n timesteps evenly spaced from T-1 down to 0, then sigma = 0."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n (number of steps) must be an integer >= 1, got {n!r}")
        t_max = len(self.sigmas) - 1
        t = torch.linspace(t_max, 0, n, device=self.sigmas.device)
        return torch.cat([self.t_to_sigma(t), t.new_zeros([1])])

    def sigma_to_t(self, sigma, quantize=None):
        quantize = self.quantize if quantize is None else quantize
        log_sigma = sigma.log()
        dists = log_sigma - self.log_sigmas[:, None]
        if quantize:
            return dists.abs().argmin(dim=0).view(sigma.shape)
        # Piecewise-linear interpolation of t in log sigma between the two neighbouring discrete levels.
        low_idx = dists.ge(0).cumsum(dim=0).argmax(dim=0).clamp(max=self.log_sigmas.shape[0] - 2)
        high_idx = low_idx + 1
        low, high = self.log_sigmas[low_idx], self.log_sigmas[high_idx]
        w = ((low - log_sigma) / (low - high)).clamp(0, 1)
        return ((1 - w) * low_idx + w * high_idx).view(sigma.shape)

    def t_to_sigma(self, t):
        t = t.float()
        low_idx, high_idx, w = t.floor().long(), t.ceil().long(), t.frac()
        return ((1 - w) * self.log_sigmas[low_idx] + w * self.log_sigmas[high_idx]).exp()

    def forward(self, x, sigma, **kwargs):
        # c_in = 1 / sqrt(1 + sigma^2) (VE -> VP), c_out = -sigma:  x0_hat = x - sigma * eps_hat(x_vp, t).
        c_in = (1 / (sigma ** 2 + 1) ** 0.5).view(-1, *([1] * (x.ndim - 1)))
        c_out = (-sigma).view(-1, *([1] * (x.ndim - 1)))
        eps = self.inner_model(x * c_in, self.sigma_to_t(sigma), **kwargs)
        return x + eps * c_out


class CFGDenoiser(nn.Module):
    """Classifier-free guidance: x0 = x0_uncond + scale * (x0_cond - x0_uncond) (the same combination as on eps,
    since x0 = x - sigma eps is affine in eps). scale = 1 is the conditional model; labels None: unconditional.
    Extra keyword arguments (e.g. the samplers' `seed`) are accepted and ignored, as ComfyUI's model wrappers do."""

    def __init__(self, denoiser, scale=1.0):
        super().__init__()
        if not isinstance(scale, (int, float)) or isinstance(scale, bool) or not 0 <= scale <= 100:
            raise ValueError(f"cfg scale must be a number in [0, 100], got {scale!r}")
        self.denoiser, self.scale = denoiser, float(scale)

    def forward(self, x, sigma, y=None, with_uncond=False, **kwargs):
        """The guided x0; with_uncond: the pair (guided, unconditional) that the samplers' cfg_pp (CFG++) takes, the
        unconditional pass run at scale 1 too (as ComfyUI's CFG++ samplers do); without labels both are the
        unconditional model's."""
        null = torch.full((x.shape[0],), N_CLASSES, dtype=torch.long, device=x.device)
        if y is None:
            uncond = self.denoiser(x, sigma, y=null)
            return (uncond, uncond) if with_uncond else uncond
        if self.scale == 1.0 and not with_uncond:
            return self.denoiser(x, sigma, y=y)
        # One batched call for both predictions.
        both = self.denoiser(torch.cat([x, x]), torch.cat([sigma, sigma]), y=torch.cat([y, null]))
        cond, uncond = both.chunk(2)
        guided = uncond + self.scale * (cond - uncond)
        return (guided, uncond) if with_uncond else guided


class FlowDenoiser(nn.Module):
    """1-rectified flow (x_tau = (1 - tau) x0 + tau eps, network v = eps - x0) as a denoiser for sample_rfim_gmm:
    sigma = tau, x0_hat = x - tau * v. Extra keyword arguments are ignored."""

    def __init__(self, model):
        super().__init__()
        self.inner_model = model

    @staticmethod
    def get_sigmas(n):
        """n Euler steps, tau evenly spaced from 1 to 0 (the paper's RFIM protocol)."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"n (number of steps) must be an integer >= 1, got {n!r}")
        return torch.linspace(1.0, 0.0, n + 1)

    def forward(self, x, sigma, **kwargs):
        v = self.inner_model(x, sigma)
        return x - sigma.view(-1, *([1] * (x.ndim - 1))) * v


def read_record(name, weights_dir=WEIGHTS_DIR):
    with open(os.path.join(weights_dir, f"{name}.json")) as f:
        return json.load(f)


def _load(module, name, weights_dir):
    from safetensors.torch import load_file

    path = os.path.join(weights_dir, f"{name}.safetensors")
    if not os.path.exists(path):
        raise FileNotFoundError(f"no weights at {path}: train them with `python -m ddim_gmm.models.train {name}`")
    module.load_state_dict(load_file(path))
    return module.eval().requires_grad_(False)


def load_ddpm_unet(weights_dir=WEIGHTS_DIR):
    record = read_record("ddpm", weights_dir)
    return _load(UNet(channels=record["channels"], n_classes=N_CLASSES), "ddpm", weights_dir)


def load_ddpm_denoiser(cfg_scale=1.0, weights_dir=WEIGHTS_DIR):
    """The embedded DDPM as a k-diffusion denoiser with CFG; .denoiser.get_sigmas(n) gives its schedule."""
    return CFGDenoiser(DiscreteEpsDenoiser(load_ddpm_unet(weights_dir), ddpm_alphas_cumprod()), cfg_scale)


def load_flow_denoiser(weights_dir=WEIGHTS_DIR):
    record = read_record("flow", weights_dir)
    return FlowDenoiser(_load(UNet(channels=record["channels"], n_classes=0, time_scale=1000.0), "flow", weights_dir))


def load_classifier(weights_dir=WEIGHTS_DIR):
    record = read_record("classifier", weights_dir)
    return _load(Classifier(channels=record["channels"]), "classifier", weights_dir)
