"""Tests of the outbox, jobs, email, the daily sweep."""
