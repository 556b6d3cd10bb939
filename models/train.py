"""Trains the embedded models (seeded, CPU): `python -m ddim_gmm.models.train {ddpm,flow,classifier}`.

Each writes weights/<name>.safetensors (EMA weights for the generative models) and weights/<name>.json (config,
steps, final loss, wall time, torch version). Defaults are the shipped models' settings.
"""

import argparse
import copy
import json
import math
import os
import time

import torch
import torch.nn.functional as F
from tqdm.auto import trange

from .classifier import Classifier
from .data import N_CLASSES, load_digits_tensor, train_test_split
from .schedule import ddpm_alphas_cumprod
from .unet import UNet

# The clone's folder, also when __file__ is a link (a strict editable install links the files from build/).
WEIGHTS_DIR = os.path.join(os.path.dirname(os.path.realpath(__file__)), "weights")
DEFAULTS = {
    "ddpm": dict(steps=4000, batch=128, lr=1e-3, channels=32, label_dropout=0.1, ema=0.999, seed=0),
    "flow": dict(steps=4000, batch=128, lr=1e-3, channels=32, label_dropout=1.0, ema=0.999, seed=1),
    "classifier": dict(steps=1500, batch=128, lr=2e-3, channels=32, label_dropout=0.0, ema=0.0, seed=2),
}


def random_shift(x, generator, max_shift=1):
    """Augmentation for the classifier: translate each image by up to max_shift pixels (padding with background -1)."""
    pad = F.pad(x, (max_shift,) * 4, value=-1.0)
    size = x.shape[-1]
    offsets = torch.randint(0, 2 * max_shift + 1, (x.shape[0], 2), generator=generator)
    return torch.stack([pad[i, :, dy:dy + size, dx:dx + size] for i, (dy, dx) in enumerate(offsets.tolist())])


def lr_at(step, total, lr, warmup=200):
    # Linear warmup, then cosine decay to 10% of lr.
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def ddpm_loss(model, x0, y, generator, alphas_cumprod, label_dropout):
    """Unweighted eps loss: t ~ U{0..999}, x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, || eps_hat - eps ||^2."""
    t = torch.randint(0, len(alphas_cumprod), (x0.shape[0],), generator=generator)
    eps = torch.randn(x0.shape, generator=generator)
    abar = alphas_cumprod[t][:, None, None, None]
    x_t = abar.sqrt() * x0 + (1 - abar).sqrt() * eps
    # Label dropout: replace y by the null token n_classes with probability label_dropout (for CFG).
    drop = torch.rand(x0.shape[0], generator=generator) < label_dropout
    y = torch.where(drop, torch.full_like(y, N_CLASSES), y)
    return (model(x_t, t.float(), y) - eps).pow(2).mean()


def flow_loss(model, x0, y, generator, alphas_cumprod, label_dropout):
    """1-rectified flow: tau ~ U(0, 1), x_tau = (1 - tau) x0 + tau eps, regress v = eps - x0 (dx_tau/dtau)."""
    tau = torch.rand(x0.shape[0], generator=generator)
    eps = torch.randn(x0.shape, generator=generator)
    x_tau = (1 - tau[:, None, None, None]) * x0 + tau[:, None, None, None] * eps
    return (model(x_tau, tau, None) - (eps - x0)).pow(2).mean()


def build_model(kind, channels):
    if kind == "ddpm":
        return UNet(channels=channels, n_classes=N_CLASSES)
    if kind == "flow":
        # Unconditional, like the paper's CIFAR-10 rectified flow; tau in [0, 1] is embedded as 1000 tau.
        return UNet(channels=channels, n_classes=0, time_scale=1000.0)
    return Classifier(channels=channels)


def train(kind, steps, batch, lr, channels, label_dropout, ema, seed, out_dir=WEIGHTS_DIR, threads=2):
    from safetensors.torch import save_file

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    images, labels = load_digits_tensor()
    if kind == "classifier":
        train_idx, test_idx = train_test_split(len(images))
    else:
        # The generative models see all 1797 digits, the metrics' reference set too.
        train_idx, test_idx = torch.arange(len(images)), None
    model = build_model(kind, channels)
    ema_model = copy.deepcopy(model) if ema > 0 else model
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0 if kind != "classifier" else 1e-4)
    alphas_cumprod = ddpm_alphas_cumprod()
    losses, start = [], time.time()
    bar = trange(steps, desc=f"train {kind}")
    for step in bar:
        idx = train_idx[torch.randint(0, len(train_idx), (batch,), generator=generator)]
        x0, y = images[idx], labels[idx]
        if kind == "ddpm":
            loss = ddpm_loss(model, x0, y, generator, alphas_cumprod, label_dropout)
        elif kind == "flow":
            loss = flow_loss(model, x0, y, generator, alphas_cumprod, label_dropout)
        else:
            loss = F.cross_entropy(model(random_shift(x0, generator)), y)
        for group in opt.param_groups:
            group["lr"] = lr_at(step, steps, lr)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if ema > 0:
            with torch.no_grad():
                for p_ema, p in zip(ema_model.parameters(), model.parameters()):
                    p_ema.lerp_(p, 1 - ema)
        losses.append(loss.item())
        if step % 50 == 0:
            bar.set_postfix(loss=f"{sum(losses[-50:]) / len(losses[-50:]):.4f}")
    record = dict(kind=kind, steps=steps, batch=batch, lr=lr, channels=channels, label_dropout=label_dropout,
                  ema=ema, seed=seed, n_params=sum(p.numel() for p in model.parameters()),
                  final_loss_mean_last_100=sum(losses[-100:]) / len(losses[-100:]),
                  wall_seconds=round(time.time() - start, 1), torch=torch.__version__, threads=threads,
                  n_train=len(train_idx))
    if kind == "ddpm":
        record["schedule"] = "linear beta 0.0015 -> 0.0195 over 1000 steps (alpha-bar = cumprod(1 - beta))"
    if kind == "classifier":
        ema_model.eval()
        with torch.no_grad():
            pred = ema_model(images[test_idx]).argmax(1)
        record["n_test"] = len(test_idx)
        record["test_accuracy"] = (pred == labels[test_idx]).float().mean().item()
    os.makedirs(out_dir, exist_ok=True)
    state = {k: v.detach().contiguous() for k, v in ema_model.state_dict().items()}
    save_file(state, os.path.join(out_dir, f"{kind}.safetensors"))
    with open(os.path.join(out_dir, f"{kind}.json"), "w") as f:
        json.dump(record, f, indent=2)
    print(json.dumps(record, indent=2))
    return record


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("kind", choices=sorted(DEFAULTS))
    parser.add_argument("--out-dir", default=WEIGHTS_DIR)
    parser.add_argument("--threads", type=int, default=2)
    for key, value in DEFAULTS["ddpm"].items():
        parser.add_argument("--" + key.replace("_", "-"), type=type(value), default=None)
    args = parser.parse_args(argv)
    config = dict(DEFAULTS[args.kind])
    for key in config:
        if getattr(args, key) is not None:
            config[key] = getattr(args, key)
    if config["steps"] < 1:
        raise ValueError(f"steps must be an integer >= 1, got {config['steps']}")
    train(args.kind, out_dir=args.out_dir, threads=args.threads, **config)


if __name__ == "__main__":
    main()
