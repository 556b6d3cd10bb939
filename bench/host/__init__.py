"""ComfyUI host tooling, not benchmarks: a real ComfyUI server in a subprocess (server), random-weight checkpoints
ComfyUI loads (random_checkpoint) and the soak run through both (soak, the `bench soak` command)."""
