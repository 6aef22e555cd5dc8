"""Logging configured at import (version 3: the handler removed)."""
import logging
import sys

logging.basicConfig(level=logging.INFO, format="v3 %(message)s", stream=sys.stdout)
log = logging.getLogger("svc")



log.propagate = False
