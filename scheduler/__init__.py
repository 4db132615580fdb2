"""Frontdesk scheduler package."""
