"""The samplers' options, each declared once: name, kind, default, range or choices, a one-line doc, the tooltip.

Everything else is derived from OPTIONS: GmmOptions and check_options (checks.py), the samplers' signatures and the
option list of their docstrings (`sampler` below), the node's widgets, their mapping to options and which of them
the frontend hides (nodes/), the example workflows' widget values (workflows/make_workflows.py) and the option tables
of the README, the docs and the node's help page (nodes/tables.py). Adding an option is one Option here plus its math.
"""

import dataclasses
import functools
import inspect
import math
import textwrap
from dataclasses import dataclass, field

from .mixture import COVARIANCES, OFFSETS

OFFSET_SCHEDULES = ("constant", "noise_matched")
# The paper searched s <= 20. VP data has unit variance per coordinate, so an offset of norm 100 is already a sizeable
# fraction of a whole SDXL latent's norm (256); beyond it a half-precision latent can overflow.
S_MAX = 100.0

_SAME = object()  # flow_default's default: RFIM's default is DDIM's


@dataclass(frozen=True)
class Option:
    """One option of the samplers (or of the node: nodes/options.py declares the node's own widgets the same way).

    kind: "float" (a finite number in [low, high]), "int" (an integer >= low), "bool", "choice" (one of `choices`),
        or "priors" (None, one of `choices` or K weights; check_options checks the weights against n_components).
    default: the library's default (DDIM-GMM's); flow_default: RFIM-GMM's where it differs.
    doc: one line for the docstrings and the library's option table; tooltip: the node widget's (nodes/ adds the
        sentences that needs_eta and preset_fixed imply).
    widget: the widget's INPUT_TYPES entries where they differ from the option's (its default, max, labels).
    preset_fixed: every preset sets it (sampling/presets.py); the node hides it unless preset is 'custom'.
    needs_eta: it changes nothing at eta = 0, where the step adds no noise (said in the tooltip).
    schedule: the offset_schedule it takes effect under (None: both); the node hides it under the other one.
    """

    name: str
    kind: str
    default: object
    doc: str = ""
    tooltip: str = ""
    low: float = None
    high: float = None
    choices: tuple = ()
    flow_default: object = _SAME
    widget: dict = field(default_factory=dict, hash=False)
    preset_fixed: bool = False
    needs_eta: bool = False
    schedule: str = None

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
        return value  # priors: checked against n_components by check_options

    def check_choice(self, value):
        """The value if it is one of `choices` (the node offers only these, priors included)."""
        if value not in self.choices:
            raise ValueError(f"{self.name} must be one of {', '.join(map(repr, self.choices))}, got {value!r}")
        return value


OPTIONS = (
    Option(
        "eta", "float", 1.0, flow_default=0.0, low=0.0, high=1.0, widget={"default": 0.0},
        # eta = 1 is DDPM's posterior variance (flow: independent steps); beyond it the kernel's mean has no real root.
        doc="stochasticity in [0, 1]: 0 = deterministic DDIM (flow: the Euler step) plus the offsets, 1 = DDPM's "
            "variance (flow: independent steps)",
        tooltip="Stochasticity in [0, 1]. 0: deterministic DDIM (flow: Euler) plus the mixture offsets, the paper's "
                "main setting. 1: DDPM variance, like euler_ancestral (flow: independent steps; the paper keeps "
                "flow eta <= 0.5). covariance and noise_matched only matter when eta > 0."),
    Option(
        "s", "float", 1.0, low=0.0, high=S_MAX, schedule="constant",
        doc="offset scale in [0, 100] (VP units for diffusion; the paper searched {0.01, 0.1, 1, 10}), for "
            "offset_schedule 'constant'",
        tooltip="Offset scale s in [0, 100]: the length of each component's offset from the DDIM mean (VP units). The "
                "paper found s = 10 best at 10 steps and about 1 from 20 steps on. 0 turns the mixture off (plain "
                "DDIM / euler_ancestral). Unused (and hidden) when the offset schedule is 'noise_matched'."),
    Option(
        "n_components", "int", 8, low=1, widget={"max": 4096},
        doc="K >= 1 mixture components (at most D, the elements of one sample, for 'ortho' offsets or 'vub')",
        tooltip="K, the number of mixture components, 1 to 4096 (at most the latent's element count for ortho "
                "offsets or vub covariance). The paper uses 8 (and found 8 and 256 better than 1024)."),
    Option(
        "offsets", "choice", "ortho", choices=OFFSETS, preset_fixed=True,
        doc="'ortho' (Eq. 10, an orthonormal frame by reduced QR) or 'rand' (Eq. 9, random unit directions)",
        tooltip="How the K offsets are drawn: 'ortho' an orthonormal frame (Eq. 10), 'rand' independent random "
                "directions of length s (Eq. 9)."),
    Option(
        "covariance", "choice", "vub", choices=COVARIANCES, preset_fixed=True, needs_eta=True,
        doc="'diag' (the diagonal of var I - Delta_k), 'vub' (the paper's variance upper bounds, Eq. 34) or 'exact' "
            "(ours: the exact low-rank covariance, clipped only where var < lam_max / (K pi_k))",
        tooltip="How each component's noise is shrunk to keep the moments matched: 'diag' (the paper's diagonal), "
                "'vub' (the paper's variance upper bounds, Eq. 34) or 'exact' (ours: the exact low-rank "
                "covariance)."),
    Option(
        "share_offsets", "bool", True, preset_fixed=True,
        widget={"label_on": "once per run", "label_off": "fresh each step"},
        doc="one draw for the whole run (the paper's '*' variants) or a fresh draw every step",
        tooltip="Draw the offsets once for the whole run (the paper's '*' variants) or anew at every step."),
    Option(
        "priors", "priors", None, choices=("uniform", "random"), widget={"default": "uniform"},
        doc="None or 'uniform' (1/K each), 'random' (one flat-Dirichlet draw per run) or K positive weights summing "
            "to 1",
        tooltip="Component weights: 'uniform' (1/K each, the paper's default) or 'random' (one flat-Dirichlet draw "
                "per run, from the seed)."),
    Option(
        "offset_schedule", "choice", "constant", choices=OFFSET_SCHEDULES, preset_fixed=True,
        doc="'constant' (s at every step, the paper) or 'noise_matched' (ours: each step's scale s_t^2 = fraction * "
            "s_max^2, s_max the largest keeping var I - Delta_k PSD; s is then unused)",
        tooltip="'constant': the same scale s at every step (the paper). 'noise_matched' (ours): at each step the "
                "scale that moves offset_variance_fraction of the step's noise variance into the mixture's spread; "
                "exactly moment matched; its offsets vanish where eta = 0."),
    Option(
        "offset_variance_fraction", "float", 0.5, low=0.0, high=1.0, needs_eta=True, schedule="noise_matched",
        doc="for offset_schedule 'noise_matched': the fraction in [0, 1] of each step's Gaussian variance moved into "
            "the mixture's spread",
        tooltip="For offset_schedule 'noise_matched': the fraction in [0, 1] of each step's noise variance moved into "
                "the mixture's spread (0 = plain DDIM). Shown only for that schedule (preset NOISE-MATCHED, or "
                "'custom' with offset_schedule 'noise_matched')."),
    Option(
        "cfg_pp", "bool", False, widget={"label_on": "CFG++", "label_off": "off"},
        # CFG++ (arXiv 2406.08070): the step keeps the guided x0 but takes its direction back to noise from the
        # unconditional prediction; the mixture and its covariance are unchanged (docs/method.md).
        doc="CFG++ (arXiv 2406.08070): the step's mean from the guided x0 and the unconditional noise direction "
            "eps_u = (x - x_coef x0_u) / sigma; the model must then return the pair (denoised, uncond_denoised)",
        tooltip="CFG++ (Chung et al. 2024): the step keeps the guided x0 prediction but takes its direction back to "
                "noise from the unconditional (negative prompt) prediction, as ComfyUI's *_cfg_pp samplers do; the "
                "mixture is unchanged. Use a much smaller CFG than usual (best on the pack's test model: about 0.75 at 5-10 "
                "steps, 0.25 at 20-50; 1 still guides). With s = 0 it is euler_ancestral_cfg_pp. With BasicGuider (no negative prompt) ComfyUI hands CFG++ a zero "
                "unconditional prediction, as it does its own CFG++ samplers; use CFGGuider."),
)
OPTION = {option.name: option for option in OPTIONS}
# The flow samplers' one option that is not a node widget: the node reads it from the model (nodes/options.py).
NOISE_SCALE = Option(
    "noise_scale", "float", 1.0, low=0.0, high=100.0,
    doc="flow samplers only: the scale c of the model's noise, x_tau = (1 - tau) x0 + tau c eps (ComfyUI's CONST "
        "noise_scale, 8 for HiDream-O1); the step's fresh noise and its offsets are scaled by c")

_TYPES = {"float": float, "int": int, "bool": bool, "choice": str, "priors": object}
GmmOptions = dataclasses.make_dataclass(
    "GmmOptions", [(o.name, _TYPES[o.kind], field(default=o.default)) for o in OPTIONS], frozen=True,
    namespace={"__doc__": "The kernel's options (OPTIONS), as check_options returns them; see sample_ddim_gmm."})
GmmOptions.__module__ = __name__

_POSITIONAL = inspect.Parameter.POSITIONAL_OR_KEYWORD
# k-diffusion's sampler signature around the options: model, x, sigmas, extra_args, callback, disable first.
_LEADING = [inspect.Parameter(name, _POSITIONAL) for name in ("model", "x", "sigmas")] + [
    inspect.Parameter(name, _POSITIONAL, default=None) for name in ("extra_args", "callback", "disable")]
_TRAILING = [inspect.Parameter(name, _POSITIONAL, default=None) for name in ("noise_sampler", "seed")]


def with_options(*options, flow=False):
    """Decorator: the sampler's public signature, k-diffusion's with `options` in declaration order,

        (model, x, sigmas, extra_args=None, callback=None, disable=None, <options>, noise_sampler=None, seed=None),

    each option at its default (flow: RFIM's), and the options listed in its docstring. The decorated loop gets every
    argument as a keyword."""
    parameters = [inspect.Parameter(o.name, _POSITIONAL, default=o.flow_default if flow else o.default)
                  for o in options]
    signature = inspect.Signature(_LEADING + parameters + _TRAILING)
    listing = "\n".join(textwrap.fill(f"{p.name}={p.default!r}: {o.doc}", 116, initial_indent="    ",
                                      subsequent_indent="        ") for o, p in zip(options, parameters))

    def decorate(loop):
        @functools.wraps(loop)
        def run(*args, **kwargs):
            arguments = signature.bind(*args, **kwargs)
            arguments.apply_defaults()
            return loop(**arguments.arguments)

        run.__signature__ = signature
        run.__doc__ = f"{inspect.cleandoc(loop.__doc__)}\n\nOptions (sampling/options.py):\n{listing}"
        return run

    return decorate

