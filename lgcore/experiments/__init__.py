"""Experiment recipes: the expensive work of a chapter behind one call each."""
