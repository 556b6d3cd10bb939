"""The short soak (bench/host/soak.py) through a real ComfyUI server: every dropdown name and node preset once, a short
queue, the first prompt again (same bytes), bad values refused naming their input while the server keeps serving, and
an /interrupt mid-run followed by a prompt that succeeds. The long run with its memory figures is `bench soak`."""

import os

import pytest

from ddim_gmm.bench.host.soak import CHECKPOINT, run_soak, write_markdown

COMFYUI_PATH = os.environ.get("COMFYUI_PATH")
pytestmark = pytest.mark.skipif(
    not COMFYUI_PATH, reason="ComfyUI host tests need COMFYUI_PATH=/path/to/ComfyUI (a checkout whose requirements "
                             "are installed in this venv)")


def test_short_soak_through_a_real_server(tmp_path, random_sd15):
    checkpoints = tmp_path / "base" / "models" / "checkpoints"
    checkpoints.mkdir(parents=True)
    os.symlink(random_sd15, checkpoints / CHECKPOINT)  # run_soak writes one only where none is
    r = run_soak(COMFYUI_PATH, tmp_path / "base", n_prompts=3, steps=2, progress=lambda text: None)
    assert r["dropdown_names"] == ["ddim_gmm", "ddim_gmm_ortho_vub", "ddim_gmm_ortho", "ddim_gmm_rand",
                                   "ddim_gmm_exact", "ddim_gmm_noise_matched", "ddim_gmm_cfg_pp"]
    assert {"custom", "ORTHO-VUB*", "EXACT", "NOISE-MATCHED"} <= set(r["node_presets"])
    total = r["warmup_prompts"] + r["queued_prompts"]
    assert r["warmup_prompts"] == len(r["dropdown_names"]) + len(r["node_presets"]) and r["queued_prompts"] == 3
    assert (r["prompts_finished"], r["failures"]) == (total, 0), r["failure_details"]
    assert r["same_image_bytes_at_start_and_end"]
    assert r["interrupt"]["interrupted"] and r["interrupt"]["next_prompt"] == "success"
    assert [b["value"].split(" >")[0] for b in r["bad_values"]] == [
        "eta 2", "n_components 0", "unknown preset", "unknown sampler name", "n_components 300"]
    for bad in r["bad_values"]:
        assert bad["refused"] != "NOT REFUSED" and bad["names_input"], bad
    assert r["bad_values"][-1]["refused"] == "when run"  # passes validation, our sampler refuses it naming the input
    assert r["server_alive_at_end"]
    # Loose here (a few prompts); the long run's growth is the figure in the README.
    assert abs(r["rss_growth_mib"]) < 64
    write_markdown(tmp_path / "soak.md", r)
    assert "| failures | 0 |" in (tmp_path / "soak.md").read_text()
