package io.sluice.proxy;

import io.sluice.backend.Backend;
import io.sluice.pool.Pool;

/**
 * Learns the outcome of every backend connect made for real traffic (passive health). Called on
 * IO event loops: implementations are lock-free and never block.
 */
public interface ConnectObserver {

    ConnectObserver NONE = new ConnectObserver() {
        @Override
        public void connectFailed(Pool pool, Backend backend) {}

        @Override
        public void connectSucceeded(Pool pool, Backend backend) {}
    };

    void connectFailed(Pool pool, Backend backend);

    void connectSucceeded(Pool pool, Backend backend);
}
