"""slotbase: the HTTP layer, the command line, the migration runner and the dev database."""
