"""scikit-learn's bundled digits (1797 8x8 images, 10 classes; installed with the package, never downloaded),
upsampled to 16x16 and scaled to [-1, 1]."""

import torch
import torch.nn.functional as F

SIZE = 16
N_CLASSES = 10
# Held-out split for the classifier: a fixed permutation, the last 20% never seen in training.
SPLIT_SEED = 0
TEST_FRACTION = 0.2


def load_digits_tensor(size=SIZE):
    """(images (N, 1, size, size) float32 in [-1, 1], labels (N,) int64), all 1797 digits in the dataset's order."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    # Pixel values are 0..16; bilinear upsampling keeps them in range, then [0, 16] -> [-1, 1].
    images = torch.tensor(bunch.images, dtype=torch.float32)[:, None] / 16.0
    if size != images.shape[-1]:
        images = F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False)
    images = images.clamp(0, 1) * 2 - 1
    return images, torch.tensor(bunch.target, dtype=torch.int64)


def train_test_split(n):
    """Indices (train, test) of a fixed seeded split of n items."""
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(SPLIT_SEED))
    n_test = int(round(n * TEST_FRACTION))
    return perm[n_test:], perm[:n_test]
