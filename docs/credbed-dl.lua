-- credbed-dl.lua: Wireshark/tshark dissector for credbed's direct-link frames
-- (the provisioning protocol between a provisioning device, PD, and a target
-- device, TD; Go package ue/dlink) carried on UDP port 47800
-- (transport.PortDL) in credbed captures.
--
-- Use:
--   tshark    -X lua_script:docs/credbed-dl.lua -r captures/S-01-secure.pcap
--   wireshark -X lua_script:docs/credbed-dl.lua captures/S-01-secure.pcap
-- or copy this file into Wireshark's personal Lua plugins folder.
-- Display filter: credbed-dl, e.g. credbed-dl.type == 0x05.
--
-- Each UDP datagram is one fragment (ue/dlink/fragment.go):
--   offset size field
--   0      1    magic 0xD1 (direct link, fragment format 1)
--   1      1    message sequence number (per sender, wraps)
--   2      1    fragment index (0-based)
--   3      1    fragment count (1..255)
--   4      n    a slice of the frame
-- The fragments of one frame are reassembled (per source, destination and
-- sequence number) and the frame is dissected in the datagram that completes
-- it. A frame (ue/dlink/frame.go), all integers big endian:
--   0      1    version (1)
--   1      1    frame type
--   2      4    transaction id (chosen by the PD, echoed by the TD)
--   6      2    body length
--   8      n    attributes: id (2) | length (2) | value
-- Wrapped data is AEAD ciphertext and is shown as bytes. A PlainCredential
-- frame (the baseline profile) carries the credential in clear on purpose.

local dl = Proto("credbed-dl", "credbed direct link")

local FRAGMENT_MAGIC = 0xD1
local FRAME_VERSION = 1
local HEADER_SIZE = 8
local PORT = 47800

local frame_types = {
  [0x01] = "AuthRequest",
  [0x02] = "AuthResponse",
  [0x03] = "AuthConfirm",
  [0x04] = "ConfigRequest",
  [0x05] = "CredentialDelivery",
  [0x06] = "ProofOfPossession",
  [0x07] = "Status",
  [0x20] = "PlainCredential",
}

local attr_names = {
  [0x1000] = "Status",
  [0x1001] = "I-bootstrap key hash",
  [0x1002] = "R-bootstrap key hash",
  [0x1003] = "I-protocol key",
  [0x1004] = "Wrapped data",
  [0x1005] = "I-nonce",
  [0x1006] = "I-capabilities",
  [0x1007] = "R-nonce",
  [0x1008] = "R-capabilities",
  [0x1009] = "R-protocol key",
  [0x100A] = "I-auth",
  [0x100B] = "R-auth",
  [0x1014] = "E-nonce",
  [0x1100] = "Sealed credential",
  [0x1101] = "Binding",
  [0x1102] = "Session proof",
  [0x1103] = "Credential proof",
  [0x1104] = "Credential package (plaintext)",
  [0x1105] = "Device id",
  [0x1106] = "Reason",
}

local statuses = {
  [0] = "OK", [1] = "NOT_COMPATIBLE", [2] = "AUTH_FAILURE", [3] = "UNWRAP_FAILURE",
  [4] = "BAD_GROUP", [5] = "CONFIGURE_FAILURE", [6] = "RESPONSE_PENDING",
  [7] = "INVALID_CONNECTOR", [8] = "NO_MATCH", [9] = "CONFIG_REJECTED", [10] = "NO_AP",
  [11] = "CONFIGURE_PENDING", [12] = "CSR_NEEDED", [13] = "CSR_BAD", [14] = "NEW_KEY_NEEDED",
  [0x80] = "ALREADY_PROVISIONED", [0x81] = "REPLAY", [0x82] = "EXPIRED",
  [0x83] = "BINDING_MISMATCH", [0x84] = "RATE_LIMITED", [0x85] = "TIMEOUT",
}

local roles = { [0x01] = "Enrollee (TD)", [0x02] = "Configurator (PD)" }
local curves = { [19] = "P-256", [20] = "P-384", [21] = "P-521", [31] = "X25519" }
local ciphers = { [0] = "none", [1] = "AES-128-GCM", [2] = "AES-256-GCM" }

local f = {
  frag_magic   = ProtoField.uint8("credbed-dl.frag.magic", "Fragment magic", base.HEX),
  frag_seq     = ProtoField.uint8("credbed-dl.frag.seq", "Message sequence number", base.DEC),
  frag_index   = ProtoField.uint8("credbed-dl.frag.index", "Fragment index", base.DEC),
  frag_count   = ProtoField.uint8("credbed-dl.frag.count", "Fragment count", base.DEC),
  frag_data    = ProtoField.bytes("credbed-dl.frag.data", "Fragment data"),
  reasm_in     = ProtoField.framenum("credbed-dl.reassembled_in", "Reassembled in frame"),
  reasm_frames = ProtoField.string("credbed-dl.fragments", "Fragments in frames"),
  version      = ProtoField.uint8("credbed-dl.version", "Version", base.DEC),
  ftype        = ProtoField.uint8("credbed-dl.type", "Frame type", base.HEX, frame_types),
  type_name    = ProtoField.string("credbed-dl.type_name", "Frame type name"),
  txid         = ProtoField.uint32("credbed-dl.txid", "Transaction id", base.HEX),
  length       = ProtoField.uint16("credbed-dl.length", "Body length", base.DEC),
  attr         = ProtoField.bytes("credbed-dl.attr", "Attribute"),
  attr_id      = ProtoField.uint16("credbed-dl.attr.id", "Attribute id", base.HEX, attr_names),
  attr_len     = ProtoField.uint16("credbed-dl.attr.length", "Attribute length", base.DEC),
  attr_value   = ProtoField.bytes("credbed-dl.attr.value", "Value"),
  status       = ProtoField.uint8("credbed-dl.status", "Status", base.DEC, statuses),
  reason       = ProtoField.string("credbed-dl.reason", "Reason"),
  device_id    = ProtoField.string("credbed-dl.device_id", "Device id"),
  cap_role     = ProtoField.uint8("credbed-dl.caps.role", "Role", base.HEX, roles),
  cap_version  = ProtoField.uint8("credbed-dl.caps.version", "Protocol version", base.DEC),
  cap_curve    = ProtoField.uint16("credbed-dl.caps.curve", "Curve (IKE group)", base.DEC, curves),
  cap_cipher   = ProtoField.uint16("credbed-dl.caps.cipher", "Cipher", base.DEC, ciphers),
  plaintext    = ProtoField.bool("credbed-dl.plaintext_credential", "Carries a plaintext credential"),
}
dl.fields = f

local e = {
  bad_magic   = ProtoExpert.new("credbed-dl.bad_magic", "Not a direct-link fragment (bad magic)", expert.group.MALFORMED, expert.severity.ERROR),
  bad_frag    = ProtoExpert.new("credbed-dl.bad_fragment", "Bad fragment index or count", expert.group.MALFORMED, expert.severity.ERROR),
  truncated   = ProtoExpert.new("credbed-dl.truncated", "Truncated", expert.group.MALFORMED, expert.severity.ERROR),
  bad_length  = ProtoExpert.new("credbed-dl.bad_length", "Header length does not match the body", expert.group.MALFORMED, expert.severity.ERROR),
  bad_version = ProtoExpert.new("credbed-dl.bad_version", "Unsupported frame version", expert.group.PROTOCOL, expert.severity.WARN),
  bad_type    = ProtoExpert.new("credbed-dl.bad_type", "Unknown frame type", expert.group.PROTOCOL, expert.severity.WARN),
  bad_attr    = ProtoExpert.new("credbed-dl.bad_attr", "Malformed attribute value", expert.group.MALFORMED, expert.severity.WARN),
  plaintext   = ProtoExpert.new("credbed-dl.plaintext", "Credential in clear (baseline profile, on purpose)", expert.group.SECURITY, expert.severity.NOTE),
  incomplete  = ProtoExpert.new("credbed-dl.incomplete", "Fragment of a frame not (yet) reassembled", expert.group.REASSEMBLE, expert.severity.CHAT),
}
dl.experts = { e.bad_magic, e.bad_frag, e.truncated, e.bad_length, e.bad_version, e.bad_type, e.bad_attr, e.plaintext, e.incomplete }

-- Reassembly state, filled on the first pass over the capture.
local partial = {}   -- key -> { count = n, have = k, parts = { [i] = ByteArray }, frames = { [i] = number } }
local complete = {}  -- frame number that completes a frame -> { data = ByteArray, frames = "1,2,3" }
local part_of = {}   -- frame number of a fragment -> frame number where it was reassembled

function dl.init()
  partial, complete, part_of = {}, {}, {}
end

local function name_of(t)
  return frame_types[t] or string.format("Frame-0x%02x", t)
end

-- Capabilities: role (1) | n (1) | versions (n) | n (1) | curves (2n) | n (1) | ciphers (2n).
local function dissect_caps(tvb, tree, item)
  local len = tvb:len()
  if len < 2 then
    item:add_proto_expert_info(e.bad_attr, "Capabilities too short")
    return
  end
  tree:add(f.cap_role, tvb(0, 1))
  local off = 1
  local n = tvb(off, 1):uint(); off = off + 1
  for _ = 1, n do
    if off >= len then item:add_proto_expert_info(e.bad_attr, "Capability versions truncated"); return end
    tree:add(f.cap_version, tvb(off, 1)); off = off + 1
  end
  for _, fld in ipairs({ f.cap_curve, f.cap_cipher }) do
    if off >= len then item:add_proto_expert_info(e.bad_attr, "Capability list truncated"); return end
    n = tvb(off, 1):uint(); off = off + 1
    for _ = 1, n do
      if off + 2 > len then item:add_proto_expert_info(e.bad_attr, "Capability list truncated"); return end
      tree:add(fld, tvb(off, 2)); off = off + 2
    end
  end
  if off ~= len then
    item:add_proto_expert_info(e.bad_attr, string.format("%d bytes after the capabilities", len - off))
  end
end

local function dissect_attr_value(id, vtvb, atree, aitem)
  local n = vtvb:len()
  if id == 0x1000 then
    if n == 1 then
      atree:add(f.status, vtvb(0, 1))
      aitem:append_text(": " .. (statuses[vtvb(0, 1):uint()] or ("STATUS_" .. vtvb(0, 1):uint())))
    else
      aitem:add_proto_expert_info(e.bad_attr, "Status is one byte")
    end
  elseif id == 0x1106 and n > 0 then
    atree:add(f.reason, vtvb(0, n))
    aitem:append_text(": " .. vtvb(0, n):string())
  elseif id == 0x1105 and n > 0 then
    atree:add(f.device_id, vtvb(0, n))
  elseif (id == 0x1006 or id == 0x1008) and n > 0 then
    dissect_caps(vtvb, atree, aitem)
  end
end

-- dissect_frame dissects one whole frame; it returns the frame type or nil.
local function dissect_frame(tvb, pinfo, tree)
  local len = tvb:len()
  local ftree = tree:add(dl, tvb(0, len), "Direct-link frame")
  if len < HEADER_SIZE then
    ftree:add_proto_expert_info(e.truncated, string.format("Frame of %d bytes, header needs %d", len, HEADER_SIZE))
    return nil
  end
  local version = tvb(0, 1):uint()
  local t = tvb(1, 1):uint()
  local vitem = ftree:add(f.version, tvb(0, 1))
  if version ~= FRAME_VERSION then
    vitem:add_proto_expert_info(e.bad_version)
  end
  local titem = ftree:add(f.ftype, tvb(1, 1))
  ftree:add(f.type_name, tvb(1, 1), name_of(t)):set_generated()
  if frame_types[t] == nil then
    titem:add_proto_expert_info(e.bad_type)
  end
  ftree:add(f.txid, tvb(2, 4))
  local blen = tvb(6, 2):uint()
  local litem = ftree:add(f.length, tvb(6, 2))
  ftree:append_text(string.format(", %s, transaction 0x%08x", name_of(t), tvb(2, 4):uint()))
  if blen ~= len - HEADER_SIZE then
    litem:add_proto_expert_info(e.bad_length, string.format("Header says %d, body is %d bytes", blen, len - HEADER_SIZE))
  end
  local off = HEADER_SIZE
  local stop = math.min(len, HEADER_SIZE + blen)
  while off < stop do
    if stop - off < 4 then
      ftree:add_proto_expert_info(e.truncated, string.format("%d bytes left for an attribute header", stop - off))
      break
    end
    local id = tvb(off, 2):uint()
    local n = tvb(off + 2, 2):uint()
    if off + 4 + n > stop then
      ftree:add_proto_expert_info(e.truncated, string.format("Attribute 0x%04x of %d bytes, %d left", id, n, stop - off - 4))
      break
    end
    local aitem = ftree:add(f.attr, tvb(off, 4 + n))
    aitem:set_text(string.format("%s (0x%04x), %d bytes", attr_names[id] or "Unknown attribute", id, n))
    aitem:add(f.attr_id, tvb(off, 2))
    aitem:add(f.attr_len, tvb(off + 2, 2))
    if n > 0 then
      aitem:add(f.attr_value, tvb(off + 4, n))
      dissect_attr_value(id, tvb(off + 4, n):tvb(), aitem, aitem)
    end
    if id == 0x1104 then
      ftree:add(f.plaintext, tvb(off, 4 + n), true):set_generated()
      aitem:add_proto_expert_info(e.plaintext)
    end
    off = off + 4 + n
  end
  return t
end

function dl.dissector(tvb, pinfo, tree)
  local len = tvb:len()
  if len == 0 then return 0 end
  pinfo.cols.protocol = "CREDBED-DL"
  local root = tree:add(dl, tvb(), "credbed direct link")

  local first = tvb(0, 1):uint()
  if first == FRAME_VERSION then
    -- A bare frame, not fragmented.
    local t = dissect_frame(tvb, pinfo, root)
    pinfo.cols.info = t and name_of(t) or "Malformed direct-link frame"
    return len
  end
  if first ~= FRAGMENT_MAGIC or len < 4 then
    root:add_proto_expert_info(len < 4 and e.truncated or e.bad_magic)
    pinfo.cols.info = "Malformed direct-link datagram"
    return len
  end

  local seq, index, count = tvb(1, 1):uint(), tvb(2, 1):uint(), tvb(3, 1):uint()
  local fragtree = root:add(dl, tvb(0, 4), string.format("Fragment %d of %d, message %d", index + 1, count, seq))
  fragtree:add(f.frag_magic, tvb(0, 1))
  fragtree:add(f.frag_seq, tvb(1, 1))
  fragtree:add(f.frag_index, tvb(2, 1))
  fragtree:add(f.frag_count, tvb(3, 1))
  if count == 0 or index >= count then
    fragtree:add_proto_expert_info(e.bad_frag, string.format("Index %d of %d", index, count))
    pinfo.cols.info = "Malformed direct-link fragment"
    return len
  end

  local payload = len > 4 and tvb(4, len - 4) or nil
  if count == 1 then
    if payload == nil then
      root:add_proto_expert_info(e.truncated, "Empty fragment")
      return len
    end
    local t = dissect_frame(payload:tvb(), pinfo, root)
    pinfo.cols.info = t and name_of(t) or "Malformed direct-link frame"
    return len
  end

  if payload then fragtree:add(f.frag_data, payload) end
  local num = pinfo.number
  if not pinfo.visited then
    local key = string.format("%s:%d>%s:%d#%d/%d", tostring(pinfo.src), pinfo.src_port, tostring(pinfo.dst), pinfo.dst_port, seq, count)
    local p = partial[key]
    if p == nil then
      p = { count = count, have = 0, parts = {}, frames = {} }
      partial[key] = p
    end
    if p.parts[index] == nil then
      p.parts[index] = payload and payload:bytes() or ByteArray.new()
      p.frames[index] = num
      p.have = p.have + 1
    end
    if p.have == p.count then
      local data = ByteArray.new()
      local list = {}
      for i = 0, p.count - 1 do
        data:append(p.parts[i])
        list[#list + 1] = tostring(p.frames[i])
        part_of[p.frames[i]] = num
      end
      complete[num] = { data = data, frames = table.concat(list, ",") }
      partial[key] = nil
    end
  end

  local done = complete[num]
  if done then
    local rtvb = done.data:tvb("Reassembled direct-link frame")
    root:add(f.reasm_frames, done.frames):set_generated()
    local t = dissect_frame(rtvb, pinfo, root)
    pinfo.cols.info = (t and name_of(t) or "Malformed direct-link frame") .. string.format(" (reassembled from %d fragments)", count)
  else
    local where = part_of[num]
    if where then
      root:add(f.reasm_in, where):set_generated()
    else
      root:add_proto_expert_info(e.incomplete)
    end
    -- The frame header travels in the first fragment: name the type already.
    if index == 0 and payload and payload:len() >= 2 and payload(0, 1):uint() == FRAME_VERSION then
      pinfo.cols.info = string.format("%s fragment %d/%d", name_of(payload(1, 1):uint()), index + 1, count)
    else
      pinfo.cols.info = string.format("Fragment %d/%d of message %d", index + 1, count, seq)
    end
  end
  return len
end

DissectorTable.get("udp.port"):add(PORT, dl)
