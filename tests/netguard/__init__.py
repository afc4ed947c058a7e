"""A guard that keeps a test's processes on loopback (see sitecustomize.py)."""
