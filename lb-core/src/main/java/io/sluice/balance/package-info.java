/** Load-balancing algorithms: smooth weighted round-robin, least connections, Maglev hashing, two random choices. */
/* Every balancer is built for one immutable, name-sorted snapshot of eligible backends and picks without locks. */
package io.sluice.balance;
