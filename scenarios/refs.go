package scenarios

import (
	"fmt"
	"net/netip"
	"reflect"
	"slices"
)

// Ref names a value saved by an earlier step (`save: name`). The loader
// checks that a step saving it comes before (for steps) or exists (for
// checks).
type Ref string

// ActorRef names an actor of the scenario; the loader checks it is declared.
type ActorRef string

// Peer names a place on the network: an actor, a network node (Nodes), or a
// loopback address literal ("127.0.0.18" or "127.0.0.18:38412"). The
// loader checks actors and nodes; State.ResolvePeer resolves it at run time.
type Peer string

// Nodes are the network nodes a Peer may name; the environment resolves
// their addresses.
func Nodes() []string {
	return []string{"nrf", "udr", "udm", "ausf", "aanf", "amf", "smf", "upf", "dn", "cpf", "gnb"}
}

// IsNode reports whether name is one of Nodes.
func IsNode(name string) bool { return slices.Contains(Nodes(), name) }

// peerLiteral parses an address literal Peer.
func peerLiteral(p Peer) (netip.AddrPort, bool) {
	if ap, err := netip.ParseAddrPort(string(p)); err == nil {
		return ap, true
	}
	if a, err := netip.ParseAddr(string(p)); err == nil {
		return netip.AddrPortFrom(a, 0), true
	}
	return netip.AddrPort{}, false
}

var (
	refType      = reflect.TypeFor[Ref]()
	actorRefType = reflect.TypeFor[ActorRef]()
	peerType     = reflect.TypeFor[Peer]()
)

// refsIn walks a decoded args value and calls visit for every non-empty
// Ref, ActorRef and Peer it holds, with a path for messages.
func refsIn(v reflect.Value, path string, visit func(path string, v reflect.Value)) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			refsIn(v.Elem(), path, visit)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name := yamlName(f)
			if name == "-" {
				continue
			}
			p := name
			if path != "" {
				p = path + "." + name
			}
			if name == "" { // inline
				p = path
			}
			refsIn(v.Field(i), p, visit)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			refsIn(v.Index(i), fmt.Sprintf("%s[%d]", path, i), visit)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			refsIn(iter.Value(), fmt.Sprintf("%s.%v", path, iter.Key()), visit)
		}
	case reflect.String:
		switch v.Type() {
		case refType, actorRefType, peerType:
			if v.String() != "" {
				visit(path, v)
			}
		}
	}
}
