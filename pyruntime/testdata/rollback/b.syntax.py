import a
from a import CONST, K, f

B = (CONST
