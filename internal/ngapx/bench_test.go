package ngapx

import "testing"

// The registration hot path carries, per UE, one InitialUEMessage, about
// three UplinkNASTransport and three DownlinkNASTransport (5G-AKA, security
// mode, accept/complete); each is built on one side and parsed on the other.

func benchBuild(b *testing.B, m Msg) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Build(); err != nil {
			b.Fatal(err)
		}
	}
}

func benchParse(b *testing.B, m Msg) {
	in, err := m.Build()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}

var (
	benchInitialUE = &InitialUEMessage{RANUENGAPID: 1, NASPDU: regReq, Location: loc, RRCEstablishmentCause: RRCMoSignalling}
	benchUplink    = &UplinkNASTransport{AMFUENGAPID: 1, RANUENGAPID: 1, NASPDU: regReq, Location: loc}
	benchDownlink  = &DownlinkNASTransport{AMFUENGAPID: 1, RANUENGAPID: 1, NASPDU: regReq}
)

func BenchmarkInitialUEMessageBuild(b *testing.B)     { benchBuild(b, benchInitialUE) }
func BenchmarkInitialUEMessageParse(b *testing.B)     { benchParse(b, benchInitialUE) }
func BenchmarkUplinkNASTransportBuild(b *testing.B)   { benchBuild(b, benchUplink) }
func BenchmarkUplinkNASTransportParse(b *testing.B)   { benchParse(b, benchUplink) }
func BenchmarkDownlinkNASTransportBuild(b *testing.B) { benchBuild(b, benchDownlink) }
func BenchmarkDownlinkNASTransportParse(b *testing.B) { benchParse(b, benchDownlink) }
