// Package floor holds the reference programs the bench holds trustctl to:
// each does the same work as one trustctl command in the plainest Go a
// small tool would have, with the standard library and the libraries
// trustctl cross-checks against (keystore-go, go-pkcs12, x/crypto/ocsp).
// Each is a command of its own under this directory; the bench builds
// them as trustctl is built (static, stripped).
package floor
