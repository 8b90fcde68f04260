// Package catalogue embeds credbed's threat-scenario catalogue: one YAML file
// per scenario, one folder per suite (aka, network, dlink, deprovisioning,
// cloning, lifecycle). `credbed run` and the Ginkgo suite load it with
// scenarios.LoadFS(catalogue.FS(), ".", ...).
//
// References: reference/3gpp.md §6 (the threat rows the ids follow: D1-D10
// direct link, N1-N6 network, X1-X9 deprovisioning, C1-C4 cloning, L1-L4
// lifecycle), TR 33.899 KI #12.2.
package catalogue
