"""Tests of the enrolment and its pathway."""
