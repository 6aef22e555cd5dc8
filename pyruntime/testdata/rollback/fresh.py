raise RuntimeError("first import fails")
