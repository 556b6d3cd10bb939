"""DDIM-GMM / RFIM-GMM samplers in k-diffusion's convention (pure torch; never imports ComfyUI)."""

from .checks import NonFiniteError, check_options
from .control import MATCHES
from .covariance import COVARIANCES, low_rank_eigen
from .mixture import OFFSETS, Mixture, draw_mixture, draw_offsets
from .options import NOISE_SAMPLER, NOISE_SCALE, OFFSET_SCHEDULES, OPTIONS, SEED, GmmOptions, Option
from .presets import PRESETS, VARIANTS, preset_options
from .samplers import (default_noise_sampler, sample_ddim, sample_ddim_control, sample_ddim_gmm, sample_rfim,
                       sample_rfim_control, sample_rfim_gmm)
from .schedule import alpha_from_sigma, ddim_step, rfim_step, sigmas_to_floats

__all__ = [
    "sample_ddim_gmm", "sample_rfim_gmm", "sample_ddim", "sample_rfim", "sample_ddim_control", "sample_rfim_control",
    "MATCHES", "PRESETS", "VARIANTS", "preset_options",
    "OPTIONS", "NOISE_SCALE", "NOISE_SAMPLER", "SEED", "Option", "GmmOptions", "NonFiniteError", "check_options",
    "default_noise_sampler", "OFFSETS", "COVARIANCES", "OFFSET_SCHEDULES",
    "Mixture", "draw_mixture", "draw_offsets", "low_rank_eigen", "alpha_from_sigma", "ddim_step", "rfim_step",
    "sigmas_to_floats",
]
