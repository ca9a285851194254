"""Demo data: the accounts, cohort and part-walked candidates `flask seed-demo` creates, through the real services.

Nothing in the product's request path imports this package; tests that want a populated
database use it as the seed command does.
"""
