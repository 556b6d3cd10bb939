"""The benchmarks' one kind of figure: a grid of panels, each a metric against steps or NFE on a log axis, one line
with error bars (sd over seeds) per sampler."""


def pyplot():
    """matplotlib.pyplot on the Agg backend (files only, no display)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot(path, grid, panel_size, dpi, sharey=False, title=None, legend="panel"):
    """Draws `grid` (rows of panels) into the PNG `path`.

    A panel is a dict: lines [(label, points [(x, y, sd)], errorbar style)], xticks (the x values to label),
    optionally hlines [(y, label)] (dotted grey reference lines), title, xlabel, ylabel, ylabel_size and log_y.
    panel_size: (width, height) of one panel in inches. legend: "panel" (in the top-right panel) or "figure" (every
    label once, below the panels).
    """
    plt = pyplot()
    n_rows, n_cols = len(grid), len(grid[0])
    fig, axes = plt.subplots(n_rows, n_cols, figsize=(panel_size[0] * n_cols, panel_size[1] * n_rows), squeeze=False,
                             sharey=sharey)
    for row_axes, row in zip(axes, grid):
        for ax, panel in zip(row_axes, row):
            for label, points, style in panel["lines"]:
                if not points:
                    continue
                xs, ys, es = zip(*points)
                ax.errorbar(xs, ys, yerr=es, capsize=2, label=label, **style)
            for y, label in panel.get("hlines", ()):
                ax.axhline(y, ls=":", color="gray", lw=1, label=label)
            ax.set_xscale("log")
            ax.set_xticks(panel["xticks"], [str(n) for n in panel["xticks"]])
            ax.minorticks_off()
            if panel.get("log_y"):
                ax.set_yscale("log")
            if panel.get("title"):
                ax.set_title(panel["title"])
            if panel.get("xlabel"):
                ax.set_xlabel(panel["xlabel"])
            if panel.get("ylabel"):
                size = panel.get("ylabel_size")
                ax.set_ylabel(panel["ylabel"], **({} if size is None else {"fontsize": size}))
    if title:
        fig.suptitle(title)
    if legend == "panel":
        axes[0][-1].legend(fontsize=6)
        fig.tight_layout()
    else:
        handles = {}
        for ax in axes.flat:
            for h, lab in zip(*ax.get_legend_handles_labels()):
                handles.setdefault(lab, h)
        fig.legend(list(handles.values()), list(handles.keys()), loc="lower center", ncol=4, fontsize=7)
        fig.tight_layout(rect=(0, 0.04 + 0.012 * (len(handles) // 4), 1, 1))
    fig.savefig(path, dpi=dpi)
    plt.close(fig)


def distinct_styles(names):
    """name -> errorbar colour and marker, every name its own: 40 distinct colours (tab20, then tab20b) and 10
    markers."""
    plt = pyplot()
    colours = [plt.get_cmap("tab20")(i) for i in range(20)] + [plt.get_cmap("tab20b")(i) for i in range(20)]
    return {name: dict(color=colours[i % 40], marker="osD^v<>ph*"[i % 10]) for i, name in enumerate(names)}
