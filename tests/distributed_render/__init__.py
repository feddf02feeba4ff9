"""Tests of oscilla/distributed/. The folder is not called ``distributed``: pytest puts tests/ on
sys.path (pyproject's ``pythonpath``), where a ``distributed`` package would shadow Dask's."""
