"""Pathways that exist only in the test run, to prove a pathway is one folder (see conftest)."""
