"""Tests of the app around the services: access, errors, audit, migrations, limits, health, the demo."""
