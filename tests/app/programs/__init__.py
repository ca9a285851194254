"""Tests of the director's side."""
