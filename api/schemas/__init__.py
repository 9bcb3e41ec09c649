"""Wire shapes of the gateway's own resources (sessions, memory, the index, health), one module each."""
