"""Scoring a model on a build's test splits: item selection, grading, metrics and reports (no Beam here)."""
