"""Tests of what a candidate files."""
