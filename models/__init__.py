"""The embedded models: scikit-learn's digits at 16x16, a small class-conditional eps-prediction DDPM UNet, a
1-rectified-flow UNet, and a small classifier (the metrics' feature extractor and label oracle). Weights ship in
weights/ as safetensors with a JSON record each; `python -m ddim_gmm.models.train` rebuilds them."""
