"""Segmenting pages, the translation memory (all i18n/ I/O), the glossary and the machine-translation engines."""
