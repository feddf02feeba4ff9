"""Helpers shared by the tests (not tests themselves): patch builders, numpy oracles, golden files.

``tests/`` is on ``sys.path`` (``pythonpath`` in pyproject.toml), so a test in any folder imports
these as ``from support.formulas import ...``. Fixtures live in ``conftest.py`` files, not here.
"""
