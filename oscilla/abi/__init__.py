"""The contract between WGSL and the host, declared once: compute bindings, uniform structs and
dispatch geometry. Codegen and the static shaders read these declarations to write WGSL; the
runtime and the drawing layer read the same declarations to build layouts, pack bytes and size
dispatches, so the two sides cannot disagree. Nothing here imports wgpu."""
