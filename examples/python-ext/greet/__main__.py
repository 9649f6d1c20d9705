from . import shout

print(shout("hello from a C extension"))
