"""Conversation review: what people asked, what the assistant missed, every escalation (``make review``),
and the retention policy (``make prune``).

Reads the tracker store the Rasa server writes (Rasa's ``events`` table, SQLite or PostgreSQL) with
SQL in the database; no Rasa import, so it runs next to a live server without loading a model.
"""
