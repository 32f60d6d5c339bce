// Package liaison is the domain of liaisonbot: liaison statements, their
// purpose, addressee family and triage state, and the label names that carry
// them on GitHub. It performs no I/O, so every rule here can be tested as a
// plain function.
package liaison
