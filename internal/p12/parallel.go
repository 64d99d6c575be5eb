package p12

import (
	"bytes"
	"crypto/aes"
	"crypto/x509/pkix"
	"io"

	"github.com/trustctl/trustctl/internal/pbes2"
)

// The key derivations of one file are independent of each other, and
// those of the modern profile cost milliseconds (10,000 iterations of
// HMAC-SHA-256 for every encrypted part, and as many of SHA-256 for the
// MAC key), so Encode and Decode run the costly ones at once, each in its
// own goroutine. A cheap one is done where it is needed: in a fresh
// process the first goroutine to run beside the main one wakes or creates
// a thread, and here a legacy file (3DES parts of about 6,000 SHA-1 blocks
// each) was built 0.7 ms and read 1 ms faster with its derivations one
// after the other, while a modern one (20,000 SHA-256 blocks a part) was
// built 0.8 ms faster with them at once.

// parallelWork is the cost, in hash blocks (see [pbes2.Params.Work]),
// from which a key derivation gets a goroutine of its own.
const parallelWork = 16384

// A future is a result being computed, or already computed.
type future[T any] struct {
	done chan struct{}
	v    T
	err  error
}

// async runs f, which costs work hash blocks: in a goroutine of its own if
// that is at least parallelWork, otherwise now.
func async[T any](work int, f func() (T, error)) *future[T] {
	fu := &future[T]{done: make(chan struct{})}
	if work < parallelWork {
		fu.v, fu.err = f()
		close(fu.done)
		return fu
	}
	go func() {
		defer close(fu.done)
		fu.v, fu.err = f()
	}()
	return fu
}

// get waits for the result.
func (f *future[T]) get() (T, error) {
	<-f.done
	return f.v, f.err
}

// sealed is an encrypted part: its AlgorithmIdentifier and ciphertext.
type sealed struct {
	alg pkix.AlgorithmIdentifier
	ct  []byte
}

// partWork is what encrypting one part costs, in hash blocks: PBKDF2 with
// HMAC-SHA-256 for a 32-byte key, or the RFC 7292 derivation with SHA-1 of
// a 24-byte 3DES key and its IV (three blocks an iteration).
func (p profile) partWork() int {
	if p.pbes2 {
		return 2 * p.iterations
	}
	return 3 * p.iterations
}

// partWork is what decrypting a part encrypted with alg costs, in hash
// blocks, or 0 when its parameters do not parse (decrypt says why).
func partWork(alg pkix.AlgorithmIdentifier) int {
	if alg.Algorithm.Equal(pbes2.OID()) {
		p, err := pbes2.Parse(alg.Parameters.FullBytes, pbes2.ParseOptions{MaxIterations: maxIterations, Unmarshal: unmarshalAll})
		if err != nil {
			return 0
		}
		return p.Work()
	}
	var p pbeParams
	if unmarshalAll(alg.Parameters.FullBytes, &p) != nil || p.Iterations < 1 || p.Iterations > maxIterations {
		return 0
	}
	return 3 * p.Iterations // key (up to 24 bytes of SHA-1) and IV
}

// randLen is how many random bytes encrypt reads for one part: the salt,
// and for PBES2 the AES IV after it.
func (p profile) randLen() int {
	if p.pbes2 {
		return p.saltLen + aes.BlockSize
	}
	return p.saltLen
}

// startEncrypt reads the salt and IV for encrypting plain from rnd now, so
// that the file's random values come from rnd in the order they appear in
// the file, and leaves the key derivation and the encryption to a
// goroutine.
func startEncrypt(prof profile, pw passwords, rnd io.Reader, plain []byte) (*future[sealed], error) {
	seed := make([]byte, prof.randLen())
	if _, err := io.ReadFull(rnd, seed); err != nil {
		return nil, err
	}
	return async(prof.partWork(), func() (sealed, error) {
		alg, ct, err := encrypt(prof, pw, bytes.NewReader(seed), plain)
		return sealed{alg: alg, ct: ct}, err
	}), nil
}

// decrypted is what decrypt returns: the plaintext and whether the scheme
// was PBES2 (meaningful even when decryption failed).
type decrypted struct {
	plain []byte
	pbes2 bool
}

// prefetched holds decryptions started ahead of the walk over a file, by
// their algorithm parameters (which hold the salt).
type prefetched map[string][]prefetch

type prefetch struct {
	ct     []byte
	result *future[decrypted]
}

// maxPrefetch bounds the parts decrypted ahead of the MAC check: a store
// has one or two (the certificates, a key) and a keystore seldom more than
// a few keys. The bound keeps a damaged or hostile file with thousands of
// parts, each of a costly iteration count, from having them all decrypted
// before the MAC check refuses it.
const maxPrefetch = 4

// prefetchParts starts decrypting, each part in its own goroutine, what the
// walk over authSafe will decrypt: the encrypted contents, and the
// shrouded keys of the plain ones, up to maxPrefetch parts, if they are
// costly enough (parallelWork). What it does not start (cheap parts, more
// parts, keys inside an encrypted content) or cannot parse is left to the
// walk, which reports the errors.
func prefetchParts(authSafe []byte, pw passwords) prefetched {
	var cis []contentInfo
	if unmarshalAll(authSafe, &cis) != nil {
		return nil
	}
	pre := prefetched{}
	n := 0
	start := func(alg pkix.AlgorithmIdentifier, ct []byte) {
		work := partWork(alg)
		if n == maxPrefetch || work < parallelWork {
			return
		}
		n++
		k := alg.Algorithm.String() + "\x00" + string(alg.Parameters.FullBytes)
		pre[k] = append(pre[k], prefetch{ct: ct, result: async(work, func() (decrypted, error) {
			plain, isPBES2, err := decrypt(alg, pw, ct)
			return decrypted{plain: plain, pbes2: isPBES2}, err
		})})
	}
	for i := 0; i < len(cis) && n < maxPrefetch; i++ {
		ci := &cis[i]
		switch {
		case ci.ContentType.Equal(oidEncryptedDataContentType):
			if alg, ct, err := encryptedContent(ci, i); err == nil {
				start(alg, ct)
			}
		case ci.ContentType.Equal(oidDataContentType):
			sc, ok := octetString(ci.Content)
			if !ok || !bytes.Contains(sc, derShroudedKeyBag) {
				continue
			}
			var bags []safeBag
			if unmarshalAll(sc, &bags) != nil {
				continue
			}
			for j := range bags {
				if bags[j].ID.Equal(oidPKCS8ShroudedKeyBag) {
					if epki, err := shroudedKey(&bags[j]); err == nil {
						start(epki.Algorithm, epki.Data)
					}
				}
			}
		}
	}
	return pre
}

// take returns the decryption of ct under alg if it was started, and
// forgets it.
func (p prefetched) take(alg pkix.AlgorithmIdentifier, ct []byte) *future[decrypted] {
	k := alg.Algorithm.String() + "\x00" + string(alg.Parameters.FullBytes)
	for i, f := range p[k] {
		if bytes.Equal(f.ct, ct) {
			p[k] = append(p[k][:i], p[k][i+1:]...)
			return f.result
		}
	}
	return nil
}

// derShroudedKeyBag is the DER of the shrouded key bag's object
// identifier, which a SafeContents holding such a bag contains.
var derShroudedKeyBag = mustMarshal(oidPKCS8ShroudedKeyBag)
