package blocks

import "github.com/credbed/credbed/scenarios"

// Builtins returns every built-in block. Add a new block's constructor here.
func Builtins() []*scenarios.Block {
	return []*scenarios.Block{
		// actions
		Wait(), WaitFor(), Mark(), Note(),
		Register(), Deregister(), PowerCycle(), FactoryReset(), EstablishSession(), Connect(),
		Provision(), Deprovision(), TargetStatus(),
		// checks
		EventSeen(), EventAbsent(), EventOrder(), EventNotBefore(), StepResult(), Registration(),
		// attacker capabilities
		Tap(), Drop(), Delay(), Duplicate(), Replay(), Modify(), BitFlip(), Inject(), Stop(),
		StealCredential(), CloneCredential(), InjectNAS(), RewriteNAS(), ClaimIdentity(),
		// faults
		LinkDown(), Loss(), Restart(),
		// catalogue rows N, X, K, S (actions, attacker capabilities)
		Echo(), ModifyNAS(), ReplayNAS(), BidDown(), CPFRequest(), ReplayHTTP(), ForgeHTTPResponse(), Flood(),
		FloodResultCheck(), RegistrationStorm(),
		// direct-link, identity and lifecycle attacks (catalogue D2-D10, C3, C4)
		DLMITM(), DLDowngrade(), DLEditCredential(), DLReplay(), DLFlood(), RogueProvision(), RewriteSUCI(),
		HoldsCredential(), CapabilityActed(),
	}
}

// Role names.
const (
	RoleProvisioningDevice = scenarios.RoleProvisioningDevice
	RoleTargetDevice       = scenarios.RoleTargetDevice
	RoleUE                 = "ue"
	RoleAttacker           = "attacker"
	RoleRogueGNB           = "rogue-gnb"
	RoleRoguePD            = "rogue-pd"
	RoleRogueTD            = "rogue-td"
)

// Roles returns the built-in actor roles.
func Roles() []scenarios.RoleDef {
	return []scenarios.RoleDef{
		{Name: RoleProvisioningDevice, Description: "a UE with its own subscription and the provisioning application (PD)"},
		{Name: RoleTargetDevice, Description: "a device with a factory identity and an empty credential slot (TD)"},
		{Name: RoleUE, Description: "an ordinary subscriber UE"},
		{Name: RoleAttacker, Description: "an attacker on the links: taps, drops, modifies, replays and injects packets"},
		{Name: RoleRogueGNB, Description: "a fake gNB that sends unprotected NAS/NGAP to UEs"},
		{Name: RoleRoguePD, Description: "an attacker running the PD role without a valid subscription or entitlement"},
		{Name: RoleRogueTD, Description: "an attacker answering as the target device with the wrong bootstrap key"},
	}
}

// Default builds a registry with every built-in role and block.
func Default() *scenarios.Registry {
	r := scenarios.NewRegistry()
	for _, d := range Roles() {
		_ = r.AddRole(d.Name, d.Description) // names are unique (tested)
	}
	_ = r.Register(Builtins()...) // names are unique (tested)
	return r
}
