"""Sign-offs and the tasks that ask for them: giving, queueing, deciding, undoing, escalating, panels and delegations."""
