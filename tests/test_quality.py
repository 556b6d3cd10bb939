"""The quality metrics and the bench: Frechet distance and IS analogue compute what they say, the exact denoiser is
the posterior mean, and `bench quality --quick` runs end to end (tiny sizes), writes its files and resumes."""

import csv
import os

import pytest
import torch

from ddim_gmm.bench.metrics import GaussianMixtureData, digits_mixture, frechet_distance, inception_score, moments

pytest.importorskip("sklearn")


def test_frechet_distance_matches_the_matrix_square_root_formula():
    linalg = pytest.importorskip("scipy.linalg")
    gen = torch.Generator().manual_seed(0)
    a, b = torch.randn(200, 6, generator=gen, dtype=torch.float64), torch.randn(300, 6, generator=gen,
                                                                               dtype=torch.float64)
    b = b @ torch.randn(6, 6, generator=gen, dtype=torch.float64) + 0.5
    (mu1, c1), (mu2, c2) = moments(a), moments(b)
    root = linalg.sqrtm(c1.numpy() @ c2.numpy()).real
    expected = float(((mu1 - mu2) ** 2).sum() + torch.trace(c1) + torch.trace(c2) - 2 * root.trace())
    assert frechet_distance(mu1, c1, mu2, c2) == pytest.approx(expected, rel=1e-8)
    assert frechet_distance(mu1, c1, mu1, c1) == pytest.approx(0.0, abs=1e-9)


def test_inception_score_bounds():
    assert inception_score(torch.full((50, 10), 0.1)) == pytest.approx(1.0)
    assert inception_score(torch.eye(10).repeat(5, 1)) == pytest.approx(10.0, rel=1e-6)


def test_exact_denoiser_is_the_posterior_mean():
    # Tweedie: E[x0 | x] = x + sigma^2 grad log p(x) for x = x0 + sigma z; p is the noised mixture, known exactly.
    gen = torch.Generator().manual_seed(1)
    data = GaussianMixtureData(torch.randn(3, 5, generator=gen, dtype=torch.float64) * 2, 0.3,
                               torch.tensor([0.2, 0.3, 0.5]))
    x = torch.randn(7, 5, generator=gen, dtype=torch.float64) * 2
    sigma = torch.full((7,), 0.8, dtype=torch.float64)
    x.requires_grad_(True)
    total = data.variance + 0.8 ** 2
    sq = (x[:, None, :] - data.means[None]).pow(2).sum(-1)
    log_p = torch.logsumexp(data.weights.log() - sq / (2 * total), dim=1).sum()
    (grad,) = torch.autograd.grad(log_p, x)
    expected = x.detach() + 0.8 ** 2 * grad
    assert torch.allclose(data.denoise(x.detach(), torch.ones_like(sigma), sigma), expected, atol=1e-10)
    # Flow parametrisation x = (1 - tau) x0 + tau z is the same posterior at sigma = tau / (1 - tau).
    tau = torch.full((7,), 0.4, dtype=torch.float64)
    flow = data.denoise((1 - tau[:, None]) * x.detach(), 1 - tau, tau)
    assert torch.allclose(flow, data.denoise(x.detach(), torch.ones_like(tau), tau / (1 - tau)), atol=1e-10)


def test_exact_setting_frechet_distance_is_near_zero_on_true_samples():
    from ddim_gmm.models.data import load_digits_tensor

    images, labels = load_digits_tensor()
    data = digits_mixture(images, labels)
    gen = torch.Generator().manual_seed(0)
    true = data.metrics(data.sample(1797, gen))
    # Measured: 0.54 (the finite-sample bias of 1797 samples in 256 dimensions); the real digits, which are not
    # drawn from the mixture, score 18.5, and a 10% wider spread 1.87.
    assert true["fd"] < 1.0
    assert data.metrics(data.sample(1797, gen) * 1.1)["fd"] > 2 * true["fd"]
    assert data.metrics(images)["fd"] > 10
    assert true["is"] > 9.5  # ten well separated, equally likely components


def test_bench_quality_quick_runs_end_to_end_and_resumes(tmp_path):
    from ddim_gmm.cli import main

    out = str(tmp_path / "bench")
    argv = ["bench", "quality", "--quick", "--out", out, "--steps", "2", "--flow-steps", "2", "--seeds", "2",
            "--n-samples", "12", "--n-select", "6", "--s-values", "0.1,1", "--presets", "ORTHO-VUB*,NOISE-MATCHED",
            "--ddpm-line-samples", "3", "--threads", "1"]
    rows = main(argv)
    for name in ("cells.jsonl", "results.csv", "results.md", "quality_ddpm_cfg2.5.png", "quality_flow.png",
                 "quality_exact.png"):
        assert os.path.getsize(os.path.join(out, name)) > 0, name
    samplers = {(r["setting"], r["sampler"]) for r in rows}
    assert ("ddpm", "DDIM") in samplers and ("ddpm", "DDIM-GMM-ORTHO-VUB*") in samplers
    assert ("flow", "RFIM-GMM-NOISE-MATCHED") in samplers and ("exact", "DDIM") in samplers
    assert ("ddpm", "DDPM") in samplers  # the 1000-step line
    chosen = [r for r in rows if r["sampler"].endswith("ORTHO-VUB*")]
    assert all(r["s"] in (0.1, 1.0) for r in chosen)
    with open(os.path.join(out, "results.csv")) as f:
        assert len(list(csv.DictReader(f))) == len(rows)
    with open(os.path.join(out, "cells.jsonl")) as f:
        n_cells = len(f.readlines())
    # A second run finds every cell in the cache: nothing is recomputed and the numbers are the same.
    again = main(argv)
    with open(os.path.join(out, "cells.jsonl")) as f:
        assert len(f.readlines()) == n_cells
    assert [r["fd"] for r in again] == [r["fd"] for r in rows]
    # --cached-only runs nothing: a step count never run is listed as missing, the finished rows are reported as is.
    report = main(argv + ["--cached-only", "--steps", "2,3"])
    with open(os.path.join(out, "cells.jsonl")) as f:
        assert len(f.readlines()) == n_cells
    assert [r["fd"] for r in report if r["steps"] != 3] == [r["fd"] for r in rows]
    with open(os.path.join(out, "not_run.txt")) as f:
        assert "steps=3" in f.read()


def test_bench_quality_rejects_bad_settings(tmp_path):
    from ddim_gmm.cli import main

    with pytest.raises(ValueError, match="etas must lie in"):
        main(["bench", "quality", "--out", str(tmp_path), "--etas", "1.5"])
    with pytest.raises(ValueError, match="preset must be one of"):
        main(["bench", "quality", "--out", str(tmp_path), "--presets", "NOPE"])


def test_cache_serves_a_run_only_under_its_sampler_stream_version(tmp_path):
    import json

    from ddim_gmm.bench.harness import Cache
    from ddim_gmm.bench.quality import cell_key, versioned_key
    from ddim_gmm.bench.streams import LEGACY_VERSION, stream_version

    path = str(tmp_path / "cells.jsonl")
    legacy = {name: json.dumps(["ddpm", name, 10, 0.0, 2.5, 1.0, 0, 500, 8])
              for name in ("DDIM", "DDIM-GMM-ORTHO-VUB*", "DDIM-GMM-RAND")}
    with open(path, "w") as f:
        f.writelines(json.dumps({"key": key, "metrics": {"fd": 1.0}}) + "\n" for key in legacy.values())
    cache = Cache(path, cached_only=True, upgrade=versioned_key)
    served = {name: cache.get_or_run(cell_key("ddpm", name, 10, 0.0, 2.5, 1.0, 0, 500, 8), None) for name in legacy}
    # Legacy rows were made by version-1 streams: the per-step presets (version 2: component indices drawn once per
    # run) and, since issue 19's chunk seeds (bench.streams' History), every sampler that draws noise or a mixture
    # must run again; DDIM at eta 0 draws none and keeps them.
    assert served == {name: {"fd": 1.0} if stream_version(name, 0.0) == LEGACY_VERSION else None for name in legacy}
    assert served == {"DDIM": {"fd": 1.0}, "DDIM-GMM-ORTHO-VUB*": None, "DDIM-GMM-RAND": None}
    assert stream_version("DDIM", 0.5) > LEGACY_VERSION
    with open(path) as f:
        assert all(len(json.loads(json.loads(line)["key"])) == 10 for line in f)
    # A row under the sampler's current version is served.
    current = cell_key("ddpm", "DDIM", 10, 0.5, 2.5, 1.0, 0, 500, 8)
    with open(path, "a") as f:
        f.write(json.dumps({"key": current, "metrics": {"fd": 2.0}}) + "\n")
    cache = Cache(path, cached_only=True, upgrade=versioned_key)
    assert cache.get_or_run(cell_key("ddpm", "DDIM", 10, 0.5, 2.5, 1.0, 0, 500, 8), None) == {"fd": 2.0}


def test_bench_quality_controls_run_each_preset_s_control_on_the_same_seeds(tmp_path):
    from ddim_gmm.bench.quality import control_of
    from ddim_gmm.bench.streams import stream_version
    from ddim_gmm.cli import main

    assert control_of("DDIM-GMM-ORTHO-VUB*") == "DDIM-CONTROL-ORTHO-VUB*"
    assert stream_version("RFIM-CONTROL-EXACT") == stream_version("DDIM-CONTROL-ORTHO")
    out = str(tmp_path / "bench")
    rows = main(["bench", "quality", "--quick", "--out", out, "--settings", "ddpm", "--steps", "2", "--seeds", "2",
                 "--n-samples", "12", "--n-select", "6", "--s-values", "0.1,1", "--presets", "ORTHO-VUB*,NOISE-MATCHED",
                 "--ddpm-line-samples", "0", "--threads", "1", "--controls"])
    by_name = {r["sampler"]: r for r in rows}
    gmm, control = by_name["DDIM-GMM-ORTHO-VUB*"], by_name["DDIM-CONTROL-ORTHO-VUB*"]
    assert control["s"] == gmm["s"] and control["seeds"] == 2
    assert "fd_vs_control_pct" in gmm and "fd_pixels_vs_control_pct" in gmm
    assert "DDIM-CONTROL-NOISE-MATCHED" not in by_name  # no s to match: NOISE-MATCHED has no constant-s control
