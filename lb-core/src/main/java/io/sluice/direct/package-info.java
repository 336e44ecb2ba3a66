/**
 * Direct routing: Sluice as the control plane of an nftables data plane. Entry types: {@link io.sluice.direct.DirectPlane}
 * (the owner, on its own thread), {@link io.sluice.direct.NftScript} (plan to nft script, a pure function) and
 * {@link io.sluice.direct.FlowHash} (the kernel's flow hash, for explain and tests).
 */
package io.sluice.direct;
