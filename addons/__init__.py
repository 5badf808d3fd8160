"""Custom Rasa NLU components of the neck-spasm assistant (loaded by the Rasa server, not the action server)."""
