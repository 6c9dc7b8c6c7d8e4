"""`python -m api.worker`: the outbox worker's command (the loop is api.outbox.worker)."""

import sys

from api.outbox.worker import main

if __name__ == "__main__":
    sys.exit(main())
