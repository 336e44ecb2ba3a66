/** TLS ClientHello inspection without termination: SNI and ALPN for routing, with distinct refusal reasons. */
/* The parser only reads; the bytes it examined are replayed unchanged to the chosen backend. */
package io.sluice.tls;
