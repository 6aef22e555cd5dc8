"""Live instances made once, before the saves."""
import legacy
import orders
import users

try:
    user
except NameError:
    user = users.User(name=" ann ")
    account = legacy.Account(owner=" bob ")
