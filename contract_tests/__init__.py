"""Contract tests for a Call Center Studio tenant: the in-process fake by default, any URL on request."""
