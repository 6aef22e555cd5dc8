from a import CONST

B = CONST + 10
print("b ran")
