"""Pure pathway engine: rules, state machines, deadlines. Imports no Flask, database or queue.

The app calls `workflows.engine` (events_from, fire, unmet_rules, requirements, states,
initial_state) and `workflows.deadlines` with a `workflows.facts.Facts` snapshot it builds.
"""
