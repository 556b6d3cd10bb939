"""`bench compare`: runs end to end at tiny sizes, spends the NFE it reports, pairs each GMM row with its control, and
calls a cell a gain only beyond the seed spread without a precision or pixel-FD loss."""

import json
import os

import pytest

from ddim_gmm.bench.verdict import verdict

pytest.importorskip("k_diffusion")
pytest.importorskip("sklearn")


def row(fd, pixels, precision):
    return {"fd_per_seed": fd, "fd_pixels_per_seed": pixels, "precision_per_seed": precision}


def test_verdict_needs_a_change_beyond_the_spread_and_no_loss_elsewhere():
    base = row([100, 110, 90], [10, 11, 9], [0.5, 0.5, 0.5])
    assert verdict(row([90, 99, 81], [10, 11, 9], [0.5, 0.5, 0.5]), base) == "gain"
    # The same FD gain with pixel FD 10 % worse on every seed: not a gain.
    assert verdict(row([90, 99, 81], [11, 12.1, 9.9], [0.5, 0.5, 0.5]), base) == \
        "FD gain with a pixel-FD or precision loss"
    assert verdict(row([90, 99, 81], [10, 11, 9], [0.4, 0.4, 0.4]), base) == \
        "FD gain with a pixel-FD or precision loss"
    # -10 %, +10 %, 0 %: inside the spread.
    assert verdict(row([90, 121, 90], [10, 11, 9], [0.5, 0.5, 0.5]), base) == "no difference"
    assert verdict(row([110, 121, 99], [10, 11, 9], [0.5, 0.5, 0.5]), base) == "loss"


def test_bench_compare_runs_end_to_end(tmp_path, monkeypatch, capsys):
    from ddim_gmm.cli import main

    monkeypatch.delenv("COMFYUI_PATH", raising=False)
    out = str(tmp_path / "compare")
    gmm = "DDIM-GMM-ORTHO-VUB* eta 0 s 1"
    argv = ["bench", "compare", "--out", out, "--nfe", "3", "--cfg", "2.5", "--flow-nfe", "3", "--extra-cells", "2:5",
            "--extra-peers", "euler", "--peers", f"euler,heun,{gmm},DDIM-CONTROL ortho offsets eta 0 s 1,"
            "RFIM-GMM-ORTHO-VUB* eta 0 s 1,RFIM-CONTROL ortho offsets eta 0 s 1",
            "--gmm", "ORTHO-VUB*:0:1", "--flow-gmm", "ORTHO-VUB*:0:1", "--seeds", "2", "--n-samples", "12",
            "--threads", "1"]
    rows = main(argv)
    assert "COMFYUI_PATH is unset" in capsys.readouterr().out
    for name in ("cells.jsonl", "results.csv", "results.md", "quality_vs_nfe.png", "runs.jsonl"):
        assert os.path.getsize(os.path.join(out, name)) > 0, name
    cells = {(r["setting"], r["cfg"], r["nfe"], r["sampler"]): r for r in rows}
    # heun fits 2 steps (3 NFE) into a budget of 3; the extra cell runs euler only.
    assert cells["ddpm", 2.5, 3, "heun"]["steps"] == 2 and cells["ddpm", 2.5, 3, "heun"]["nfe_used"] == 3
    assert cells["flow", 0.0, 3, "heun"]["nfe_used"] == 3
    assert {k[3] for k in cells if k[:3] == ("ddpm", 5.0, 2)} == {"euler"}
    ours = cells["ddpm", 2.5, 3, gmm]
    assert "fd_vs_ddim" in cells["ddpm", 2.5, 3, "DDIM-CONTROL ortho offsets eta 0 s 1"]
    for key in ("fd_vs_control", "fd_pixels_vs_control", "precision_vs_control", "verdict_vs_control",
                "fd_vs_ddim", "precision", "recall", "kid"):
        assert key in ours, key
    # Resumes from the cache: nothing runs again.
    with open(os.path.join(out, "cells.jsonl")) as f:
        n_cached = sum(1 for _ in f)
    main(argv + ["--cached-only"])
    with open(os.path.join(out, "cells.jsonl")) as f:
        assert sum(1 for _ in f) == n_cached
    with open(os.path.join(out, "runs.jsonl")) as f:
        assert [json.loads(line)["cached_only"] for line in f] == [False, True]
    # Rows cached by another run (e.g. ComfyUI's samplers in their own directory) join with --include.
    other = str(tmp_path / "other")
    main(["bench", "compare", "--out", other, "--settings", "ddpm", "--nfe", "3", "--cfg", "2.5", "--peers",
          "dpmpp_2m,euler", "--seeds", "2", "--n-samples", "12", "--threads", "1"])
    merged = main(argv + ["--cached-only", "--include", other])
    sources = {r["sampler"]: r["source"] for r in merged if (r["setting"], r["cfg"], r["nfe"]) == ("ddpm", 2.5, 3)}
    assert sources["dpmpp_2m"] == f"from {other}" and sources["euler"] == "k-diffusion"


def test_bench_compare_runs_the_cfg_pp_rows_where_there_is_guidance(tmp_path, monkeypatch):
    from ddim_gmm.cli import main

    monkeypatch.delenv("COMFYUI_PATH", raising=False)
    gmm, control = "DDIM-GMM-ORTHO-VUB* eta 1 s 1 CFG++", "DDIM-CONTROL of ORTHO-VUB* eta 1 s 1 CFG++"
    rows = main(["bench", "compare", "--out", str(tmp_path / "cfg_pp"), "--settings", "ddpm", "--nfe", "3", "--cfg",
                 "0,1", "--gmm", "", "--gmm-cfg-pp", "ORTHO-VUB*:1:1", "--peers", f"{gmm},{control}", "--seeds", "2",
                 "--n-samples", "12", "--threads", "1"])
    cells = {(r["cfg"], r["sampler"]): r for r in rows}
    # Not at cfg 0 (no guidance: CFG++ is the plain row); at cfg 1 the row and its CFG++ control, paired.
    assert set(cells) == {(1.0, gmm), (1.0, control)}
    assert cells[1.0, gmm]["cfg_pp"] and "verdict_vs_control" in cells[1.0, gmm]


def test_included_rows_serve_only_the_current_stream_version(tmp_path):
    # A cache another folder keeps can hold runs of an older stream (issue 19's chunk seeds bumped the stochastic
    # samplers): --include must not serve them as current rows.
    from ddim_gmm.bench.compare import included_rows
    from ddim_gmm.bench.streams import stream_version

    other = tmp_path / "other"
    other.mkdir()
    metrics = dict(fd=1.0, fd_pixels=1.0, precision=0.5, recall=0.5, kid=1.0, is_=1.0, nfe_used=3, seconds=1.0)

    def line(name, version, seed, fd):
        key = json.dumps(["ddpm", 2.5, 3, name, "diffusion", version, 3, seed, 12])
        return json.dumps({"key": key, "metrics": dict(metrics, fd=fd)}) + "\n"
    current = stream_version("dpmpp_2m_sde")
    with open(other / "cells.jsonl", "w") as f:
        f.writelines([line("dpmpp_2m_sde", current - 1, s, 9.0) for s in range(2)]
                     + [line("euler_ancestral", stream_version("euler_ancestral") - 1, s, 9.0) for s in range(2)]
                     + [line("dpmpp_2m_sde", current, s, 2.0) for s in range(2)]
                     + [line("euler", stream_version("euler"), s, 3.0) for s in range(2)])
    rows = {r["sampler"]: r for r in included_rows(str(other), [], 2, 12)}
    assert set(rows) == {"dpmpp_2m_sde", "euler"}
    assert rows["dpmpp_2m_sde"]["fd_per_seed"] == [2.0, 2.0]
