/**
 * The backend's side of direct routing: the VIP on the loopback and the ARP settings that keep the
 * backend from answering for it. Entry type: {@link io.sluice.agent.direct.DirectBackendCommand}.
 */
package io.sluice.agent.direct;
