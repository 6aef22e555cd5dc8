"""Logging configured at import (version 2: the formats edited)."""
import logging
import sys

logging.basicConfig(level=logging.INFO, format="v2 %(message)s", stream=sys.stdout)
log = logging.getLogger("svc")
handler = logging.StreamHandler(sys.stdout)
handler.setFormatter(logging.Formatter("svc v2 %(message)s"))
log.addHandler(handler)
log.propagate = False
