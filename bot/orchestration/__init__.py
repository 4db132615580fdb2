"""Orchestration: the one conversation engine and what runs around it.

The dispatcher takes an `Inbound` from any adapter, asks the engine (input policies, the knowledge chain, output
policies) for exactly one decision, records it and delivers it; the desk carries agents' actions on handoffs and
drafts; handoff builds the card's summary; demotion and optout apply recorded feedback and preferences. It talks to
platforms and storage only through the ports in `bot.core`.
"""
