// Package udr is credbed's Unified Data Repository: the Nudr_DataRepository
// subscription data that free5gc's UDM and credbed's UDM read and write
// (TS 29.504 §5.2, resources of TS 29.505 §5), served as a plain
// http.Handler under /nudr-dr/v2, on top of internal/store (bbolt by
// default, in memory as an option). Every write is one store transaction,
// keyed per UE.
//
// Standard resources (under /nudr-dr/v2/subscription-data/{ueId}):
//
//	GET|PATCH  authentication-data/authentication-subscription   (PATCH: JSON Patch replace of
//	           /sequenceNumber or /sequenceNumber/sqn only, 204; anything else 403)
//	PUT|GET|DELETE authentication-data/authentication-status      (PUT 204)
//	GET        {servingPlmnId}/provisioned-data/am-data
//	GET        {servingPlmnId}/provisioned-data/smf-selection-subscription-data
//	GET        {servingPlmnId}/provisioned-data/sm-data          (ExtendedSmSubsData form)
//	PUT|PATCH|GET context-data/amf-3gpp-access
//
// Data-change subscriptions (TS 29.504 §5.2.2.6-7, notify.go): POST|GET
// /nudr-dr/v2/subscription-data/subs-to-notify, GET|DELETE .../{subsId};
// deleting a subscription notifies matching subscribers (DataChangeNotify).
//
// credbed provisioning resources (not in TS 29.505), used by the testbed and
// the CPF to create and delete whole subscriptions:
//
//	PUT    /nudr-dr/v2/subscription-data/{ueId}               body SubscriptionData; 201 (new) or 204
//	GET    /nudr-dr/v2/subscription-data/{ueId}               200 SubscriptionData
//	DELETE /nudr-dr/v2/subscription-data/{ueId}               204: every data set of the UE is gone
//	PATCH  /nudr-dr/v2/subscription-data/{ueId}/provisioning  body ProvisioningUpdate; 200 Provisioning
//	GET    /nudr-dr/v2/subscription-data?owner={owner}        200 [ProvisioningRecord]
//
// SubscriptionData is {"authenticationSubscription": AuthenticationSubscription (required),
// "amData", "smfSelectionSubscriptionData", "smData": [SessionManagementSubscriptionData],
// "provisioning": {"state": "pending"|"active"|"suspended", "owner", "expiresAt"}}.
// A suspended subscription is refused (403); a pending one past its expiry
// is not found (404 USER_NOT_FOUND); a successful authentication status
// turns pending into active.
//
// K and OPc are stored as encPermanentKey/encOpcKey hex, as the UDM's
// contract requires, and never logged or traced.
package udr
