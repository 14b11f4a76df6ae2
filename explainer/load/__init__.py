"""Reading the project's inputs: content/ pages and data files, checked against their schema."""
