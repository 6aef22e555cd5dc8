import a
from a import CONST, K, f

f_ref = f
k = K()
B = 10 // (2 - CONST)  # fails once a's CONST is 2
