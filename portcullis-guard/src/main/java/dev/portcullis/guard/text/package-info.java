/** Text primitives shared by the guards: a compiled multi-literal automaton used as the one-pass pre-filter. */
package dev.portcullis.guard.text;
