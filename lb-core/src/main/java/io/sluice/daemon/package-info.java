/**
 * The daemon's lifecycle: start (bind all or nothing), graceful stop, and the control thread.
 * Entry type: {@link io.sluice.daemon.SluiceDaemon}.
 */
package io.sluice.daemon;
