"""The samplers' options, each declared once: name, kind, default, range or choices, and what it does (`doc`).

check_options (checks.py) validates by OPTIONS; the ComfyUI node (nodes/, which declares how it shows each option) and
the option tables of the docs (nodes/tables.py) read them. GmmOptions below and the samplers' signatures and
docstrings (samplers.py) are written out for readers and editors; tests/test_options.py checks them against OPTIONS.
Adding an option is one Option here, its field in GmmOptions, its parameter in the samplers, its place in the node
(nodes/options.py), plus its math.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import torch

from .mixture import COVARIANCES, OFFSETS

OFFSET_SCHEDULES = ("constant", "noise_matched")
# The paper searched s <= 20. VP data has unit variance per coordinate, so an offset of norm 100 is already a sizeable
# fraction of a whole SDXL latent's norm (256); beyond it a half-precision latent can overflow.
S_MAX = 100.0

_SAME = object()  # flow_default's default: RFIM's default is DDIM's


@dataclass(frozen=True)
class Option:
    """One option of the samplers (the node declares its own preset and kernel the same way).

    kind: "float" (a finite number in [low, high]), "int" (an integer >= low), "bool", "choice" (one of `choices`),
        "priors" (None, one of `choices` or K weights; check_options checks the weights against n_components), or,
        for the samplers' trailing arguments, "seed" (None or an integer in [low, high); check_seed) and "callable"
        (None or a callable; check_callables).
    default: the library's default (DDIM-GMM's); flow_default: RFIM-GMM's where it differs.
    doc: what the option does, for the docstrings, the option tables and the node (nodes/options.py says where the
        node adds to it or says it its own way).
    """

    name: str
    kind: str
    default: object
    doc: str = ""
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    flow_default: object = _SAME

    def __post_init__(self):
        if self.flow_default is _SAME:
            object.__setattr__(self, "flow_default", self.default)

    def check(self, value):
        """The value, validated; raises ValueError naming the option and what it allows. Numbers come back as float."""
        if self.kind == "float":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or not self.low <= value <= self.high:
                raise ValueError(f"{self.name} must be a finite number in [{self.low}, {self.high}], got {value!r}")
            return float(value)
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int) or value < self.low:
                raise ValueError(f"{self.name} must be an integer >= {self.low}, got {value!r}")
            return value
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(f"{self.name} must be True or False, got {value!r}")
            return value
        if self.kind == "choice":
            return self.check_choice(value)
        return value  # priors: checked against n_components by check_options; seed, callable: by checks.py

    def check_choice(self, value):
        """The value if it is one of `choices` (the node offers only these, priors included)."""
        if value not in self.choices:
            raise ValueError(f"{self.name} must be one of {', '.join(map(repr, self.choices))}, got {value!r}")
        return value


OPTIONS = (
    Option(
        "eta", "float", 1.0, flow_default=0.0, low=0.0, high=1.0,
        # eta = 1 is DDPM's posterior variance (flow: independent steps); beyond it the kernel's mean has no real root.
        doc="Stochasticity in [0, 1]. 0: deterministic DDIM (flow: Euler) plus the mixture offsets, the paper's main "
            "setting. 1: DDPM variance, like euler_ancestral (flow: independent steps; the paper keeps flow eta <= "
            "0.5). covariance and noise_matched only matter when eta > 0."),
    Option(
        "s", "float", 1.0, low=0.0, high=S_MAX,
        doc="Offset scale s in [0, 100]: the length of each component's offset from the DDIM mean (VP units). The "
            "paper found s = 10 best at 10 steps and about 1 from 20 steps on. 0 turns the mixture off (plain DDIM / "
            "euler_ancestral)."),
    Option(
        "n_components", "int", 8, low=1,
        doc="K >= 1 mixture components (at most D, the elements of one sample, for 'ortho' offsets or 'vub')."),
    Option(
        "offsets", "choice", "ortho", choices=OFFSETS,
        doc="How the K offsets are drawn: 'ortho' an orthonormal frame (Eq. 10), 'rand' independent random "
            "directions of length s (Eq. 9)."),
    Option(
        "covariance", "choice", "vub", choices=COVARIANCES,
        doc="How each component's noise is shrunk to keep the moments matched: 'diag' (the paper's diagonal), "
            "'vub' (the paper's variance upper bounds, Eq. 34) or 'exact' (ours: the exact low-rank covariance)."),
    Option(
        "share_offsets", "bool", True,
        doc="Draw the offsets once for the whole run (the paper's '*' variants) or anew at every step."),
    Option(
        "priors", "priors", None, choices=("uniform", "random"),
        doc="Component weights: 'uniform' (1/K each, the paper's default) or 'random' (one flat-Dirichlet draw per "
            "run, from the seed)."),
    Option(
        "offset_schedule", "choice", "constant", choices=OFFSET_SCHEDULES,
        doc="'constant': the same scale s at every step (the paper). 'noise_matched' (ours): at each step the scale "
            "that moves offset_variance_fraction of the step's noise variance into the mixture's spread; exactly "
            "moment matched; its offsets vanish where eta = 0."),
    Option(
        "offset_variance_fraction", "float", 0.5, low=0.0, high=1.0,
        doc="For offset_schedule 'noise_matched': the fraction in [0, 1] of each step's noise variance moved into "
            "the mixture's spread (0 = plain DDIM)."),
    Option(
        "cfg_pp", "bool", False,
        # CFG++ (arXiv 2406.08070): the step keeps the guided x0 but takes its direction back to noise from the
        # unconditional prediction; the mixture and its covariance are unchanged (docs/method.md).
        doc="CFG++ (arXiv 2406.08070): the step's mean from the guided x0 and the unconditional noise direction "
            "eps_u = (x - x_coef x0_u) / sigma; the model must then return the pair (denoised, uncond_denoised)."),
)
OPTION = {option.name: option for option in OPTIONS}
# The flow samplers' one option the node does not show: it reads it from the model (nodes/options.py).
NOISE_SCALE = Option(
    "noise_scale", "float", 1.0, low=0.0, high=100.0,
    doc="Flow samplers only: the scale c of the model's noise, x_tau = (1 - tau) x0 + tau c eps (ComfyUI's CONST "
        "noise_scale, 8 for HiDream-O1); the step's fresh noise and its offsets are scaled by c.")
# Every sampler's last two arguments, after its options.
NOISE_SAMPLER = Option(
    "noise_sampler", "callable", None,
    doc="k-diffusion's noise_sampler(sigma, sigma_next) -> the step's Gaussian noise in x's shape. None: "
        "default_noise_sampler(x, seed), seeded as ComfyUI's own (seed + 1 on the CPU, where the initial noise is "
        "drawn from seed itself).")
SEED = Option(
    "seed", "seed", None, low=-2**63, high=2**64,
    doc="The run's seed: an integer in [-2**63, 2**64) (numpy and one-element torch integers too) or None, which "
        "takes extra_args['seed'] (ComfyUI puts it there) or else torch's global generator. It seeds the default "
        "noise sampler and, through a separate CPU generator, the mixture's draws, so the mixture is the same on "
        "every device.")


@dataclass(frozen=True)
class GmmOptions:
    """The kernel's options as check_options returns them (validated; priors None, a name or K weights as a list),
    at DDIM-GMM's defaults. What each does: its OPTIONS entry, the table in docs/method.md, sample_ddim_gmm."""

    eta: float = 1.0
    s: float = 1.0
    n_components: int = 8
    offsets: Literal["ortho", "rand"] = "ortho"
    covariance: Literal["diag", "vub", "exact"] = "vub"
    share_offsets: bool = True
    priors: Literal["uniform", "random"] | Sequence[float] | torch.Tensor | None = None
    offset_schedule: Literal["constant", "noise_matched"] = "constant"
    offset_variance_fraction: float = 0.5
    cfg_pp: bool = False
