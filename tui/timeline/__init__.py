"""The incident record: model, SQLite store. Never imports Textual."""
