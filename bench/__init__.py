"""Benchmarks: `python -m ddim_gmm bench quality` (sample quality, the paper's comparison) and `bench speed`."""
