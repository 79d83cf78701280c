"""warroom: a full-screen terminal console for production incidents."""

__version__ = "0.1.0"
