// Command lockable runs a command while a suitable lab resource is held,
// and releases the resource however the command ends.
//
// Usage:
//
//	lockable [--validate-only] [--lock-folder DIR] [--resources FILE|URL]
//	         [--timeout SECONDS] [--hostname NAME] [--requirements REQS]
//	         command [args...]
package main
