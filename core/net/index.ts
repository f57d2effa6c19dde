// core/net: the peer on the network (docs/architecture.md, "The network"):
// identity, notebooks and invite codes, the libp2p node, the raft wire codec
// and transport, the join and status protocols, and the in-memory network
// (MemoryLan, MemoryPeer, MemoryTransport) that tests run notebooks on.
export { createPeer, Peer } from './peer.ts';
export type { PeerInit } from './peer.ts';
export type { DiscoveredPeer, NotebookNetwork, NotebookNetworkEvents } from './notebook-network.ts';
export { Discoverability } from './lan-discovery.ts';
export { DEFAULT_LISTEN, mdnsServiceTag, peerLibp2pOptions } from './peer-config.ts';
export { installPatches } from './patches/index.ts';
export type { ConnectionMonitorOptions, MdnsOptions, PeerConfigInit } from './peer-config.ts';
export { IsolationGate } from './isolation-gate.ts';
export { loadOrCreatePeerKey, parsePeerKey, PEER_KEY_FILE } from './identity.ts';
export {
  assertNotebook, createNotebook, MAX_NOTEBOOK_NAME_LENGTH, NOTEBOOK_KEY_BYTES, notebookNameProblem, notebookProblem, notebookPsk,
} from './notebook.ts';
export type { Notebook } from './notebook.ts';
export { formatNotebookFile, NOTEBOOK_FILE, parseNotebookFile, readNotebookFile, writeNotebookFile } from './notebook-file.ts';
export { formatInvite, INVITE_PREFIX, parseInvite } from './invite-code.ts';
export type { Invite } from './invite-code.ts';
export {
  FRAME_TYPES, MAX_ENTRIES, MAX_FRAME_BYTES, MAX_ID_LENGTH, MAX_MEMBERS, MAX_REASON_LENGTH, MAX_SNAPSHOT_DATA_BYTES,
} from './frame.ts';
export type { ForwardProposal, ForwardProposalResult, Frame, FrameType } from './frame.ts';
export { encodeFrame, encodeFramePrefixed } from './frame-encode.ts';
export { decodeFrame } from './frame-decode.ts';
export type { FrameAddress } from './frame-decode.ts';
export { FrameReader } from './frame-stream.ts';
export { RAFT_PROTOCOL, TRANSPORT_DEFAULTS } from './raft-transport.ts';
export type {
  FrameHandler, PeerLinkStats, RaftTransport, RaftTransportEvents, RaftTransportOptions, TransportStats,
} from './raft-transport.ts';
export { Libp2pRaftTransport } from './libp2p-raft-transport.ts';
export { STREAM_INACTIVITY_TIMEOUT_MS } from './raft-inbound.ts';
export { MemoryNetwork } from './memory-network.ts';
export type { MemoryNetworkInit } from './memory-network.ts';
export { MemoryTransport } from './memory-transport.ts';
export { MemoryLan, MemoryPeer } from './memory-peer.ts';
export { JOIN_PROTOCOL } from './join-protocol.ts';
export type { JoinHandler } from './join-protocol.ts';
export { decodeJoinRequest, decodeJoinResponse, encodeJoinRequest, encodeJoinResponse, MAX_JOIN_ADDRS } from './join-codec.ts';
export type { JoinMember, JoinRequest, JoinResponse } from './join-codec.ts';
export { STATUS_PROTOCOL, STATUS_STREAM_PROTOCOL } from './status-protocol.ts';
export type { StatusProvider, StatusRecord } from './status-protocol.ts';
export { MAX_REQUEST_BYTES, REQUEST_TIMEOUT_MS } from './request-response.ts';
export type { RequestOptions } from './request-response.ts';
export { privateNetwork } from './private-network.ts';
export {
  FrameTooLargeError, IdentityFileError, InvalidFrameError, InvalidInviteError, InvalidNotebookError, IsolatedError,
  KeyStreamExhaustedError, ListenError, NotebookFileError, ProtocolError,
} from './errors.ts';
