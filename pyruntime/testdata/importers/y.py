import x
from base import K

Y = K
