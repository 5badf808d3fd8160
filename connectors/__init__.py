"""Rasa input/output channels for the website widget and the messaging platforms.

Each module subclasses one of Rasa 3.6's connectors to (1) turn the bot's machine-readable ``custom``
payloads into something the platform can show, (2) verify the platform's request signature where Rasa
does not, and (3) let the platform's API base URL come from the environment (used by the tests).
"""
