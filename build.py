#!/usr/bin/env python3
"""Thin entry point: ``python build.py [build|check|status|review|serve|models|languages] ...``
(see --help)."""

from explainer.cli import run

if __name__ == "__main__":
    run()
