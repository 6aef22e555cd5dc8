"""Logging configured at import (version 1)."""
import logging
import sys

logging.basicConfig(level=logging.INFO, format="v1 %(message)s", stream=sys.stdout)
log = logging.getLogger("svc")
handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(logging.Formatter("svc v1 %(message)s"))
log.addHandler(handler)
log.propagate = False
