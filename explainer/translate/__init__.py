"""Segmenting pages, the translation memory (read here; written by the build), the glossary and the machine-translation
engines."""
