"""Handlers for CTC recommendations: packets and the 90-day window."""

from __future__ import annotations
