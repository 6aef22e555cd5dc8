# Under a workspace root only when setup names the project folder.
from core import VALUE

REPORT = VALUE
