import a
from a import CONST, K, f

f_ref = f
k = K()
B = CONST
