"""Tests of the dashboard, home and export."""
