"""The triage engine, the knowledge base and the names both servers use; no Rasa imports."""
