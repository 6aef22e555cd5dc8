from b import B

C = B + 100
print("c ran")
