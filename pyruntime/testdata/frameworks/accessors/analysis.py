"""A data frame loaded once, whose accessor was used before the save."""
import pandas as pd

import geo

try:
    frame
except NameError:
    frame = pd.DataFrame({"x": [1.0, 2.0, 9.0]})
    first = frame.geo.center()
