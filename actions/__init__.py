"""Custom actions of the neck-spasm assistant (served by `rasa run actions --actions actions`)."""
