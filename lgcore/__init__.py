"""lgcore: the shared library of the executable research book.

Chapters import from here and contain no library code. Each module is one
concept: ``scale`` (presets), ``runtime`` (device, seeds, provenance),
``claims`` (checked statements of the papers), ``data`` (offline-first
loaders), ``models``, ``robust`` (attacks), ``train`` (the training loop) and
``plot`` (the figure style).
"""

__version__ = "0.1.0"
