"""Background jobs: the RQ entry points for outbox messages and periodic sweeps, and the outbox's handlers.

Every job takes ids, opens its own session, re-reads what it needs, and is safe to run twice.
Jobs depend on services; services never import a job: the outbox names the job it wants run.
"""
