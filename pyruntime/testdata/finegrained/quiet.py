# Takes scaled and never calls it as it runs.
from core import scaled
