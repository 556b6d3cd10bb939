"""A small CNN on the 16x16 digits: its 128-d penultimate activations are the metrics' feature space (our stand-in
for Inception's pool features), its softmax the label oracle (for the IS analogue and the classification rate)."""

import torch.nn.functional as F
from torch import nn


class Classifier(nn.Module):
    def __init__(self, channels=32, n_features=128, n_classes=10):
        super().__init__()
        c = channels
        self.conv1 = nn.Conv2d(1, c, 3, padding=1)
        self.conv2 = nn.Conv2d(c, c, 3, padding=1)
        self.conv3 = nn.Conv2d(c, 2 * c, 3, padding=1)
        self.conv4 = nn.Conv2d(2 * c, 2 * c, 3, padding=1)
        self.fc = nn.Linear(2 * c * 4 * 4, n_features)
        self.head = nn.Linear(n_features, n_classes)

    def features(self, x):
        h = F.relu(self.conv2(F.relu(self.conv1(x))))
        h = F.max_pool2d(h, 2)                                  # 8x8
        h = F.relu(self.conv4(F.relu(self.conv3(h))))
        h = F.max_pool2d(h, 2)                                  # 4x4
        return F.relu(self.fc(h.flatten(1)))

    def forward(self, x):
        return self.head(self.features(x))
