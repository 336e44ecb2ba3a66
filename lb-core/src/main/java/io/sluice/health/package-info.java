/** Active health checks (tcp, http, tls-hello) and passive ejection from connect failures of real traffic. */
/* Entry types: HealthChecker (one per pool, on the sluice-health event loop) and HealthListener (the daemon's side). */
package io.sluice.health;
