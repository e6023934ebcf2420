"""Benchmarks of the dev loop and the service: `.venv/bin/python -m bench` (`make bench`).

A script that prints figures, never a test: timings are not asserted anywhere.
"""
