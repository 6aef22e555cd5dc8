from pkg import sub

Z = sub.Y
