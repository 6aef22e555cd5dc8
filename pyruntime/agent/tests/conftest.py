"""pytest setup: the agent package is imported from disk, as _hotload_agent."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
