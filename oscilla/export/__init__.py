"""Front end: frames out of a patch (PNG files, frame sequences)."""
