"""`python -m ddim_gmm demo` end to end on tiny settings: both grids and the quality table are written."""

import os

import pytest
import torch

pytest.importorskip("sklearn")
pytest.importorskip("PIL")


@pytest.fixture
def torch_threads():
    # The demo sets torch's thread count for the whole process, as a command should; tests run it in-process.
    threads = torch.get_num_threads()
    yield
    torch.set_num_threads(threads)


def test_demo_writes_grids_and_quality_table(tmp_path, capsys, torch_threads):
    from PIL import Image

    from ddim_gmm.cli import main

    out = str(tmp_path / "demo")
    results = main(["demo", "--out", out, "--steps", "3", "--per-digit", "1", "--n-samples", "8", "--threads", "1"])
    grid = Image.open(os.path.join(out, "grid_ddpm.png"))
    # 7 rows (DDIM + 6 presets) of 48-pixel tiles with 2-pixel gaps; 10 columns (one per digit).
    assert grid.size[1] == 7 * 50 and grid.size[0] == 170 + 10 * 50
    assert Image.open(os.path.join(out, "grid_flow.png")).size == grid.size
    with open(os.path.join(out, "quality.txt")) as f:
        table = f.read()
    assert "DDIM-GMM-ORTHO-VUB*" in table and "RFIM (flow)" in table
    assert set(results) >= {"DDIM", "DDIM-GMM-EXACT", "RFIM", "RFIM-GMM-NOISE-MATCHED"}
    assert all(r["fd"] >= 0 and 1 <= r["is"] <= 10 for r in results.values())
    assert "quality on 8 samples" in capsys.readouterr().out


def test_demo_rejects_bad_arguments(tmp_path, capsys):
    from ddim_gmm.cli import main

    for argv, message in ((["--eta", "2"], "argument --eta: must be a number in [0, 1], got '2'"),
                          (["--steps", "0"], "argument --steps: must be an integer >= 1, got '0'")):
        with pytest.raises(SystemExit) as exit_info:
            main(["demo", "--out", str(tmp_path)] + argv)
        assert exit_info.value.code == 2 and message in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
