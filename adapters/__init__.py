"""Frontdesk adapters package."""
