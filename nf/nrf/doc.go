// Package nrf is credbed's NF Repository Function: Nnrf_NFManagement
// (NFRegister, NFUpdate, NFDeregister, NFProfileRetrieval; TS 29.510 §5.2.2)
// and Nnrf_NFDiscovery (NFDiscover; TS 29.510 §5.3.2), served as a plain
// http.Handler under /nnrf-nfm/v1 and /nnrf-disc/v1.
//
// It keeps profiles in memory and answers the way free5gc's AUSF and UDM
// need (201 + Location containing /nnrf-nfm/ and a JSON NFProfile on first
// registration, profiles with the nfServices array, no OAuth2: any
// customInfo.oauth2 is dropped). Errors are ProblemDetails with status and
// cause (TS 29.500 §5.2.7).
package nrf
