"""Benchmarks (`python -m ddim_gmm bench ...`): one module per command, over a shared library.

Commands: quality (the paper's comparison, s chosen per cell), compare (every sampler at equal NFE), comfy_peers
(ComfyUI's samplers through ComfyUI's full path), sde_mixture (an SDE sampler's noise swapped for the mixture), speed
(the sampler's own cost); host/ holds the ComfyUI host tooling (a server runner, random checkpoints, the soak).

Library: harness (seeded inputs, the run cache, one run of a sampler on one seed), verdict (seed spreads and paired
changes), tables (CSV and markdown), plots (the one figure kind), metrics, peers (the samplers compared), streams (the
stream versions in the cache keys), comfy_sampling (ComfyUI's sampling path for the embedded models). A command
imports only from the library, never from another command.
"""
