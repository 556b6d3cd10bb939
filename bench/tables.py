"""The benchmarks' tables: results.csv (one row per sampler, floats to 4 significant digits) and results.md (a
markdown table), the cell formats the markdown tables share, and not_run.txt (the runs the cache lacks)."""

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


def write_tables(out, rows, columns, markdown, not_run=()):
    """results.csv (one row per sampler, the given columns), results.md (the markdown table) and not_run.txt (one
    line per sampler row left out because runs of it are not in the cache) in out."""
    with open(os.path.join(out, "results.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for r in rows:
            writer.writerow({k: fmt(r.get(k, "")) for k in columns})
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(markdown + "\n")
    with open(os.path.join(out, "not_run.txt"), "w") as f:
        f.writelines(line + "\n" for line in not_run)
