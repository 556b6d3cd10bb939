"""Seed spreads and paired changes: every sampler of a benchmark runs on the same seeds (same initial noise, labels and
noise seeds), so a change against a baseline is taken seed by seed and then summarised by its mean and its sd over
the seeds; a gain counts only where that mean is beyond its sd."""

import math
import statistics

# Lower is better for these; higher for the rest.
LOWER_IS_BETTER = ("fd", "fd_pixels", "kid")


def spread(values):
    """Mean and sd over the seeds (sd 0 for one seed); with an infinite value (a change against a zero base) the mean
    is that infinity (nan for both signs) and the sd nan, where statistics would raise."""
    if not all(math.isfinite(v) for v in values):
        return sum(values), math.nan
    return statistics.mean(values), (statistics.stdev(values) if len(values) > 1 else 0.0)


def paired_change(values, base, relative=True):
    """Mean and sd over seeds of the per-seed change of values against base: relative, in percent (a zero base gives
    0 or an infinite change), or absolute."""
    pairs = zip(values, base)
    if relative:
        changes = [100 * (x - y) / y if y else (0.0 if x == y else math.copysign(math.inf, x - y)) for x, y in pairs]
    else:
        changes = [x - y for x, y in pairs]
    return spread(changes)


def paired(a, b, metric):
    """paired_change of row a against row b in `metric` (their `metric`_per_seed lists): relative for the distances
    (FD, pixel FD, KID), absolute for precision and recall (fractions in [0, 1], which can be 0)."""
    return paired_change(a[metric + "_per_seed"], b[metric + "_per_seed"], relative=metric in LOWER_IS_BETTER)


def verdict(row, base):
    """'gain', 'loss' or 'no difference' of row against base: a paired FD change beyond its sd over the seeds, with
    no precision or pixel-FD loss beyond its sd for a gain."""
    def beyond(metric):
        mean, sd = paired(row, base, metric)
        better = mean + sd < 0 if metric in LOWER_IS_BETTER else mean - sd > 0
        worse = mean - sd > 0 if metric in LOWER_IS_BETTER else mean + sd < 0
        return better, worse

    fd_better, fd_worse = beyond("fd")
    _, pixels_worse = beyond("fd_pixels")
    _, precision_worse = beyond("precision")
    if fd_better and not pixels_worse and not precision_worse:
        return "gain"
    if fd_worse:
        return "loss"
    if fd_better:
        return "FD gain with a pixel-FD or precision loss"
    return "no difference"
