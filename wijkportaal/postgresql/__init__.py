"""Django's PostgreSQL backend, refusing new connections at once while the server is known to hang."""
