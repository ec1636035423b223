"""litreview: a literature-review manager for annotated bibliographies."""

__version__ = "0.1.0"
