"""Offline tools: the kit runner (check), fidelity tables, the callback receiver, recorded exchanges."""
