package chain

import "errors"

// The certificate policy processing of RFC 5280 §6.1.2 (a), (d)-(f),
// §6.1.3 (d)-(f), §6.1.4 (a), (b), (h)-(j) and §6.1.5 (a), (b), (g), with
// the default inputs a verifier without policy options has:
// user-initial-policy-set = {anyPolicy}, initial-policy-mapping-inhibit,
// initial-explicit-policy and initial-any-policy-inhibit all false.

type policyNode struct {
	valid    string
	expected map[string]bool
	parent   *policyNode
	children int
}

// policyTree is the valid_policy_tree: one level per certificate.
type policyTree struct {
	levels [][]*policyNode // nil: the tree is NULL
	nodes  int
}

// maxPolicyNodes bounds the tree: a path built to make it grow
// exponentially (x509-limbo's pathological cases) fails instead.
const maxPolicyNodes = 2000

var errPolicyTreeTooBig = errors.New("the certificate policies of this path make the policy tree too large to process")

func newPolicyTree() *policyTree {
	root := &policyNode{valid: anyPolicy, expected: map[string]bool{anyPolicy: true}}
	return &policyTree{levels: [][]*policyNode{{root}}, nodes: 1}
}

func (t *policyTree) null() bool { return t.levels == nil }

func (t *policyTree) add(parent *policyNode, valid string, expected map[string]bool, level int) error {
	t.nodes++
	if t.nodes > maxPolicyNodes {
		return errPolicyTreeTooBig
	}
	n := &policyNode{valid: valid, expected: expected, parent: parent}
	parent.children++
	for len(t.levels) <= level {
		t.levels = append(t.levels, nil)
	}
	t.levels[level] = append(t.levels[level], n)
	return nil
}

// processCert is RFC 5280 §6.1.3 (d) and (e) for the certificate at depth
// i (1 is the one the trust anchor issued) of a path of n certificates.
func (t *policyTree) processCert(c *Cert, i, n, inhibitAny int) error {
	if t.null() {
		return nil
	}
	if !c.hasPolicies {
		t.levels = nil // (e)
		return nil
	}
	prev := t.levels[i-1]
	t.levels = append(t.levels[:i], nil)
	var anyQ bool
	for _, p := range c.Policies {
		if p.oid == anyPolicy {
			anyQ = true
			continue
		}
		matched := false
		for _, node := range prev {
			if node.expected[p.oid] {
				if err := t.add(node, p.oid, map[string]bool{p.oid: true}, i); err != nil {
					return err
				}
				matched = true
			}
		}
		if !matched {
			for _, node := range prev {
				if node.valid == anyPolicy {
					if err := t.add(node, p.oid, map[string]bool{p.oid: true}, i); err != nil {
						return err
					}
				}
			}
		}
	}
	if anyQ && (inhibitAny > 0 || (i < n && c.selfIssued())) {
		for _, node := range prev {
			have := map[string]bool{}
			for _, ch := range t.levels[i] {
				if ch.parent == node {
					have[ch.valid] = true
				}
			}
			for p := range node.expected {
				if !have[p] {
					if err := t.add(node, p, map[string]bool{p: true}, i); err != nil {
						return err
					}
				}
			}
		}
	}
	t.prune(i)
	return nil
}

// prune deletes, from depth i-1 up, nodes without children (§6.1.3 (d)(3)).
func (t *policyTree) prune(i int) {
	for d := i - 1; d >= 0 && t.levels != nil; d-- {
		keep := t.levels[d][:0]
		for _, n := range t.levels[d] {
			if n.children > 0 {
				keep = append(keep, n)
			} else if n.parent != nil {
				n.parent.children--
			}
		}
		t.levels[d] = keep
		if len(keep) == 0 {
			t.levels = nil
		}
	}
	if t.levels != nil && len(t.levels) > i && len(t.levels[i]) == 0 {
		t.levels = nil
	}
}

// applyMappings is §6.1.4 (b) for the certificate at depth i.
func (t *policyTree) applyMappings(c *Cert, i, policyMapping int) error {
	if t.null() || len(c.PolicyMappings) == 0 {
		return nil
	}
	mapped := map[string]map[string]bool{}
	var order []string
	for _, m := range c.PolicyMappings {
		if mapped[m[0]] == nil {
			mapped[m[0]] = map[string]bool{}
			order = append(order, m[0])
		}
		mapped[m[0]][m[1]] = true
	}
	level := t.levels[i]
	for _, idp := range order {
		sdps := mapped[idp]
		if policyMapping > 0 {
			found := false
			for _, node := range level {
				if node.valid == idp {
					node.expected = sdps
					found = true
				}
			}
			if !found {
				for _, node := range level {
					if node.valid == anyPolicy {
						if err := t.add(node.parent, idp, sdps, i); err != nil {
							return err
						}
						break
					}
				}
			}
			level = t.levels[i]
			continue
		}
		keep := level[:0]
		for _, node := range level {
			if node.valid == idp {
				node.parent.children--
				continue
			}
			keep = append(keep, node)
		}
		t.levels[i] = keep
		level = keep
		if len(keep) == 0 {
			t.levels = nil
			return nil
		}
		t.prune(i)
		if t.null() {
			return nil
		}
		level = t.levels[i]
	}
	return nil
}
