"""The standing reliability suite (marker ``reliability``): the fake attacked and loaded as users and attackers would.

Every test here runs against a served fake (a subprocess on loopback, as ``ccs-mock serve`` runs) or a live
server in-process, with real sockets, real SQLite files and a real browser; CI runs it with the rest.
"""
from __future__ import annotations

from collections import Counter

import pytest

COUNTS_KEY = pytest.StashKey[Counter]()  # the fuzz's requests and 5xx answers per spec (test_fuzz.py)
