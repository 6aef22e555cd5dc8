# Reads a constant as it runs.
import core

V = core.VALUE
