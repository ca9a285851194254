"""Tests of accounts, roles, invitations, sign-in."""
