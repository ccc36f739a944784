"""Domain logic: opening hours, the queue, the conversation lifecycle and wait estimates.

Plain Python over the database session; no HTTP, no WebSockets. Callers (the HTTP and WebSocket
layers) commit through `unit_of_work` and publish the returned events after the commit.
"""
