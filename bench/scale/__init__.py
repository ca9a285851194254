"""Synthetic statewide data and the page runner behind `bench/pages.py` (not run by `make bench` itself)."""
