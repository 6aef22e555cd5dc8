import impl
from base import ITEMS, Plugin

reader = Plugin.registry["csv"]()
