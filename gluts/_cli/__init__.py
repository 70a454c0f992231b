"""Building blocks of the ``gluts`` command line (see :mod:`gluts.cli` for the app)."""
