"""The GPU drawing layer the runtime uses: the instanced SDF renderer, its camera sort, offscreen targets."""
