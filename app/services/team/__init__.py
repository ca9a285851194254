"""People: accounts, and the support team around each candidate (who holds which role, invitations)."""
