"""Checks of the built site and of the memory: links and anchors, provenance, PO and UI lint, HTML validity."""
