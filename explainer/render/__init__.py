"""Rendering: pages, side-by-side views and the site-wide files (feeds, sitemap, dashboards, chooser)."""
