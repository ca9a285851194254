"""Tests of sign-offs, tasks, panels, delegations, the inbox."""
