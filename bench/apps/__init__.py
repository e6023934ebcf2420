"""Comparison apps for the /health throughput figures (benchmark only, never in the image)."""
