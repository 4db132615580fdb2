"""Support metrics (AI resolution, deflection, CSAT, override rate, cost per resolution) computed from stored
records: pure functions over decisions, tickets and feedback, shared by `frontdesk report`, the dashboard and the
digest.
"""
