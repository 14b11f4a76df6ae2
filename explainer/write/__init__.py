"""Writing the site: the output folder, the atomic swap, the search index."""
