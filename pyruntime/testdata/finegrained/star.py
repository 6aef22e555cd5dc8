# Takes everything.
from core import *

S = VALUE
