package aka

import "errors"

// Sentinel errors. Errors wrap these with %w and never carry key bytes.
var (
	// ErrInvalidInput: a parameter has the wrong length or form.
	ErrInvalidInput = errors.New("aka: invalid input")
	// ErrMACFailure: MAC-A in AUTN does not verify (TS 33.102 §6.3.3; UE answers 5GMM #20).
	ErrMACFailure = errors.New("aka: MAC-A verification failed")
	// ErrAMFSeparation: the AMF separation bit of AUTN is 0 (TS 33.501 §6.1.3.2;
	// UE answers 5GMM #26 "non-5G authentication unacceptable").
	ErrAMFSeparation = errors.New("aka: AMF separation bit is 0")
	// ErrAUTSMACFailure: MAC-S in AUTS does not verify (TS 33.102 §6.3.5).
	ErrAUTSMACFailure = errors.New("aka: MAC-S verification failed")
	// ErrSQNNotFresh: the USIM rejects SQN (TS 33.102 Annex C.2; UE answers 5GMM #21 with AUTS).
	ErrSQNNotFresh = errors.New("aka: SQN not fresh")
)
