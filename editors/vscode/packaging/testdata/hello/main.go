// Command hello is the smallest program, built for each target by
// binary_test.go to check ReadBinary on real executables.
package main

func main() {}
