"""Data collection: plain Python returning dataclasses. Never imports Textual."""
