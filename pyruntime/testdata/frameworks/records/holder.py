"""Live instances and references made once, before the saves."""
import records

try:
    point
except NameError:
    point, slotted, size, cube = records.Point(-2), records.Slotted(-2), records.Size(3), records.cube
    urgent = records.Priority.HIGH
