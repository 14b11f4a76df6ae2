#!/usr/bin/env python3
"""Thin entry point: ``python build.py [build|check|status|review|serve|models|languages] ...``
(see --help)."""

import sys

from explainer.cli import main

if __name__ == "__main__":
    sys.exit(main())
