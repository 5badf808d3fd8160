"""Tracker stores, named in endpoints.yml."""
