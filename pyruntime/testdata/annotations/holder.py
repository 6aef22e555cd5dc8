import prices
from prices import Tree, total

tree = Tree(1, Tree(2))
