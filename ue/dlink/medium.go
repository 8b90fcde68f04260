package dlink

import (
	"fmt"
	"time"
)

// Preset describes a direct-link medium as data: the largest link-layer
// payload (MTU, fragment header included), the one-way latency, the loss
// probability per fragment and the range in metres. The values are
// illustrative typical figures, not normative ones.
type Preset struct {
	Name    string
	MTU     int
	Latency time.Duration
	Loss    float64
	Range   float64
}

// Preset names.
const (
	PresetBLE        = "ble"
	PresetNFC        = "nfc"
	PresetPC5        = "pc5"
	PresetWLANDirect = "wlan-direct"
)

// Presets returns the built-in media:
//
//	name         MTU   latency  loss   range
//	ble          244   15 ms    1%     30 m    (LE data length extension: 251-byte PDU - L2CAP/ATT headers)
//	nfc          128   5 ms     0.1%   0.04 m  (LLCP default MIU)
//	pc5          1500  10 ms    1%     300 m   (IP over ProSe/NR sidelink)
//	wlan-direct  1500  2 ms     0.5%   100 m   (Wi-Fi P2P, Ethernet MTU)
func Presets() []Preset {
	return []Preset{
		{Name: PresetBLE, MTU: 244, Latency: 15 * time.Millisecond, Loss: 0.01, Range: 30},
		{Name: PresetNFC, MTU: 128, Latency: 5 * time.Millisecond, Loss: 0.001, Range: 0.04},
		{Name: PresetPC5, MTU: 1500, Latency: 10 * time.Millisecond, Loss: 0.01, Range: 300},
		{Name: PresetWLANDirect, MTU: 1500, Latency: 2 * time.Millisecond, Loss: 0.005, Range: 100},
	}
}

// LookupPreset returns the built-in preset with that name.
func LookupPreset(name string) (Preset, bool) {
	for _, p := range Presets() {
		if p.Name == name {
			return p, true
		}
	}
	return Preset{}, false
}

// Validate checks the preset.
func (p Preset) Validate() error {
	switch {
	case p.MTU < FragmentHeaderSize+1:
		return fmt.Errorf("dlink: preset %q: MTU %d below %d", p.Name, p.MTU, FragmentHeaderSize+1)
	case p.Latency < 0:
		return fmt.Errorf("dlink: preset %q: negative latency", p.Name)
	case p.Loss < 0 || p.Loss > 1:
		return fmt.Errorf("dlink: preset %q: loss %v outside [0,1]", p.Name, p.Loss)
	case p.Range < 0:
		return fmt.Errorf("dlink: preset %q: negative range", p.Name)
	}
	return nil
}

// MaxFrame is the largest frame the preset can carry in 255 fragments.
func (p Preset) MaxFrame() int { return MaxFragments * (p.MTU - FragmentHeaderSize) }
