"""explainer: a static multilingual explainer-site generator."""

__version__ = "0.1.0"
