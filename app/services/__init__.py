"""Commands: the only code that changes state, one transaction each."""
