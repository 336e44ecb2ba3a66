/**
 * The built-in demo: echo backends that say their name, for {@code sluice demo}.
 * Entry type: {@link io.sluice.demo.EchoBackend}.
 */
package io.sluice.demo;
