"""A small UNet for 16x16 single-channel images: two resolutions plus a 4x4 middle, time and (optional) class
embeddings added in every residual block. About 0.4 M parameters."""

import math

import torch
import torch.nn.functional as F
from torch import nn


def timestep_embedding(t, dim):
    """Sinusoidal embedding of (possibly fractional) timesteps t (B,), as in DDPM: [cos(t w_i), sin(t w_i)]."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


class ResBlock(nn.Module):
    def __init__(self, c_in, c_out, emb_dim):
        super().__init__()
        self.norm1 = nn.GroupNorm(8, c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.emb = nn.Linear(emb_dim, c_out)
        self.norm2 = nn.GroupNorm(8, c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()

    def forward(self, x, emb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.emb(emb)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


class UNet(nn.Module):
    """eps(x, t, y) or v(x, t, y): x (B, 1, 16, 16), t (B,) timesteps (float allowed), y (B,) labels with
    y == n_classes meaning "no label" (the classifier-free-guidance null token). n_classes = 0: unconditional."""

    def __init__(self, channels=32, n_classes=10, emb_dim=128, time_scale=1.0):
        super().__init__()
        c = channels
        self.n_classes, self.time_scale, self.emb_dim = n_classes, time_scale, emb_dim
        self.time_mlp = nn.Sequential(nn.Linear(emb_dim, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        self.label_emb = nn.Embedding(n_classes + 1, emb_dim) if n_classes > 0 else None
        self.conv_in = nn.Conv2d(1, c, 3, padding=1)
        self.down1 = ResBlock(c, c, emb_dim)            # 16x16
        self.pool1 = nn.Conv2d(c, 2 * c, 3, stride=2, padding=1)
        self.down2 = ResBlock(2 * c, 2 * c, emb_dim)    # 8x8
        self.pool2 = nn.Conv2d(2 * c, 2 * c, 3, stride=2, padding=1)
        self.mid = ResBlock(2 * c, 2 * c, emb_dim)      # 4x4
        self.up2 = ResBlock(4 * c, 2 * c, emb_dim)      # 8x8, with the skip
        self.up1 = ResBlock(3 * c, c, emb_dim)          # 16x16, with the skip
        self.norm_out = nn.GroupNorm(8, c)
        self.conv_out = nn.Conv2d(c, 1, 3, padding=1)

    def forward(self, x, t, y=None):
        emb = self.time_mlp(timestep_embedding(t * self.time_scale, self.emb_dim))
        if self.label_emb is not None:
            if y is None:
                y = torch.full((x.shape[0],), self.n_classes, dtype=torch.long, device=x.device)
            emb = emb + self.label_emb(y)
        h0 = self.conv_in(x)
        h1 = self.down1(h0, emb)
        h2 = self.down2(self.pool1(h1), emb)
        h = self.mid(self.pool2(h2), emb)
        h = F.interpolate(h, scale_factor=2, mode="nearest")
        h = self.up2(torch.cat([h, h2], dim=1), emb)
        h = F.interpolate(h, scale_factor=2, mode="nearest")
        h = self.up1(torch.cat([h, h1], dim=1), emb)
        return self.conv_out(F.silu(self.norm_out(h)))
