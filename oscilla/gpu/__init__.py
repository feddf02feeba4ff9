"""The GPU device layer: adapter choice and wgpu-py quirks (device), the one pipeline cache."""
