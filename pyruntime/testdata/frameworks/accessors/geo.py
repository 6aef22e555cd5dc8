"""A pandas accessor (version 1)."""
import pandas as pd


@pd.api.extensions.register_dataframe_accessor("geo")
class Geo:
    def __init__(self, frame):
        self.frame = frame

    def center(self):
        return float(self.frame["x"].mean())
