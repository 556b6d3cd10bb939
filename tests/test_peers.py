"""The peer registry: every peer spends the NFE it declares, the equivalences that pin our rows to k-diffusion's hold
(euler = DDIM at eta 0, euler_ancestral = DDIM at eta 1, flow euler = RFIM at eta 0), and the comparison leaves out
ComfyUI's rows with a line that says so when COMFYUI_PATH is unset."""

import pytest
import torch

from ddim_gmm.bench.peers import Peer, control_peer, gmm_peer, k_diffusion_peers, load_extra_peers, two_per_step
from ddim_gmm.sampling import sample_ddim, sample_rfim

pytest.importorskip("k_diffusion")

DIFFUSION_SIGMAS = torch.tensor([14.6, 5.0, 2.0, 0.7, 0.2, 0.03, 0.0], dtype=torch.float64)
FLOW_SIGMAS = torch.linspace(1.0, 0.0, 7, dtype=torch.float64)


def all_peers():
    peers = k_diffusion_peers()
    for kind in ("diffusion", "flow"):
        peers += [gmm_peer(kind, "ORTHO-VUB*", 0.0, 1.0, 4), control_peer(kind, "ORTHO-VUB*", 0.0, 1.0, "offsets", 4),
                  control_peer(kind, "ORTHO-VUB", 1.0, 1.0, "total", 4)]
    return peers


class Counting:
    def __init__(self):
        self.calls = 0

    def __call__(self, x, sigma, **kwargs):
        self.calls += 1
        return torch.tanh(x / (1 + sigma.view(-1, 1, 1, 1) ** 2) ** 0.5)


@pytest.mark.parametrize("peer", all_peers(), ids=lambda p: f"{p.name} ({p.kind})")
def test_peer_spends_the_nfe_it_declares_and_is_seeded(peer):
    sigmas = FLOW_SIGMAS if peer.kind == "flow" else DIFFUSION_SIGMAS
    x = torch.randn(3, 2, 4, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64) * sigmas[0]
    model = Counting()
    a = peer.call(model, x, sigmas, {"seed": 5}, 5)
    assert model.calls == peer.nfe(len(sigmas) - 1)
    assert torch.isfinite(a).all()
    assert torch.equal(a, peer.call(model, x, sigmas, {"seed": 5}, 5))


def test_steps_for_a_budget():
    heun = next(p for p in k_diffusion_peers() if p.name == "heun")
    euler = next(p for p in k_diffusion_peers() if p.name == "euler")
    assert [heun.steps_for(n) for n in (1, 5, 10, 20, 50)] == [1, 3, 5, 10, 25]
    assert [two_per_step(heun.steps_for(n)) for n in (5, 10, 20)] == [5, 9, 19]
    assert [euler.steps_for(n) for n in (5, 10)] == [5, 10]


def test_our_rows_equal_k_diffusions_where_they_are_the_same_sampler():
    peers = {(p.name, p.kind): p for p in k_diffusion_peers()}
    x = torch.randn(3, 2, 4, 4, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    model = Counting()
    ddim0 = sample_ddim(model, x * DIFFUSION_SIGMAS[0], DIFFUSION_SIGMAS, disable=True, eta=0.0)
    euler = peers["euler", "diffusion"].call(model, x * DIFFUSION_SIGMAS[0], DIFFUSION_SIGMAS, {}, 3)
    assert torch.allclose(ddim0, euler, atol=1e-12)
    ddim1 = sample_ddim(model, x * DIFFUSION_SIGMAS[0], DIFFUSION_SIGMAS, disable=True, eta=1.0, seed=3)
    ancestral = peers["euler_ancestral", "diffusion"].call(model, x * DIFFUSION_SIGMAS[0], DIFFUSION_SIGMAS, {}, 3)
    assert torch.allclose(ddim1, ancestral, atol=1e-12)
    rfim = sample_rfim(model, x, FLOW_SIGMAS, disable=True, eta=0.0)
    assert torch.allclose(rfim, peers["euler", "flow"].call(model, x, FLOW_SIGMAS, {}, 3), atol=1e-12)
    # The GMM row and its control with offsets off are DDIM / RFIM too.
    for kind, sigmas, base in (("diffusion", DIFFUSION_SIGMAS, ddim0), ("flow", FLOW_SIGMAS, rfim)):
        start = x * sigmas[0]
        assert torch.equal(gmm_peer(kind, "ORTHO-VUB*", 0.0, 0.0, 4).call(model, start, sigmas, {}, 3),
                           control_peer(kind, "ORTHO-VUB*", 0.0, 0.0, "offsets", 4).call(model, start, sigmas, {}, 3))
        assert torch.allclose(gmm_peer(kind, "ORTHO-VUB*", 0.0, 0.0, 4).call(model, start, sigmas, {}, 3), base,
                              atol=1e-12)


def test_sde_peers_differ_by_seed():
    for peer in k_diffusion_peers():
        if peer.name in ("euler_ancestral", "dpmpp_2m_sde", "dpmpp_sde", "dpmpp_3m_sde"):
            x = torch.randn(2, 1, 4, 4, generator=torch.Generator().manual_seed(2), dtype=torch.float64) * 14.6
            assert not torch.equal(peer.call(Counting(), x, DIFFUSION_SIGMAS, {}, 1),
                                   peer.call(Counting(), x, DIFFUSION_SIGMAS, {}, 2)), peer.name


def test_bad_kind_and_extra_peers_without_comfyui(monkeypatch):
    with pytest.raises(ValueError, match="kind"):
        Peer("x", "video", two_per_step, None)
    monkeypatch.delenv("COMFYUI_PATH", raising=False)
    lines = []
    assert load_extra_peers(lines.append) == []
    assert len(lines) == 1 and "COMFYUI_PATH is unset" in lines[0] and "left out" in lines[0]


class CountingPair(Counting):
    """A CFG denoiser stand-in: with_uncond gives (guided, unconditional), one call either way."""

    def __call__(self, x, sigma, with_uncond=False, **kwargs):
        guided = super().__call__(x, sigma)
        return (guided, 0.7 * guided) if with_uncond else guided


@pytest.mark.parametrize("peer", [gmm_peer("diffusion", "ORTHO-VUB*", 1.0, 1.0, 4, cfg_pp=True),
                                  control_peer("diffusion", "ORTHO-VUB*", 1.0, 1.0, "offsets", 4, cfg_pp=True),
                                  control_peer("diffusion", "ORTHO-VUB*", 1.0, 1.0, "total", 4, cfg_pp=True)],
                         ids=lambda p: p.name)
def test_cfg_pp_rows_ask_for_the_unconditional_prediction_at_one_nfe_per_step(peer):
    assert peer.cfg_pp and peer.name.endswith(" CFG++")
    x = torch.randn(3, 2, 4, 4, generator=torch.Generator().manual_seed(0), dtype=torch.float64) * 14.6
    model = CountingPair()
    out = peer.call(model, x, DIFFUSION_SIGMAS, {"seed": 5}, 5)
    assert model.calls == peer.nfe(len(DIFFUSION_SIGMAS) - 1) and out.isfinite().all()
    plain = (gmm_peer if peer.control is None else control_peer)(
        "diffusion", "ORTHO-VUB*", 1.0, 1.0, *(() if peer.control is None else (peer.control,)), 4)
    assert not torch.allclose(out, plain.call(CountingPair(), x, DIFFUSION_SIGMAS, {"seed": 5}, 5))
