package dlink

import (
	"bytes"
	"crypto/ecdh"
	"encoding/hex"
	"testing"
)

// DPP test vectors, Wi-Fi Easy Connect Appendix B.1 (mutual authentication,
// P-256) and B.2 (responder-only). The B.1 initiator bootstrapping key's y
// coordinate is printed with 31 octets in the specification; it is padded
// with a leading zero here.
const (
	vIProtoPub  = "50a532ae2a07207276418d2fa630295d45569be425aa634f02014d00a7d1f61ae14f35a5a858bccad90d126c46594c49ef82655e78888e15a32d916ac2172491"
	vIProtoPriv = "a87de9afbb406c96e5f79a3df895ecac3ad406f95da66314c8cb3165e0c61783"
	vIBootPub   = "88b37ed91938b5197097808a6244847617892046d93b9501afd48fa0f148dfde00f73b6991287884a9c9a33f8e0691f14d44b59811e9d8242d010270b0d33ec0"
	vIBootPriv  = "15b2a83c5a0a38b61f2aa8200ee4994b8afdc01c58507d10d0a38f7eedf051bb"
	vINonce     = "13f4602a16daeb69712263b9c46cba31"
	vRProtoPub  = "5e3fb3576884887f17c3203d8a3a6c2fac722ef0e2201b61ac73bc655c709a902d4b030669fb9eff8b0a79fa7c1a172ac2a92c626256963f9274dc90682c81e5"
	vRProtoPriv = "f798ed2e19286f6a6efe210b1863badb99af2a14b497634dbfd2a97394fb5aa5"
	vRBootPub   = "09c585a91b4df9fd25a045201885c39cc5cfae397ddaeda957dec57fa0e3503f52bf05968198a2f92883e96a386d767579883302dbf292105c90a43694c2fd5c"
	vRBootPriv  = "54ce181a98525f217216f59b245f60e9df30ac7f6b26c939418cfc3c42d1afa0"
	vRNonce     = "3d0cfb011ca916d796f7029ff0b43393"
	vK1         = "3d832a02ed6d7fc1dc96d2eceab738cf01c0028eb256be33d5a21a720bfcf949"
	vK2         = "ca08bdeeef838ddf897a5f01f20bb93dc5a895cb86788ca8c00a7664899bc310"
	vMx         = "dde2878117d69745be4f916a2dd14269d783d1d788c603bb8746beabbd1dbbbc"
	vNx         = "92118478b75c21c2c59340c842b5bce560a535f60bc37a75fe390d738c58d8e8"
	vLx         = "fb737234c973cc3a36e64e5170a32f12089d198c73c2fd85a53d0b282530fd02"
	// B.1 (mutual)
	vKeMutual    = "b6db65526c9a0174c3bed56f7e614f3a656233c078693249ac3516425127e5d5"
	vRAuthMutual = "a725abe6dc66ccf3aa3d6d61a19932fcbb0799ed09ff78e5bc6d4ea5ef8e8670"
	vIAuthMutual = "d34944bb4b1f05caebda762c6e4ae034c819ec2f62a57dcfade2473876e007b2"
	// B.2 (responder-only)
	vKeROnly    = "c8882a8ab30c878467822534138c704ede0ab1e873fe03b601a7908463fec87a"
	vRAuthROnly = "43509ef7137d8c2fbe66d802ae09dedd94d41b8cbfafb4954782014ff4a3f91c"
	vIAuthROnly = "787d1189b526448d2901e7f6c22775ce514fce52fc886c1e924f2fbb8d97b210"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func vPub(t *testing.T, s string) *ecdh.PublicKey {
	t.Helper()
	k, err := ecdh.P256().NewPublicKey(append([]byte{4}, unhex(t, s)...))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func vPriv(t *testing.T, s string) *ecdh.PrivateKey {
	t.Helper()
	k, err := ecdh.P256().NewPrivateKey(unhex(t, s))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func eqHex(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	if hex.EncodeToString(got) != want {
		t.Errorf("%s\n got %x\nwant %s", what, got, want)
	}
}

// Reference: Wi-Fi Easy Connect Appendix B.1 and B.2 (k1, k2, ke, L, R-auth, I-auth).
func TestDPPKeyScheduleVectors(t *testing.T) {
	pI, pIpriv := vPub(t, vIProtoPub), vPriv(t, vIProtoPriv)
	bI, bIpriv := vPub(t, vIBootPub), vPriv(t, vIBootPriv)
	pR, pRpriv := vPub(t, vRProtoPub), vPriv(t, vRProtoPriv)
	bR, bRpriv := vPub(t, vRBootPub), vPriv(t, vRBootPriv)
	iNonce, rNonce := unhex(t, vINonce), unhex(t, vRNonce)

	if !bytes.Equal(pIpriv.PublicKey().Bytes(), pI.Bytes()) || !bytes.Equal(pRpriv.PublicKey().Bytes(), pR.Bytes()) ||
		!bytes.Equal(bIpriv.PublicKey().Bytes(), bI.Bytes()) || !bytes.Equal(bRpriv.PublicKey().Bytes(), bR.Bytes()) {
		t.Fatal("vector key pairs inconsistent")
	}
	mxI, _ := pIpriv.ECDH(bR)
	mxR, _ := bRpriv.ECDH(pI)
	eqHex(t, "M.x (initiator)", mxI, vMx)
	eqHex(t, "M.x (responder)", mxR, vMx)
	nx, _ := pRpriv.ECDH(pI)
	eqHex(t, "N.x", nx, vNx)
	k1, _ := DeriveK1(mxI)
	eqHex(t, "k1", k1, vK1)
	k2, _ := DeriveK2(nx)
	eqHex(t, "k2", k2, vK2)
	lxI, err := lInitiator(bIpriv, bR, pR)
	if err != nil {
		t.Fatal(err)
	}
	lxR, err := lResponder(bRpriv, pRpriv, bI)
	if err != nil {
		t.Fatal(err)
	}
	eqHex(t, "L.x (initiator)", lxI, vLx)
	eqHex(t, "L.x (responder)", lxR, vLx)

	ke, _ := DeriveKe(iNonce, rNonce, mxI, nx, lxI)
	eqHex(t, "ke (mutual)", ke, vKeMutual)
	ra := RAuth(iNonce, rNonce, pI, pR, bR, bI, nil)
	eqHex(t, "R-auth (mutual)", ra[:], vRAuthMutual)
	ia := IAuth(iNonce, rNonce, pI, pR, bR, bI, nil)
	eqHex(t, "I-auth (mutual)", ia[:], vIAuthMutual)

	ke, _ = DeriveKe(iNonce, rNonce, mxI, nx, nil)
	eqHex(t, "ke (responder-only)", ke, vKeROnly)
	ra = RAuth(iNonce, rNonce, pI, pR, bR, nil, nil)
	eqHex(t, "R-auth (responder-only)", ra[:], vRAuthROnly)
	ia = IAuth(iNonce, rNonce, pI, pR, bR, nil, nil)
	eqHex(t, "I-auth (responder-only)", ia[:], vIAuthROnly)

	// credbed's extension: the capabilities transcript changes both tags.
	c1 := CapsTranscript(DefaultCapabilities(RoleConfigurator), DefaultCapabilities(RoleEnrollee))
	down := DefaultCapabilities(RoleEnrollee)
	down.Ciphers = []Cipher{CipherAES128GCM}
	c2 := CapsTranscript(DefaultCapabilities(RoleConfigurator), down)
	if RAuth(iNonce, rNonce, pI, pR, bR, nil, c1) == RAuth(iNonce, rNonce, pI, pR, bR, nil, c2) ||
		IAuth(iNonce, rNonce, pI, pR, bR, nil, c1) == IAuth(iNonce, rNonce, pI, pR, bR, nil, c2) {
		t.Error("capabilities do not change the auth tags")
	}
}

func TestAddPointsDoubling(t *testing.T) {
	p := vPub(t, vRBootPub)
	two, err := addPoints(p, p)
	if err != nil {
		t.Fatal(err)
	}
	k := vPriv(t, vRBootPriv)
	// 2·(k·G) computed through scalars: (k+k)·G.
	k2, err := lResponder(k, k, nil2G(t))
	if err != nil {
		t.Fatal(err)
	}
	x, _ := ecdhX(two)
	if !bytes.Equal(x, k2) {
		t.Fatalf("doubling mismatch")
	}
}

// nil2G returns the P-256 base point.
func nil2G(t *testing.T) *ecdh.PublicKey {
	one := make([]byte, 32)
	one[31] = 1
	k, err := ecdh.P256().NewPrivateKey(one)
	if err != nil {
		t.Fatal(err)
	}
	return k.PublicKey()
}

func ecdhX(p *ecdh.PublicKey) ([]byte, error) { return p.Bytes()[1:33], nil }
