"""Sample-quality metrics without Inception: Frechet distance in a feature space (FID's formula), the Inception-Score
analogue from a label oracle, the classification rate; and an exact-denoiser toy (a Gaussian mixture whose posterior
mean is known in closed form) to measure the sampler's own error with no network at all."""

import math

import torch


def moments(features):
    """(mean, covariance) of (N, d) features in float64 (unbiased covariance, as FID's numpy.cov)."""
    f = features.double()
    mu = f.mean(0)
    centered = f - mu
    return mu, centered.T @ centered / (f.shape[0] - 1)


def _sqrtm_psd(matrix):
    vals, vecs = torch.linalg.eigh(matrix)
    return (vecs * vals.clamp(min=0).sqrt()) @ vecs.T


def frechet_distance(mu1, cov1, mu2, cov2):
    """FID's formula: ||mu1 - mu2||^2 + tr(S1 + S2 - 2 (S1 S2)^{1/2}).

    tr (S1 S2)^{1/2} = tr (S1^{1/2} S2 S1^{1/2})^{1/2}: the inner matrix is symmetric PSD, so eigh suffices."""
    root1 = _sqrtm_psd(cov1)
    cross = _sqrtm_psd(root1 @ cov2 @ root1)
    value = (mu1 - mu2).pow(2).sum() + torch.trace(cov1) + torch.trace(cov2) - 2 * torch.trace(cross)
    return float(value.clamp(min=0))


def inception_score(probs):
    """IS analogue: exp(E_x KL(p(y|x) || p(y))), p(y) the mean prediction; from 1 (useless) to n_classes (ideal)."""
    p = probs.double().clamp(min=1e-12)
    marginal = p.mean(0, keepdim=True)
    return float(torch.exp((p * (p.log() - marginal.log())).sum(1).mean()))


@torch.no_grad()
def classifier_outputs(classifier, images, batch=1024):
    """(features (N, d), probabilities (N, classes)) of images in [-1, 1]; samples are clipped to that range first,
    as an image written to disk would be."""
    feats, probs = [], []
    for chunk in images.clamp(-1, 1).split(batch):
        f = classifier.features(chunk)
        feats.append(f)
        probs.append(torch.softmax(classifier.head(f), dim=1))
    return torch.cat(feats), torch.cat(probs)


def kth_neighbour_radii(features, k=3):
    """Distance of each row to its k-th nearest other row (Kynkaanniemi et al. 2019: the radius of its ball)."""
    d = torch.cdist(features, features)
    # The 0-th neighbour is the point itself (distance 0).
    return d.kthvalue(k + 1, dim=1).values


def precision_recall(real, fake, k=3):
    """Improved precision and recall (Kynkaanniemi et al. 2019) of (N, d) fake features against (M, d) real ones.

    The real manifold is the union of balls around the real points with radius the distance to their k-th nearest real
    neighbour; precision is the fraction of fake points inside it (fidelity). Recall swaps the roles: the fraction of
    real points inside the fake manifold (diversity).
    """
    real, fake = real.double(), fake.double()

    def inside(points, centres, radii):
        return (torch.cdist(points, centres) <= radii[None, :]).any(1).double().mean()

    return (float(inside(fake, real, kth_neighbour_radii(real, k))),
            float(inside(real, fake, kth_neighbour_radii(fake, k))))


def kernel_inception_distance(real, fake):
    """KID (Binkowski et al. 2018): the unbiased MMD^2 between (M, d) real and (N, d) fake features with the cubic
    polynomial kernel k(x, y) = (x.y / d + 1)^3, on all points at once (our sets are small)."""
    real, fake = real.double(), fake.double()
    dim = real.shape[1]

    def kernel(a, b):
        return (a @ b.T / dim + 1) ** 3

    def mean_off_diagonal(kxx):
        n = kxx.shape[0]
        return (kxx.sum() - kxx.diagonal().sum()) / (n * (n - 1))

    return float(mean_off_diagonal(kernel(real, real)) + mean_off_diagonal(kernel(fake, fake))
                 - 2 * kernel(real, fake).mean())


def image_metrics(classifier, images, reference_moments, labels=None, pixel_moments=None, reference_features=None):
    """fd (Frechet distance in the classifier's features vs the real digits), is (IS analogue), and, given the
    conditioning labels, class_rate (fraction classified as their label); given the real digits' pixel moments,
    fd_pixels (the same distance on the raw 256 pixels: a classifier trained on clean digits can score noisy samples
    as close to the data, raw pixels cannot, so the two together tell added diversity from added noise); given the
    real digits' features, precision and recall (k = 3) and kid in the same features."""
    feats, probs = classifier_outputs(classifier, images)
    out = {"fd": frechet_distance(*moments(feats), *reference_moments), "is": inception_score(probs)}
    if reference_features is not None:
        out["precision"], out["recall"] = precision_recall(reference_features, feats)
        out["kid"] = kernel_inception_distance(reference_features, feats)
    if labels is not None:
        out["class_rate"] = float((probs.argmax(1) == labels).double().mean())
    if pixel_moments is not None:
        out["fd_pixels"] = frechet_distance(*moments(images.clamp(-1, 1).flatten(1)), *pixel_moments)
    return out


class GaussianMixtureData:
    """x0 ~ sum_j w_j N(m_j, v I) in D dims: the exact-denoiser setting.

    For x = a x0 + b z (diffusion: a = 1, b = sigma; flow: a = 1 - tau, b = tau) the posterior is again a mixture:
    responsibilities r_j(x) proportional to w_j N(x; a m_j, (a^2 v + b^2) I) and
    E[x0 | x, j] = m_j + a v / (a^2 v + b^2) (x - a m_j), so E[x0 | x] = sum_j r_j(x) E[x0 | x, j] is the ideal
    denoiser. The data moments are known in closed form too.
    """

    def __init__(self, means, variance, weights=None):
        if variance <= 0:
            raise ValueError(f"variance must be > 0, got {variance!r}")
        self.means = means.double()                                        # (J, D)
        n = self.means.shape[0]
        self.weights = torch.full((n,), 1.0 / n, dtype=torch.float64) if weights is None else weights.double()
        self.variance = float(variance)

    @property
    def dim(self):
        return self.means.shape[1]

    def sample(self, n, generator):
        comp = torch.multinomial(self.weights, n, replacement=True, generator=generator)
        noise = torch.randn(n, self.dim, generator=generator, dtype=torch.float64)
        return self.means[comp] + math.sqrt(self.variance) * noise

    def true_moments(self):
        """mean = sum_j w_j m_j; cov = v I + sum_j w_j m_j m_j^T - mean mean^T."""
        mu = self.weights @ self.means
        second = (self.means * self.weights[:, None]).T @ self.means
        return mu, self.variance * torch.eye(self.dim, dtype=torch.float64) + second - torch.outer(mu, mu)

    def log_responsibilities(self, x, a, b):
        """log p(j | x) for x = a x0 + b z (a, b: (N,)): x | j ~ N(a m_j, (a^2 v + b^2) I). Returns (N, J)."""
        total = a ** 2 * self.variance + b ** 2
        x = x.double()
        # ||x - a m_j||^2 = ||x||^2 - 2 a x.m_j + a^2 ||m_j||^2, without an (N, J, D) intermediate.
        sq = x.pow(2).sum(1, keepdim=True) - 2 * a[:, None] * (x @ self.means.T) \
            + a[:, None] ** 2 * self.means.pow(2).sum(1)[None]
        logits = self.weights.log()[None] - sq / (2 * total[:, None])        # the shared normaliser cancels
        return torch.log_softmax(logits, dim=1)

    def denoise(self, x, a, b):
        """E[x0 | x] for flat x (N, D) = a x0 + b z:  sum_j r_j (m_j + a v / (a^2 v + b^2) (x - a m_j))."""
        r = self.log_responsibilities(x, a, b).exp()                          # (N, J)
        gain = (a * self.variance / (a ** 2 * self.variance + b ** 2))[:, None]
        posterior_mean = r @ self.means                                       # sum_j r_j m_j
        return posterior_mean + gain * (x.double() - a[:, None] * posterior_mean)

    def as_denoiser(self, flow=False):
        """A k-diffusion denoiser on images of any shape with D elements; ignores keyword arguments (e.g. seed).
        Diffusion: x = x0 + sigma z (a = 1, b = sigma). Flow: x = (1 - tau) x0 + tau z (a = 1 - tau, b = tau)."""
        def model(x, sigma, **kwargs):
            flat = x.reshape(x.shape[0], -1)
            sigma = sigma.double()
            a, b = (1 - sigma, sigma) if flow else (torch.ones_like(sigma), sigma)
            return self.denoise(flat, a, b).to(x.dtype).reshape(x.shape)
        return model

    def metrics(self, samples):
        """fd: Frechet distance of flat samples to the exact data moments (no network); is: the IS analogue with the
        exact component posterior p(j | x0) (at sigma = 0) as the label oracle."""
        flat = samples.reshape(samples.shape[0], -1).double()
        fd = frechet_distance(*moments(flat), *self.true_moments())
        ones = torch.ones(flat.shape[0], dtype=torch.float64)
        probs = self.log_responsibilities(flat, ones, 0 * ones).exp()
        return {"fd": fd, "is": inception_score(probs)}


def digits_mixture(images, labels, variance=0.05):
    """The exact-denoiser data set: one isotropic component per digit class, centred at the class-mean image."""
    means = torch.stack([images[labels == c].reshape((labels == c).sum(), -1).mean(0) for c in range(10)])
    return GaussianMixtureData(means, variance)
