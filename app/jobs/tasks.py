"""Handlers for sign-off tasks: assigned, decided, escalated."""

from __future__ import annotations
