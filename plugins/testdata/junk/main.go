// Command junk is not a plugin: it prints a line of junk and then waits,
// as a misnamed program might.
package main

import (
	"fmt"
	"time"
)

func main() {
	fmt.Println("hello, I am not a plugin")
	time.Sleep(time.Minute)
}
