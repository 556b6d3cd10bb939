"""The benchmarks' tables: results.csv (one row per sampler, floats to 4 significant digits) and results.md (a
markdown table), and the cell formats the markdown tables share."""

import csv
import os


def fmt(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def plus_minus(r, key, digits):
    """'mean ± sd' of row r's `key` (its sd in `key`_std), or '' where r has no `key`."""
    if key not in r:
        return ""
    return f"{r[key]:.{digits}f} ± {r[key + '_std']:.{digits}f}"


def signed(r, key, unit="%"):
    """A paired change: '+mean<unit> ± sd' of row r's `key`, one decimal."""
    return f"{r[key]:+.1f}{unit} ± {r[key + '_std']:.1f}"


def write_tables(out, rows, columns, markdown):
    """results.csv (one row per sampler, the given columns) and results.md (the markdown table) in out."""
    with open(os.path.join(out, "results.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for r in rows:
            writer.writerow({k: fmt(r.get(k, "")) for k in columns})
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(markdown + "\n")
