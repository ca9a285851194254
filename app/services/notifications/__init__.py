"""Work past the commit: the outbox and its named handlers, the emails it sends, the daily sweep, and calendar feeds."""
