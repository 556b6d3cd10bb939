"""The paper's variants as named presets of the one kernel: name -> options, read by nodes, benchmarks and docs."""

from typing import Literal, TypedDict


class PresetOptions(TypedDict, total=False):
    """The options a preset sets (the samplers' keywords of the same names and types)."""

    offsets: Literal["ortho", "rand"]
    covariance: Literal["diag", "vub", "exact"]
    share_offsets: bool
    offset_schedule: Literal["constant", "noise_matched"]


# Variant suffix -> kernel options (the paper's Sections 3.1 and A.9; EXACT and NOISE-MATCHED are ours).
VARIANTS: dict[str, PresetOptions] = {
    "RAND": PresetOptions(offsets="rand", covariance="diag", share_offsets=False),
    "ORTHO": PresetOptions(offsets="ortho", covariance="diag", share_offsets=False),
    "ORTHO-VUB": PresetOptions(offsets="ortho", covariance="vub", share_offsets=False),
    "ORTHO-VUB*": PresetOptions(offsets="ortho", covariance="vub", share_offsets=True),
    "EXACT": PresetOptions(offsets="ortho", covariance="exact", share_offsets=True),
    "NOISE-MATCHED": PresetOptions(offsets="ortho", covariance="exact", share_offsets=True,
                                   offset_schedule="noise_matched"),
}

# Full names, e.g. "DDIM-GMM-ORTHO-VUB*" or "RFIM-GMM-EXACT": DDIM-GMM for diffusion, RFIM-GMM for flow models.
PRESETS: dict[str, PresetOptions] = {f"{family}-{variant}": PresetOptions(**options)
                                     for family in ("DDIM-GMM", "RFIM-GMM") for variant, options in VARIANTS.items()}


def preset_options(name: str) -> PresetOptions:
    """A copy of the options of preset `name` (a full name or a bare variant such as "ORTHO-VUB*")."""
    options = PRESETS.get(name, VARIANTS.get(name)) if isinstance(name, str) else None
    if options is None:
        raise ValueError(f"preset must be one of {', '.join(PRESETS)} (or a bare variant {', '.join(VARIANTS)}), "
                         f"got {name!r}")
    return PresetOptions(**options)
