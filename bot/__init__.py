"""Frontdesk bot package."""
