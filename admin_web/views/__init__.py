"""Request handlers, one module per feature; they parse input, call services and render."""
