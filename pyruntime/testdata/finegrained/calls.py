# Calls scaled as it runs.
from core import scaled

T = scaled(2)
