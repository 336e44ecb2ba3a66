/**
 * What tests run around Sluice: free ports ({@link io.sluice.harness.Ports}), config text, named test
 * backends and clients, the daemon as a process ({@link io.sluice.harness.SluiceExtension},
 * {@link io.sluice.harness.DaemonProcess}) and Netty leak detection for every test class.
 */
package io.sluice.harness;
