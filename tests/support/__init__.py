"""What the tests share, in one place: real servers to test against (a free port, waiting for a
state, Redis, PgBouncer, a streaming replica), the app served in-process with settings of a
test's own or over a socket for live streams, a production environment, booking worlds and the
salon the live-update tests watch, PostgreSQL errors of a chosen SQLSTATE, what a user and a
token pair look like, the problem+json checks every answer passes, and the pgTAP runner."""
