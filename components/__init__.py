"""Rasa NLU components, named in config.yml."""
