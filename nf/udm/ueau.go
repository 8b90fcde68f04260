package udm

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/free5gc/openapi/models"

	"github.com/credbed/credbed/internal/aka"
	"github.com/credbed/credbed/internal/ident"
	"github.com/credbed/credbed/internal/sbi"
	"github.com/credbed/credbed/internal/suci"
	"github.com/credbed/credbed/internal/trace"
)

// Trace operation names (TS 29.503 service operations).
const (
	OpUEAUGet                = "Nudm_UEAU_Get"
	OpUEAUResultConfirmation = "Nudm_UEAU_ResultConfirmation"
	OpUECMRegistration       = "Nudm_UECM_Registration"
	OpUECMGet                = "Nudm_UECM_Get"
	OpUECMUpdate             = "Nudm_UECM_Update"
	OpUECMDeregNotification  = "Nudm_UECM_DeregistrationNotification"
	OpSDMGet                 = "Nudm_SDM_Get"
	OpDataChangeNotify       = "Nudr_DR_DataChangeNotify"
	OpSubscribeDataChange    = "Nudr_DR_SubscribeDataChange"
)

// Trace key names.
const (
	KeyKAUSF   = "KAUSF"
	KeyCKPrime = "CK'"
	KeyIKPrime = "IK'"
)

// SQN trace state name (KindState, Detail "old -> new").
const (
	StateSQN       = "SQN"
	StateSQNResync = "SQN-resync"
)

// Identity is a resolved supiOrSuci.
type Identity struct {
	SUPI             string
	RoutingIndicator string // from the SUCI, empty for a SUPI
	Scheme           ident.ProtectionScheme
	Concealed        bool
}

// ResolveIdentity is the SIDF (TS 33.501 §6.12.5): a SUPI is taken as is;
// a SUCI is de-concealed with the home network private keys. A SUCI that
// cannot be de-concealed gets 403 AUTHENTICATION_REJECTED, an unknown
// protection scheme 501 UNSUPPORTED_PROTECTION_SCHEME (TS 29.503
// §6.3.7.3), anything that is neither a SUPI nor a SUCI 400.
func (u *NF) ResolveIdentity(supiOrSuci string) (Identity, *models.ProblemDetails) {
	if strings.HasPrefix(supiOrSuci, "imsi-") || strings.HasPrefix(supiOrSuci, "nai-") {
		s, err := ident.ParseSUPI(supiOrSuci)
		if err != nil {
			return Identity{}, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "supiOrSuci is not a valid SUPI")
		}
		return Identity{SUPI: s.String()}, nil
	}
	if !strings.HasPrefix(supiOrSuci, "suci-") && !strings.HasPrefix(supiOrSuci, "type1.") {
		return Identity{}, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "supiOrSuci is neither a SUPI nor a SUCI")
	}
	s, err := ident.ParseSUCI(supiOrSuci)
	if err != nil {
		return Identity{}, problem(http.StatusForbidden, sbi.CauseAuthRejected, "SUCI cannot be parsed")
	}
	supi, err := suci.Deconceal(s, u.cfg.ring)
	switch {
	case errors.Is(err, suci.ErrUnknownScheme):
		return Identity{}, problem(http.StatusNotImplemented, sbi.CauseUnsupportedScheme, "protection scheme %s not supported", s.Scheme)
	case err != nil:
		return Identity{}, problem(http.StatusForbidden, sbi.CauseAuthRejected, "SUCI de-concealment failed")
	}
	return Identity{SUPI: supi.String(), RoutingIndicator: s.RoutingIndicator, Scheme: s.Scheme, Concealed: true}, nil
}

// credentials are the parts of the authentication subscription the ARPF uses.
type credentials struct {
	k, opc    []byte
	amf       [2]byte
	sqn       aka.SQN
	method    models.AuthMethod
	akma      bool
	routingID string
}

func (c *credentials) wipe() {
	clear(c.k)
	clear(c.opc)
}

// parseCredentials checks the authentication subscription as free5gc's UDM
// does (libraries.md §5.3 item 9): 32-hex K and OPc, 4-hex AMF, hex SQN.
func parseCredentials(a *models.AuthenticationSubscription) (credentials, error) {
	var c credentials
	var err error
	c.method = a.AuthenticationMethod
	if c.method != models.AuthMethod__5_G_AKA && c.method != models.AuthMethod_EAP_AKA_PRIME {
		return c, fmt.Errorf("authentication method %q not supported", c.method)
	}
	if a.AlgorithmId != "" && !strings.EqualFold(a.AlgorithmId, "milenage") {
		return c, fmt.Errorf("algorithm %q not supported", a.AlgorithmId)
	}
	if c.k, err = hex.DecodeString(a.EncPermanentKey); err != nil || len(c.k) != aka.KLen {
		return c, errors.New("permanent key is not 32 hex digits")
	}
	if c.opc, err = hex.DecodeString(a.EncOpcKey); err != nil || len(c.opc) != aka.OPLen {
		return c, errors.New("OPc is not 32 hex digits")
	}
	amf, err := hex.DecodeString(a.AuthenticationManagementField)
	if err != nil || len(amf) != 2 {
		return c, errors.New("AMF is not 4 hex digits")
	}
	copy(c.amf[:], amf)
	sqn := "0"
	if a.SequenceNumber != nil && a.SequenceNumber.Sqn != "" {
		sqn = a.SequenceNumber.Sqn
	}
	if len(sqn) > 12 {
		return c, errors.New("SQN longer than 12 hex digits")
	}
	if c.sqn, err = aka.ParseSQN(strings.Repeat("0", 12-len(sqn)) + sqn); err != nil {
		return c, errors.New("SQN is not hex")
	}
	return c, nil
}

func decodeHex(s string, n int) ([]byte, bool) {
	b, err := hex.DecodeString(s)
	return b, err == nil && len(b) == n
}

// GenerateAuthData is Nudm_UEAuthentication_Get (TS 29.503 §5.4.2.2, TS
// 33.501 §6.1.3.2 steps 2-3 and §6.1.3.1): SIDF de-concealment, the
// authentication subscription read from the UDR, the next SQN (or the
// re-synchronised one, TS 33.102 §6.3.5) written back to the UDR before
// the vector is returned, and a 5G HE AV (RAND, AUTN, XRES*, KAUSF) or an
// EAP-AKA' AV (RAND, AUTN, XRES, CK', IK') depending on the subscription's
// authentication method.
func (u *NF) GenerateAuthData(ctx context.Context, supiOrSuci string, req models.UdmUeauAuthenticationInfoRequest) (*models.UdmUeauAuthenticationInfoResult, *models.ProblemDetails) {
	id, pd := u.ResolveIdentity(supiOrSuci)
	if pd != nil {
		return nil, pd
	}
	if req.ServingNetworkName == "" {
		return nil, problem(http.StatusBadRequest, CauseMandatoryIEMissing, "servingNetworkName is required")
	}
	if _, err := ident.ParseServingNetworkName(req.ServingNetworkName); err != nil {
		return nil, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "servingNetworkName is malformed")
	}
	var resRand, auts []byte
	if ri := req.ResynchronizationInfo; ri != nil {
		var ok1, ok2 bool
		resRand, ok1 = decodeHex(ri.Rand, aka.RANDLen)
		auts, ok2 = decodeHex(ri.Auts, aka.AUTSLen)
		if !ok1 || !ok2 {
			return nil, problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "resynchronizationInfo needs a 32-hex rand and a 28-hex auts")
		}
	}
	peer, pd := u.udrClient(ctx)
	if pd != nil {
		return nil, pd
	}

	// SQN read-modify-write, serialised per UE (TS 33.102 C.1.1: one SQN per vector).
	lock := u.sqnLock(id.SUPI)
	lock.Lock()
	creds, sqn, pd := u.nextSQN(ctx, peer, id.SUPI, resRand, auts)
	lock.Unlock()
	if pd != nil {
		return nil, pd
	}
	defer creds.wipe()

	var rnd [aka.RANDLen]byte
	_, _ = u.rnd.Read(rnd[:])
	v, err := aka.GenerateVector(creds.k, creds.opc, rnd[:], sqn, creds.amf)
	if err != nil {
		return nil, problem(http.StatusForbidden, sbi.CauseAuthRejected, "vector generation failed")
	}
	res := &models.UdmUeauAuthenticationInfoResult{
		Supi:      id.SUPI,
		AkmaInd:   creds.akma,
		RoutingId: id.RoutingIndicator,
	}
	if res.RoutingId == "" {
		res.RoutingId = creds.routingID
	}
	if creds.method == models.AuthMethod_EAP_AKA_PRIME {
		ckp, ikp, err := ckikPrime(v.CK, v.IK, req.ServingNetworkName, v.SQNxorAK())
		if err != nil {
			return nil, problem(http.StatusForbidden, sbi.CauseAuthRejected, "CK'/IK' derivation failed")
		}
		res.AuthType = models.UdmUeauAuthType_EAP_AKA_PRIME
		res.AuthenticationVector = &models.AuthenticationVector{
			AvType:  models.AvType_EAP_AKA_PRIME,
			Rand:    hex.EncodeToString(v.RAND[:]),
			Autn:    hex.EncodeToString(v.AUTN[:]),
			Xres:    hex.EncodeToString(v.XRES[:]),
			CkPrime: hex.EncodeToString(ckp[:]),
			IkPrime: hex.EncodeToString(ikp[:]),
		}
		u.emit(trace.Event{Kind: trace.KindKey, Name: KeyCKPrime, SUPI: id.SUPI})
		u.emit(trace.Event{Kind: trace.KindKey, Name: KeyIKPrime, SUPI: id.SUPI})
		return res, nil
	}
	he, err := v.HEAV(req.ServingNetworkName)
	if err != nil {
		// e.g. an AMF field without the separation bit (TS 33.501 §6.1.3.2 step 1)
		return nil, problem(http.StatusForbidden, sbi.CauseAuthRejected, "5G HE AV cannot be built for this subscription")
	}
	res.AuthType = models.UdmUeauAuthType__5_G_AKA
	res.AuthenticationVector = &models.AuthenticationVector{
		AvType:   models.AvType__5_G_HE_AKA,
		Rand:     hex.EncodeToString(he.RAND[:]),
		Autn:     hex.EncodeToString(he.AUTN[:]),
		XresStar: hex.EncodeToString(he.XRESStar[:]),
		Kausf:    hex.EncodeToString(he.KAUSF[:]),
	}
	u.emit(trace.Event{Kind: trace.KindKey, Name: KeyKAUSF, SUPI: id.SUPI})
	return res, nil
}

// nextSQN reads the authentication subscription, picks the SQN of the new
// vector and writes it back to the UDR. The caller holds the UE's SQN lock.
func (u *NF) nextSQN(ctx context.Context, peer *udrPeer, supi string, resRand, auts []byte) (creds credentials, sqn aka.SQN, pd *models.ProblemDetails) {
	octx, cancel := u.outbound(ctx)
	defer cancel()
	sub := new(models.AuthenticationSubscription)
	if _, err := sbi.UDRQueryAuthSubsData(supi).Do(octx, peer.Peer, sub); err != nil {
		return creds, 0, u.upstream(err, models.NrfNfManagementNfType_UDR)
	}
	creds, err := parseCredentials(sub)
	if err != nil {
		creds.wipe()
		u.deps.Logger.Warn("unusable authentication subscription", "supi", supi, "err", err)
		return creds, 0, problem(http.StatusForbidden, sbi.CauseAuthRejected, "authentication subscription unusable: %v", err)
	}
	creds.akma = sub.AkmaAllowed
	creds.routingID = sub.RoutingId
	old := creds.sqn
	state := StateSQN
	if auts != nil {
		sqnMS, err := aka.CheckAUTS(creds.k, creds.opc, resRand, auts)
		if err != nil {
			creds.wipe()
			return creds, 0, problem(http.StatusForbidden, sbi.CauseAuthRejected, "resynchronisation failed: AUTS does not verify")
		}
		sqn = aka.ResyncSQN(sqnMS)
		state = StateSQNResync
	} else {
		sqn = aka.NextSQN(old)
	}
	sn := models.SequenceNumber{SqnScheme: models.SqnScheme_NON_TIME_BASED}
	if sub.SequenceNumber != nil {
		sn = *sub.SequenceNumber
	}
	sn.Sqn = sqn.String()
	patch := []models.PatchItem{{Op: models.PatchOperation_REPLACE, Path: "/sequenceNumber", Value: sn}}
	if _, err := sbi.UDRModifyAuthenticationSubscription(supi, patch).Do(octx, peer.Peer, new(models.PatchResult)); err != nil {
		creds.wipe()
		return creds, 0, u.upstream(err, models.NrfNfManagementNfType_UDR)
	}
	u.emit(trace.Event{Kind: trace.KindNote, Name: state, SUPI: supi, Detail: old.String() + " -> " + sqn.String()})
	return creds, sqn, nil
}

// ConfirmAuth is Nudm_UEAuthentication_ResultConfirmation (TS 29.503
// §5.4.2.3): the AUSF's AuthEvent is stored at the UDR as the
// authentication status (TS 29.505 AuthenticationStatus). It returns the
// stored event and its id (201 Location .../auth-events/{authEventId}).
func (u *NF) ConfirmAuth(ctx context.Context, supi string, ev models.AuthEvent) (*models.AuthEvent, string, *models.ProblemDetails) {
	s, err := ident.ParseSUPI(supi)
	if err != nil {
		return nil, "", problem(http.StatusBadRequest, sbi.CauseMandatoryIEIncorrect, "supi is not a valid SUPI")
	}
	supi = s.String()
	switch {
	case ev.NfInstanceId == "":
		return nil, "", problem(http.StatusBadRequest, CauseMandatoryIEMissing, "nfInstanceId is required")
	case ev.ServingNetworkName == "":
		return nil, "", problem(http.StatusBadRequest, CauseMandatoryIEMissing, "servingNetworkName is required")
	case ev.AuthType == "":
		return nil, "", problem(http.StatusBadRequest, CauseMandatoryIEMissing, "authType is required")
	}
	if ev.TimeStamp == nil {
		t := u.now()
		ev.TimeStamp = &t
	}
	peer, pd := u.udrClient(ctx)
	if pd != nil {
		return nil, "", pd
	}
	octx, cancel := u.outbound(ctx)
	defer cancel()
	if _, err := sbi.UDRCreateAuthenticationStatus(supi, &ev).Do(octx, peer.Peer, nil); err != nil {
		return nil, "", u.upstream(err, models.NrfNfManagementNfType_UDR)
	}
	var idb [8]byte
	_, _ = u.rnd.Read(idb[:])
	return &ev, hex.EncodeToString(idb[:]), nil
}

// fcCKIKPrime is the FC of the CK'/IK' derivation (TS 33.402 A.2).
const fcCKIKPrime byte = 0x20

// ckikPrime derives CK' || IK' = KDF(CK || IK, FC 0x20, P0 = access network
// identity (the serving network name, TS 33.501 §6.1.3.1), P1 = SQN ⊕ AK).
func ckikPrime(ck, ik aka.Key128, snn string, sqnXorAK [aka.AKLen]byte) (ckp, ikp aka.Key128, err error) {
	key := make([]byte, 0, 32)
	key = append(append(key, ck[:]...), ik[:]...)
	out, err := aka.KDF(key, fcCKIKPrime, []byte(snn), sqnXorAK[:])
	clear(key)
	if err != nil {
		return ckp, ikp, err
	}
	copy(ckp[:], out[:16])
	copy(ikp[:], out[16:])
	clear(out[:])
	return ckp, ikp, nil
}
