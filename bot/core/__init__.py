"""The core: the neutral types every layer speaks (Inbound, Reply, Decision), the ports the orchestration needs
(Store, Outbox, AgentDesk, Answerer), conversation state, errors and the sentence splitter.

Standard library only (an import-linter contract), so any adapter, policy or knowledge module can depend on it and
it depends on nothing of ours.
"""
