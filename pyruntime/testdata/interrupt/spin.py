import time

from base import CONST

if CONST == 2:  # spins once base's CONST is 2, until interrupted
    open(__file__ + ".spinning", "w").close()
    while True:
        time.sleep(0.01)
