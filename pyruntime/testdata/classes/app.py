"""Live instances of shapes' classes, made before the edit."""
import shapes
from shapes import Child, Color, Greeter, Loud, Mode, Point, Shade, Size, Slotted, WithMeta

greeter = Greeter("ann")
loud = Loud("bob")
size = Size(2, 3)
point = Point(1, 2)
mode = Mode.ON
color = Color.RED
shade = Shade.LIGHT
child = Child()
