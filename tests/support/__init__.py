"""What the tests share, in one place: real servers to test against (a free port, waiting for a
state, Redis, PgBouncer, a streaming replica), the app served over a socket for live streams,
booking worlds, the problem+json checks every answer passes, and the pgTAP runner."""
