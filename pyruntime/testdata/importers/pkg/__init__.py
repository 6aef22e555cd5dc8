# from-import of a submodule: an import of pkg.sub.
from . import sub
